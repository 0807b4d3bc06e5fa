package io.testbed.reports.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A machine of an environment, as planned and as it went.
 *
 * @param provider    {@code libvirt} (a VM), {@code docker} (a container), {@code ssh} (an existing host)
 * @param image       the template or image it was made from
 * @param accelerator KVM or TCG for a VM whose provider said so, else null
 * @param addresses   network name → address
 * @param boot        from the start of its boot until it answered a command; null if it never did
 * @param readyWait   the part of {@code boot} spent waiting for the first answer
 * @param reverts     every revert's duration, in order
 * @param consoleLog  its serial console log in the prefix, or null
 * @param commands    how many commands ran on it
 * @param start       how it started: {@code warm (…)} or {@code cold (…)} with the journaled reason, {@code leased
 *                    host …} for an existing host; null when the journal does not say
 */
public record MachineModel(
        String name,
        String provider,
        String image,
        Set<String> roles,
        Map<String, String> addresses,
        String accelerator,
        Duration boot,
        Duration readyWait,
        List<Duration> reverts,
        Path consoleLog,
        int commands,
        String start) {

    public MachineModel {
        roles = Set.copyOf(roles);
        addresses = Map.copyOf(addresses);
        reverts = List.copyOf(reverts);
    }

    /** Whether it is a container rather than a VM or a host. */
    public boolean isContainer() {
        return "docker".equals(provider);
    }

    /** What kind of machine it is, in words. */
    public String kind() {
        if (provider == null) {
            return "machine"; // the journal ends before its plan
        }
        return switch (provider) {
            case "libvirt" -> "VM";
            case "docker" -> "container";
            case "ssh" -> "SSH host";
            default -> provider;
        };
    }
}
