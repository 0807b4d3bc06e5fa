package io.testbed.core;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.apiguardian.api.API;

/**
 * One machine of a test environment: a VM, a container or an existing SSH host, all with this API.
 *
 * <p>Lifecycle: a machine is handed out by the harness once it is ready (its transport answered a
 * command). It stays usable until the environment is torn down. After a revert of the environment the
 * machine reconnects by itself; callers keep using the same object.
 *
 * <p>After every test the harness kills the background jobs a test left running and undoes, in reverse order,
 * the changes made through {@link #setSysctl} and {@link #writeSysfs}.
 *
 * <p>Every method throws {@link TestbedException} (or a subclass) when the machine cannot be reached.
 */
@API(status = API.Status.EXPERIMENTAL)
public interface Machine {

    /** The machine's name as declared, unique in its environment. */
    String name();

    /** The roles declared for the machine (EnOSlib-style groups). */
    Set<String> roles();

    /** Free-form properties declared for the machine (or read from an inventory). */
    Map<String, String> properties();

    /**
     * The machine's address on the named network.
     *
     * @throws IllegalArgumentException naming the machine and its networks when it has no NIC on {@code network}
     */
    InetAddress address(String network);

    /** The machine's address on {@code network}; see {@link #address(String)}. */
    default InetAddress address(TestNetwork network) {
        return address(network.name());
    }

    /** Runs {@code command} through the remote shell with {@link RunOptions#defaults()}. */
    default ExecResult run(String command) {
        return run(command, RunOptions.defaults());
    }

    /**
     * Runs {@code command} through the remote shell ({@code sh -c}) and waits for it.
     *
     * @throws CommandTimeoutException when it outlives {@link RunOptions#timeout()}; the remote process is killed
     * @throws CommandFailedException  when its exit status contradicts {@link RunOptions#expectation()}
     */
    ExecResult run(String command, RunOptions options);

    /**
     * Runs {@code command} and requires exit status 0, the short form of
     * {@code run(command, RunOptions.expectSuccess())} for steps that must work (set-up, writing files):
     * {@code web.runOk("mkdir -p /srv/www")}.
     *
     * @return the result, whose exit code is 0
     * @throws CommandFailedException  naming the command, its exit code, stdout and stderr when it is not 0
     * @throws CommandTimeoutException when it outlives {@link RunOptions#DEFAULT_TIMEOUT}; the remote process is killed
     */
    default ExecResult runOk(String command) {
        return run(command, RunOptions.expectSuccess());
    }

    /** Starts {@code command} in the background; see {@link Job}. */
    default Job start(String command) {
        return start(command, RunOptions.defaults());
    }

    /**
     * Starts {@code command} in the background with a working dir and environment from {@code options}; the
     * timeout and expectation of {@code options} do not apply to jobs (use {@link Job#waitFor} and
     * {@link Job#passed()}).
     */
    Job start(String command, RunOptions options);

    /** Copies a local file to {@code remotePath} (parent directories must exist). */
    void upload(Path local, String remotePath);

    /** Copies {@code remotePath} to a local file, replacing it. */
    void download(String remotePath, Path local);

    /**
     * Sets a kernel parameter ({@code net.ipv4.ip_forward}) on the machine, remembering its old value so the
     * harness puts it back after the test.
     */
    void setSysctl(String key, String value);

    /** Writes {@code value} to a sysfs (or procfs) file, remembering its old content to put back after the test. */
    void writeSysfs(String path, String value);

    /**
     * Waits until a TCP port of the machine accepts connections, as seen from the test JVM.
     *
     * @throws TestbedException naming machine, port and timeout when it does not
     */
    void waitForPort(int port, Duration timeout);
}
