package io.testbed.junit.local;

import io.testbed.core.Machine;
import io.testbed.core.TestbedException;
import io.testbed.core.journal.Journal;
import io.testbed.core.machine.TransportMachine;
import io.testbed.core.machine.TransportMachineBuilder;
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
import java.util.List;

/**
 * A local machine as the engine drives it: a chroot directory reached through a {@link LocalTransport} and the
 * core's {@link TransportMachine}, its snapshots (copies of the root) and its console log.
 */
final class LocalMachineResource implements MachineResource {

    private final Prefix prefix;
    private final MachinePlan plan;
    private final Path machineDir;
    private final Path root;
    private final Path console;
    private final String liveId;
    private final LocalTransport transport;
    private final Journal journal;
    private TransportMachine machine;

    LocalMachineResource(Prefix prefix, MachinePlan plan, Journal journal) {
        this.prefix = prefix;
        this.journal = journal;
        this.plan = plan;
        this.machineDir = prefix.disksDir().resolve(plan.name());
        this.root = machineDir.resolve("root");
        this.console = prefix.logsDir().resolve(plan.name() + ".log");
        this.liveId = prefix.dir().getFileName() + " machine " + plan.name();
        LocalTransport.prepare(machineDir, plan.name());
        try {
            for (DiskSpec disk : plan.spec().disks()) {
                try (RandomAccessFile file =
                        new RandomAccessFile(root.resolve("dev/" + disk.name()).toFile(), "rw")) {
                    file.setLength(disk.sizeMb() * 1024L * 1024L);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.transport = new LocalTransport(
                plan.name(), machineDir, prefix.dir().getFileName().toString());
        LocalRecorder.created(liveId);
    }

    private void console(String line) {
        try {
            Files.writeString(
                    console,
                    "[" + plan.name() + "] " + line + "\n",
                    StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
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
        transport.awaitReady(timeout);
        TransportMachineBuilder builder = TransportMachine.builder(plan.name(), transport)
                .roles(plan.spec().roles())
                .properties(plan.spec().properties())
                // a local machine's ports are this host's ports
                .probeAddress(InetAddress.getLoopbackAddress())
                .journal(journal);
        for (NicPlan nic : plan.nics()) {
            builder.address(nic.network(), nic.address());
        }
        machine = builder.build();
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
        for (String part : List.of("root", "proc-sys", "sys")) {
            LocalFiles.copyTree(machineDir.resolve(part), target.resolve(part));
        }
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
        transport.killAllProcesses();
        for (String part : List.of("root", "proc-sys", "sys")) {
            LocalFiles.deleteTree(machineDir.resolve(part));
            LocalFiles.copyTree(source.resolve(part), machineDir.resolve(part));
        }
        transport.dropConnection();
    }

    @Override
    public void stop() {
        LocalRecorder.record(prefix.dir(), "machine " + plan.name() + " stop");
        transport.killAllProcesses();
        console("stopped");
    }

    @Override
    public void destroy() {
        LocalRecorder.record(prefix.dir(), "machine " + plan.name() + " destroy");
        if (machine != null) {
            machine.close();
        } else {
            transport.close();
        }
        transport.killAllProcesses();
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
