package io.testbed.cli;

import io.testbed.core.prefix.Prefix;
import io.testbed.core.prefix.PrefixResource;
import io.testbed.provider.docker.DockerProvider;
import io.testbed.provider.libvirt.LibvirtProvider;
import io.testbed.provider.libvirt.VmOpenSsh;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How {@code testbed ssh} reaches a machine: a VM over OpenSSH as {@code root} at its first address, with the
 * prefix's key and the host key Testbed generated and pinned for it (a known-hosts file holding only that key, so no
 * other key is accepted and nothing is added to {@code ~/.ssh}); a container through {@code docker exec}.
 */
final class MachineAccess {

    private MachineAccess() {}

    /**
     * The command line that opens a shell on {@code machine}, or runs {@code command} there.
     *
     * @param knownHosts the known-hosts file written by {@link #writeKnownHosts} (VMs only)
     * @param tty        whether standard input is a terminal (a container's shell then gets one)
     * @throws IllegalArgumentException when the machine cannot be reached this way (not running, no address, a
     *                                  provider without a shell)
     */
    static List<String> commandLine(
            EnvironmentInfo environment, PrefixResource machine, List<String> command, Path knownHosts, boolean tty) {
        checkRunning(environment, machine);
        List<String> line = new ArrayList<>();
        switch (machine.provider()) {
            case LibvirtProvider.NAME -> {
                line.add("ssh");
                line.addAll(VmOpenSsh.options(
                        Prefix.open(Path.of(environment.prefix())).keyFile(), knownHosts));
                line.add(VmOpenSsh.destination(address(environment, machine)));
                if (!command.isEmpty()) {
                    line.add("--");
                    line.add(String.join(" ", command));
                }
            }
            case DockerProvider.NAME -> {
                line.addAll(List.of("docker", "exec", "-i"));
                if (tty && command.isEmpty()) {
                    line.add("-t");
                }
                line.add(machine.providerId());
                line.add("sh");
                if (!command.isEmpty()) {
                    line.add("-c");
                    line.add(String.join(" ", command));
                }
            }
            default ->
                throw new IllegalArgumentException("machine " + machine.name() + " of " + environment.name()
                        + " belongs to provider '" + machine.provider() + "'; testbed ssh reaches "
                        + LibvirtProvider.NAME + " machines (OpenSSH) and " + DockerProvider.NAME
                        + " machines (docker exec)");
        }
        return line;
    }

    /** Whether {@code machine} needs a known-hosts file ({@link #writeKnownHosts}). */
    static boolean needsKnownHosts(PrefixResource machine) {
        return LibvirtProvider.NAME.equals(machine.provider());
    }

    /**
     * Writes a known-hosts file that accepts exactly the host key pinned for the VM {@code machine} at its address.
     *
     * @throws IllegalArgumentException when the prefix holds no host key for it
     */
    static void writeKnownHosts(EnvironmentInfo environment, PrefixResource machine, Path file) throws IOException {
        VmOpenSsh.writeKnownHosts(Path.of(environment.prefix()), machine.name(), address(environment, machine), file);
    }

    private static void checkRunning(EnvironmentInfo environment, PrefixResource machine) {
        if (!"RUNNING".equals(machine.state())) {
            throw new IllegalArgumentException("machine " + machine.name() + " of " + environment.name() + " is "
                    + machine.state() + ", not RUNNING: there is no shell to open");
        }
    }

    /** The address the provider reaches the machine at: the one on its first network. */
    private static String address(EnvironmentInfo environment, PrefixResource machine) {
        Map<String, String> addresses = machine.addresses();
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("machine " + machine.name() + " of " + environment.name()
                    + " has no address (resources.json lists none)");
        }
        return addresses.values().iterator().next();
    }
}
