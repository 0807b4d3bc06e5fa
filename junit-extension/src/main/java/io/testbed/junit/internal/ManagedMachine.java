package io.testbed.junit.internal;

import io.testbed.core.ExecResult;
import io.testbed.core.Job;
import io.testbed.core.Machine;
import io.testbed.core.RunOptions;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The machine handed to tests: the provider's machine, plus a record of the background jobs started through it,
 * so that the extension can kill those still running when the test ends (the {@link Job} contract). The core
 * {@link Machine} API offers no way to list a machine's jobs, hence this wrapper.
 */
final class ManagedMachine implements Machine {

    private final Machine delegate;
    private final List<Job> jobs = new ArrayList<>();

    ManagedMachine(Machine delegate) {
        this.delegate = delegate;
    }

    Machine delegate() {
        return delegate;
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public Set<String> roles() {
        return delegate.roles();
    }

    @Override
    public Map<String, String> properties() {
        return delegate.properties();
    }

    @Override
    public InetAddress address(String network) {
        return delegate.address(network);
    }

    @Override
    public ExecResult run(String command, RunOptions options) {
        return delegate.run(command, options);
    }

    @Override
    public Job start(String command, RunOptions options) {
        Job job = delegate.start(command, options);
        synchronized (jobs) {
            jobs.add(job);
        }
        return job;
    }

    @Override
    public void upload(Path local, String remotePath) {
        delegate.upload(local, remotePath);
    }

    @Override
    public void download(String remotePath, Path local) {
        delegate.download(remotePath, local);
    }

    @Override
    public void setSysctl(String key, String value) {
        delegate.setSysctl(key, value);
    }

    @Override
    public void writeSysfs(String path, String value) {
        delegate.writeSysfs(path, value);
    }

    @Override
    public void restoreSettings() {
        delegate.restoreSettings();
    }

    @Override
    public void waitForPort(int port, Duration timeout) {
        delegate.waitForPort(port, timeout);
    }

    /**
     * Kills every job started through this machine that is still running, newest first, and forgets them all.
     *
     * @return how many jobs were killed
     */
    int killJobs() {
        List<Job> started;
        synchronized (jobs) {
            started = new ArrayList<>(jobs);
            jobs.clear();
        }
        int killed = 0;
        RuntimeException failure = null;
        for (int i = started.size() - 1; i >= 0; i--) {
            Job job = started.get(i);
            try {
                if (!job.finished()) {
                    job.kill();
                    killed++;
                }
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
        return killed;
    }

    @Override
    public String toString() {
        return delegate.toString();
    }
}
