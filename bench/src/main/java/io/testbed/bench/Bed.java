package io.testbed.bench;

import io.testbed.core.Environment;
import io.testbed.core.config.TestbedConfig;
import io.testbed.core.engine.Engine;
import io.testbed.core.engine.EnvironmentHandle;
import io.testbed.core.journal.EnvironmentEvent;
import io.testbed.core.spec.EnvironmentSpec;
import io.testbed.core.spec.MachineSpec;
import io.testbed.core.spec.NetworkSpec;
import io.testbed.images.Template;
import io.testbed.images.TemplateStore;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * What every benchmark shares: the options, Testbed's configuration (prefixes under {@code <bench>/target/testbed},
 * no progress output, VMs booted cold: the targets of the cold, revert and parallel groups are defined for cold
 * boots), an engine with the providers on the class path and one that starts VMs warm (the warm group), the tiny
 * template for the bare-QEMU anchor, and the accelerator Testbed chose.
 */
final class Bed {

    /** Memory of every tiny VM the benchmarks boot, Testbed's and the anchors' alike: what the examples use. */
    static final int VM_MEMORY_MB = 128;

    final Options options;
    final Path home;
    final TestbedConfig config;
    final Engine engine;
    /** The same configuration with warm start on ({@code testbed.libvirt.warmStart}, the default for users). */
    final Engine warmEngine;

    final PrintStream out;
    /** Waits for an idle host before each measured run. */
    final QuietGate quiet;

    private TemplateStore templates;
    private Template tiny;
    private final java.util.concurrent.atomic.AtomicInteger provisionings =
            new java.util.concurrent.atomic.AtomicInteger();
    /** The host's veth links when the bench started: others' are not the bench's leaks. */
    private final Set<String> vethsAtStart = HostLeaks.veths();

    private final LeakCensus leakCensus = new LeakCensus(() -> leaks().find());

    private volatile String accelerator = "unknown";
    private volatile String acceleratorWhy = "no VM was provisioned";

    Bed(Options options, Path home, PrintStream out) {
        this.options = options;
        this.home = home;
        this.out = out;
        this.config = TestbedConfig.of(Map.of(
                TestbedConfig.PREFIX_ROOT,
                home.resolve("testbed").toString(),
                TestbedConfig.PROGRESS,
                "false",
                TestbedConfig.WARM_START,
                "false"));
        this.engine = Engine.create(config);
        this.warmEngine = Engine.create(config.with(TestbedConfig.WARM_START, "true"));
        this.quiet = new QuietGate(options.mode().equals("full") ? 90_000 : 30_000);
    }

    Path prefixRoot() {
        return config.prefixRoot();
    }

    Leaks leaks() {
        return new Leaks(prefixRoot(), config.leaseDir(), config.get(TestbedConfig.LIBVIRT_URI), vethsAtStart);
    }

    /** The leftovers found since the previous look (the first look: those of earlier runs); see {@link LeakCensus}. */
    List<String> newLeaks() {
        return leakCensus.newSinceLastLook();
    }

    /** The tiny template from the configured store (built on first use, which the timings never include). */
    synchronized Template tinyTemplate() {
        if (tiny == null) {
            String root = config.get(TestbedConfig.TEMPLATE_CACHE);
            Consumer<String> progress = line -> log("template: " + line);
            templates =
                    root.isBlank() ? TemplateStore.openDefault(progress) : TemplateStore.open(Path.of(root), progress);
            tiny = templates.resolve(TemplateStore.TINY);
        }
        return tiny;
    }

    /** How many environments this JVM has provisioned (or tried to) through {@link #provision}. */
    int provisionings() {
        return provisionings.get();
    }

    String accelerator() {
        return accelerator;
    }

    String acceleratorWhy() {
        return acceleratorWhy;
    }

    /**
     * An environment of {@code count} tiny VMs ({@code vm1}, {@code vm2}, …) of {@code memoryMb} each on one leased
     * network {@code lan}.
     */
    static EnvironmentSpec vms(String name, int count, int memoryMb) {
        List<MachineSpec> machines = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            machines.add(new MachineSpec(
                    "vm" + i, "libvirt", "", 1, memoryMb, List.of("lan"), List.of(), Set.of(), Map.of()));
        }
        return new EnvironmentSpec(name, List.of(NetworkSpec.leased("lan")), machines);
    }

    /**
     * Provisions {@code spec}, recording the journal; {@code hooks} may add event hooks to the recording before
     * provisioning starts. The caller closes the result.
     */
    Provisioned provision(EnvironmentSpec spec, Consumer<Recording> hooks) {
        return provision(engine, spec, hooks);
    }

    /** {@link #provision(EnvironmentSpec, Consumer)} with {@code engine} ({@link #engine} or {@link #warmEngine}). */
    Provisioned provision(Engine engine, EnvironmentSpec spec, Consumer<Recording> hooks) {
        Recording recording = new Recording();
        recording.onEvent(event -> {
            if (event instanceof io.testbed.core.journal.HostEvent.AcceleratorChosen chosen) {
                accelerator = chosen.accelerator().name();
                acceleratorWhy = chosen.reason();
            }
        });
        hooks.accept(recording);
        provisionings.incrementAndGet();
        long start = System.nanoTime();
        EnvironmentHandle handle = engine.provision(spec, recording);
        return new Provisioned(handle, recording, (System.nanoTime() - start) / 1e6);
    }

    void log(String line) {
        out.println("[bench] " + line);
    }

    void log(String format, Object... args) {
        log(String.format(java.util.Locale.ROOT, format, args));
    }

    /**
     * A live environment and its provisioning journal.
     *
     * @param handle      the environment's handle; close it
     * @param recording   every journal event of its provisioning (and later steps, such as reverts)
     * @param provisionMs wall time of {@code Engine.provision}
     */
    record Provisioned(EnvironmentHandle handle, Recording recording, double provisionMs) implements AutoCloseable {

        /** The environment. */
        Environment environment() {
            return handle.environment();
        }

        /** From the call to provision until the last machine answered its first command (no baseline snapshot). */
        double readyMs() {
            return Recording.millis(java.time.Duration.between(
                    recording
                            .first(EnvironmentEvent.ProvisioningStarted.class)
                            .orElseThrow()
                            .time(),
                    recording.lastReady()));
        }

        Path prefixDir() {
            return handle.environment().prefixDir();
        }

        @Override
        public void close() {
            handle.close();
        }
    }
}
