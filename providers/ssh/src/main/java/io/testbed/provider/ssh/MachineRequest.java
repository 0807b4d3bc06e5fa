package io.testbed.provider.ssh;

import io.testbed.core.spec.Problems;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.apiguardian.api.API;

/**
 * A machine a test asks for, by what it needs rather than by name (LNST's {@code HostReq}).
 *
 * @param name         the machine's name in the test (a DNS label), e.g. {@code web}
 * @param requirements every requirement a host must meet, checked in this order (the first failed one is reported)
 * @param roles        roles the host must have (all of them)
 * @param networks     one entry per NIC the machine needs, by the test's network label: machines that list the same
 *                     label get hosts with NICs on one inventory network; different labels get different inventory
 *                     networks; a label listed twice needs two NICs on that network
 */
@API(status = API.Status.INTERNAL)
public record MachineRequest(String name, List<Requirement> requirements, Set<String> roles, List<String> networks) {

    public MachineRequest {
        Objects.requireNonNull(name, "name");
        requirements = List.copyOf(requirements);
        roles = Set.copyOf(roles);
        networks = List.copyOf(networks);
        if (!Problems.NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("machine request name " + Problems.NAME_RULE + ", was '" + name + "'");
        }
        for (String role : roles) {
            if (!Problems.NAME.matcher(role).matches()) {
                throw new IllegalArgumentException("machine '" + name + "': role '" + role + "' " + Problems.NAME_RULE);
            }
        }
        for (String network : networks) {
            if (network.isBlank()) {
                throw new IllegalArgumentException("machine '" + name + "': network labels must not be blank");
            }
        }
    }

    /**
     * A request with requirements still to be parsed.
     *
     * @throws IllegalArgumentException naming the machine and every malformed requirement, one per line
     */
    public static MachineRequest parse(
            String name, List<String> requirements, Set<String> roles, List<String> networks) {
        List<Requirement> parsed = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (String text : requirements) {
            try {
                parsed.add(Requirement.parse(text));
            } catch (IllegalArgumentException e) {
                problems.add("machine '" + name + "': " + e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join(System.lineSeparator(), problems));
        }
        return new MachineRequest(name, parsed, roles, networks);
    }

    /** A request with only requirements. */
    public static MachineRequest of(String name, String... requirements) {
        return parse(name, List.of(requirements), Set.of(), List.of());
    }

    /** This request with the roles {@code required} as well. */
    public MachineRequest withRoles(String... required) {
        Set<String> all = new TreeSet<>(roles);
        all.addAll(List.of(required));
        return new MachineRequest(name, requirements, all, networks);
    }

    /** This request with NICs on the networks {@code labels} as well. */
    public MachineRequest withNetworks(String... labels) {
        List<String> all = new ArrayList<>(networks);
        all.addAll(List.of(labels));
        return new MachineRequest(name, requirements, roles, all);
    }

    /** What it asks for, for messages: {@code memory >= 4 GiB; roles db; networks lan}. */
    public String describe() {
        List<String> parts = new ArrayList<>();
        requirements.forEach(requirement -> parts.add(requirement.toString()));
        if (!roles.isEmpty()) {
            parts.add("roles " + String.join(", ", new TreeSet<>(roles)));
        }
        if (!networks.isEmpty()) {
            parts.add("networks " + String.join(", ", networks));
        }
        return parts.isEmpty() ? "any host" : String.join("; ", parts);
    }
}
