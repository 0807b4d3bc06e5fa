package io.testbed.provider.ssh;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apiguardian.api.API;

/**
 * What a host reported about itself when probed ({@link FactProbe#COMMAND}): requirements on {@code cpus},
 * {@code memory}, {@code kernel}, {@code arch}, {@code nics} and {@code drivers} use these when the inventory does
 * not declare the property.
 *
 * @param cpus        online processors ({@code nproc})
 * @param memoryBytes {@code MemTotal} of {@code /proc/meminfo}, in bytes
 * @param kernel      kernel release ({@code uname -r})
 * @param arch        machine architecture ({@code uname -m}), e.g. {@code x86_64}
 * @param nics        the network interfaces backed by a device (not loopback, bridges, veths), by name
 */
@API(status = API.Status.INTERNAL)
public record HostFacts(int cpus, long memoryBytes, String kernel, String arch, List<Nic> nics) {

    public HostFacts {
        Objects.requireNonNull(kernel, "kernel");
        Objects.requireNonNull(arch, "arch");
        nics = List.copyOf(nics);
        if (cpus < 1) {
            throw new IllegalArgumentException("cpus must be at least 1, was " + cpus);
        }
        if (memoryBytes < 1) {
            throw new IllegalArgumentException("memoryBytes must be positive, was " + memoryBytes);
        }
    }

    /**
     * A device-backed network interface.
     *
     * @param name   interface name, e.g. {@code enp3s0}
     * @param driver kernel driver, e.g. {@code ixgbe}, {@code virtio_net}
     */
    public record Nic(String name, String driver) {
        public Nic {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(driver, "driver");
        }
    }

    /**
     * Parses the output of {@link FactProbe#COMMAND}.
     *
     * @throws IllegalArgumentException naming the missing or malformed part and quoting what was read
     */
    public static HostFacts parse(String output) {
        return FactParser.parse(output);
    }

    /**
     * The facts as property values, as requirements read them: {@code cpus}, {@code memory} (in bytes, with unit),
     * {@code kernel}, {@code arch}, {@code nics} (count) and {@code drivers} (distinct drivers, sorted, space
     * separated).
     */
    public Map<String, String> properties() {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("cpus", Integer.toString(cpus));
        properties.put("memory", memoryBytes + " B");
        properties.put("kernel", kernel);
        properties.put("arch", arch);
        properties.put("nics", Integer.toString(nics.size()));
        properties.put(
                "drivers",
                nics.stream().map(Nic::driver).collect(Collectors.toCollection(TreeSet::new)).stream()
                        .collect(Collectors.joining(" ")));
        return properties;
    }
}
