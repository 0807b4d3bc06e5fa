package io.testbed.junit.local;

import io.testbed.core.Machine;
import io.testbed.core.TestbedException;
import io.testbed.core.prefix.Prefix;
import io.testbed.core.spec.DiskSpec;
import io.testbed.core.spi.MachinePlan;
import io.testbed.core.spi.MachineResource;
import io.testbed.core.spi.NicPlan;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A local machine as the engine drives it: a directory tree, its snapshots, its console log. */
final class LocalMachineResource implements MachineResource {

    private final Prefix prefix;
    private final MachinePlan plan;
    private final Path machineDir;
    private final Path root;
    private final Path console;
    private final String liveId;
    private LocalMachine machine;

    LocalMachineResource(Prefix prefix, MachinePlan plan) {
        this.prefix = prefix;
        this.plan = plan;
        this.machineDir = prefix.disksDir().resolve(plan.name());
        this.root = machineDir.resolve("root");
        this.console = prefix.logsDir().resolve(plan.name() + ".log");
        this.liveId = prefix.dir().getFileName() + " machine " + plan.name();
        try {
            Files.createDirectories(root.resolve("bin"));
            Files.createDirectories(root.resolve("etc"));
            Files.createDirectories(root.resolve("dev"));
            Files.writeString(root.resolve("etc/hostname"), plan.name() + "\n");
            Path busybox = java.util.stream.Stream.of("/usr/bin/busybox", "/bin/busybox").map(Path::of)
                    .filter(Files::isExecutable).findFirst().orElse(null);
            if (busybox != null) {
                // a userland like the tiny template's: busybox applets
                Files.createSymbolicLink(root.resolve("bin/ping"), busybox);
            }
            for (DiskSpec disk : plan.spec().disks()) {
                try (RandomAccessFile file = new RandomAccessFile(root.resolve("dev/" + disk.name()).toFile(), "rw")) {
                    file.setLength(disk.sizeMb() * 1024L * 1024L);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        LocalRecorder.created(liveId);
    }

    private void console(String line) {
        try {
            Files.writeString(console, "[" + plan.name() + "] " + line + "\n", StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void failIf(String phase) {
        if (phase.equals(plan.spec().properties().get("local.fail"))) {
            console("injected failure during " + phase);
            throw new TestbedException("injected failure: machine " + plan.name() + " fails during " + phase);
        }
    }

    @Override
    public String providerId() {
        return plan.objectName();
    }

    @Override
    public void start() {
        LocalRecorder.record(prefix.dir(), "machine " + plan.name() + " start");
        console("booting " + plan.objectName());
        failIf("start");
    }

    @Override
    public Machine awaitReady(Duration timeout) {
        failIf("ready");
        Map<String, InetAddress> addresses = new LinkedHashMap<>();
        for (NicPlan nic : plan.nics()) {
            addresses.put(nic.network(), nic.address());
        }
        machine = new LocalMachine(plan.name(), plan.spec().roles(), plan.spec().properties(), root, addresses,
                prefix.logsDir().resolve("commands.log"), prefix.dir().getFileName().toString());
        machine.run("true", io.testbed.core.RunOptions.expectSuccess());
        console("ready");
        LocalRecorder.record(prefix.dir(), "machine " + plan.name() + " ready");
        return machine;
    }

    @Override
    public void snapshot(String name) {
        LocalRecorder.record(prefix.dir(), "machine " + plan.name() + " snapshot " + name);
        failIf("snapshot");
        Path target = machineDir.resolve("snapshots").resolve(name);
        LocalFiles.deleteTree(target);
        LocalFiles.copyTree(root, target);
    }

    @Override
    public void revert(String name) {
        LocalRecorder.record(prefix.dir(), "machine " + plan.name() + " revert " + name);
        failIf("revert");
        Path source = machineDir.resolve("snapshots").resolve(name);
        if (!Files.isDirectory(source)) {
            throw new TestbedException("machine " + plan.name() + " has no snapshot " + name);
        }
        // processes started after the snapshot do not exist in it
        machine.killAllJobs();
        LocalFiles.deleteTree(root);
        LocalFiles.copyTree(source, root);
    }

    @Override
    public void stop() {
        LocalRecorder.record(prefix.dir(), "machine " + plan.name() + " stop");
        if (machine != null) {
            machine.killAllJobs();
        }
        console("stopped");
    }

    @Override
    public void destroy() {
        LocalRecorder.record(prefix.dir(), "machine " + plan.name() + " destroy");
        if (machine != null) {
            machine.killAllJobs();
        }
        LocalFiles.deleteTree(machineDir);
        LocalRecorder.destroyed(liveId);
    }

    @Override
    public String consoleTail(int lines) {
        try {
            List<String> all = Files.readAllLines(console);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "";
        }
    }
}
