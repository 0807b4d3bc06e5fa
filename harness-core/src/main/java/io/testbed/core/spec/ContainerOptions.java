package io.testbed.core.spec;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a container machine (provider {@value #PROVIDER}) declares beyond the shared machine settings; the
 * annotation {@code @DockerHost} maps its {@code env}, {@code command} and {@code capabilities} here.
 *
 * <p>Validated on construction: environment variable names must be shell names, a command must not be blank,
 * capability names are upper-cased and lose a {@code CAP_} prefix. Whether a capability exists is the provider's
 * check (it knows its engine's list). Environment values are visible to anyone who can inspect the container: not
 * for secrets.
 *
 * @param env                  the container's environment variables, in declaration order
 * @param command              the main process, run by {@code /bin/sh -c}, instead of the provider's keep-alive
 *                             process; it must keep running for the machine to stay usable
 * @param addedCapabilities    Linux capabilities to add (names without {@code CAP_}, upper case)
 * @param droppedCapabilities  Linux capabilities to drop (names without {@code CAP_}, upper case)
 * @throws InvalidSpecException naming the attribute ({@code env}, {@code command}) and the rule broken
 */
public record ContainerOptions(
        Map<String, String> env,
        Optional<String> command,
        Set<String> addedCapabilities,
        Set<String> droppedCapabilities)
        implements ProviderOptions {

    /** The provider these options are for. */
    public static final String PROVIDER = "docker";
    /** The element named in problems. */
    public static final String ELEMENT = "container options";

    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    public ContainerOptions {
        Problems problems = new Problems();
        env = Collections.unmodifiableMap(new LinkedHashMap<>(env));
        for (String name : env.keySet()) {
            if (name == null || !ENV_NAME.matcher(name).matches()) {
                problems.add(
                        ELEMENT, "env", "variable name " + Problems.quote(name) + " must match [A-Za-z_][A-Za-z0-9_]*");
            }
            if (env.get(name) == null) {
                problems.add(ELEMENT, "env", "variable " + Problems.quote(name) + " must have a value (may be empty)");
            }
        }
        command = command == null ? Optional.empty() : command;
        if (command.isPresent() && command.get().isBlank()) {
            problems.add(
                    ELEMENT,
                    "command",
                    "must not be blank; leave it out to keep the container alive with "
                            + "Testbed's default main process");
        }
        addedCapabilities = capabilityNames(addedCapabilities);
        droppedCapabilities = capabilityNames(droppedCapabilities);
        problems.throwIfAny();
    }

    /** No environment, the provider's default main process, no capabilities added or dropped. */
    public static ContainerOptions defaults() {
        return new ContainerOptions(Map.of(), Optional.empty(), Set.of(), Set.of());
    }

    @Override
    public String provider() {
        return PROVIDER;
    }

    /** A copy with the environment variable {@code name=value} added (replacing one of the same name). */
    public ContainerOptions withEnv(String name, String value) {
        Map<String, String> copy = new LinkedHashMap<>(env);
        copy.put(name, value);
        return new ContainerOptions(copy, command, addedCapabilities, droppedCapabilities);
    }

    /** A copy whose main process is {@code /bin/sh -c command}. */
    public ContainerOptions withCommand(String command) {
        return new ContainerOptions(env, Optional.of(command), addedCapabilities, droppedCapabilities);
    }

    /** A copy with these capabilities added too. */
    public ContainerOptions withAddedCapabilities(Set<String> names) {
        Set<String> copy = new LinkedHashSet<>(addedCapabilities);
        copy.addAll(names);
        return new ContainerOptions(env, command, copy, droppedCapabilities);
    }

    /** A copy with these capabilities dropped too. */
    public ContainerOptions withDroppedCapabilities(Set<String> names) {
        Set<String> copy = new LinkedHashSet<>(droppedCapabilities);
        copy.addAll(names);
        return new ContainerOptions(env, command, addedCapabilities, copy);
    }

    private static Set<String> capabilityNames(Set<String> names) {
        Set<String> normalized = new LinkedHashSet<>();
        for (String raw : names) {
            String name = raw.strip().toUpperCase(Locale.ROOT);
            if (name.startsWith("CAP_")) {
                name = name.substring(4);
            }
            if (!name.isEmpty()) {
                normalized.add(name);
            }
        }
        return Collections.unmodifiableSet(normalized);
    }
}
