package io.testbed.provider.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import io.testbed.core.config.TestbedConfig;
import io.testbed.core.engine.Reaper;
import io.testbed.core.internal.owner.Owners;
import io.testbed.core.lease.LeaseStore;
import io.testbed.core.prefix.Prefix;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.libvirt.Connect;

/** A JVM killed with SIGKILL after provisioning leaks nothing once the reaper has run. */
class ReaperIT {

    @Test
    void reaperRemovesEverythingOfAKilledJvm() throws Exception {
        Path root = Files.createDirectories(Path.of("target/reaper-it").toAbsolutePath());
        Process child = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        KilledJvmProvisioner.class.getName(),
                        root.toString())
                .redirectErrorStream(true)
                .start();
        Path prefixDir = null;
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.startsWith("PROVISIONED ")) {
                    prefixDir = Path.of(line.substring("PROVISIONED ".length()));
                    break;
                }
            }
        } finally {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        }
        assertThat(prefixDir).as("the child provisioned its environment").isNotNull();
        Prefix prefix = Prefix.open(prefixDir);
        String shortId = prefix.shortId();
        TestbedConfig config = TestbedConfig.of(Map.of(TestbedConfig.PREFIX_ROOT, root.toString()));
        assertThat(libvirtObjects()).as("left behind by the killed JVM").anyMatch(n -> n.contains(shortId));
        assertThat(LeaseStore.fromConfiguration(config.asMap()).list())
                .anyMatch(lease -> lease.prefixId().equals(prefix.id()));

        // the objects are recorded with the libvirt they are in: only a reaper connected to it drops the entry
        assertThat(prefix.resources())
                .isNotEmpty()
                .allSatisfy(resource -> assertThat(resource.endpoint()).isEqualTo("qemu:///system"));

        List<String> reaped = Reaper.reap(config, List.of(new LibvirtProvider()));

        assertThat(reaped)
                .anyMatch(line -> line.startsWith("libvirt domain tb-" + shortId + "-vm"))
                .anyMatch(line -> line.startsWith("libvirt network tb-" + shortId + "-lan"))
                .anyMatch(line -> line.startsWith("lease "));
        assertThat(libvirtObjects()).noneMatch(n -> n.contains(shortId));
        assertThat(LeaseStore.fromConfiguration(config.asMap()).list())
                .noneMatch(lease -> lease.prefixId().equals(prefix.id()));
        assertThat(Owners.besideLeases(config.leaseDir()).lookup(shortId)).isEmpty();
        assertThat(ProcessHandle.allProcesses().map(p -> p.info().commandLine().orElse("")))
                .as("QEMU of the killed JVM's VM")
                .noneMatch(c -> c.contains("tb-" + shortId));
    }

    private static List<String> libvirtObjects() throws Exception {
        Connect connect = new Connect("qemu:///system");
        try {
            List<String> names = new ArrayList<>(LibvirtProvider.domainNames(connect));
            names.addAll(LibvirtProvider.networkNames(connect));
            return names;
        } finally {
            connect.close();
        }
    }
}
