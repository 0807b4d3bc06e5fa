package io.testbed.provider.ssh;

import io.testbed.core.TestbedException;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The property values requirements see for one host: its own fields ({@code hostname}, {@code address},
 * {@code user}, {@code port}, {@code nics}), then its declared properties, then probed facts for what is not
 * declared. Facts are probed at most once per instance, and only when a requirement needs one. Not thread-safe.
 */
public final class HostAttributes implements Function<String, Optional<String>> {

    /** The properties a {@link FactProbe} can supply. */
    public static final Set<String> FACTS = Set.of("cpus", "memory", "kernel", "arch", "nics", "drivers");

    private final InventoryHost host;
    private final FactProbe probe;
    private HostFacts facts;
    private TestbedException failure;

    /** The attributes of {@code host}; {@code probe} may be null (then only declared values exist). */
    public HostAttributes(InventoryHost host, FactProbe probe) {
        this.host = host;
        this.probe = probe;
    }

    /**
     * The value of property {@code name}, or empty when the host has none.
     *
     * @throws FactsUnavailable when the value had to be probed and probing failed
     */
    @Override
    public Optional<String> apply(String name) {
        switch (name) {
            case "hostname":
                return Optional.of(host.name());
            case "address":
                return Optional.of(host.address());
            case "user":
                return Optional.of(host.user());
            case "port":
                return Optional.of(Integer.toString(host.port()));
            case "nics":
                if (!host.nics().isEmpty()) {
                    return Optional.of(Integer.toString(host.nics().size()));
                }
                break;
            default:
                String declared = host.properties().get(name);
                if (declared != null) {
                    return Optional.of(declared);
                }
        }
        if (probe == null || !FACTS.contains(name)) {
            return Optional.empty();
        }
        return Optional.ofNullable(facts().properties().get(name));
    }

    private HostFacts facts() {
        if (failure != null) {
            throw new FactsUnavailable(failure);
        }
        if (facts == null) {
            try {
                facts = probe.probe(host);
            } catch (TestbedException | IllegalArgumentException e) {
                failure = e instanceof TestbedException t ? t : new TestbedException(e.getMessage(), e);
                throw new FactsUnavailable(failure);
            }
        }
        return facts;
    }

    /** Probing the host's facts failed; the message is the probe's. */
    public static final class FactsUnavailable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        FactsUnavailable(TestbedException cause) {
            super(cause.getMessage(), cause);
        }
    }
}
