package io.testbed.core.spec;

/**
 * Typed settings that only one provider understands, carried by a {@link MachineSpec} next to the settings every
 * provider shares (such as {@link ContainerOptions} for the {@code docker} provider). They are not machine
 * properties: nothing in them shows in {@code Machine.properties()}.
 *
 * <p>Implementations are immutable records validated in their constructor. A machine whose provider is not
 * {@link #provider()} must not carry them ({@link MachineSpec} reports that as a problem).
 */
public interface ProviderOptions {

    /** The name of the provider that reads these options, e.g. {@code docker}; empty for {@link #none()}. */
    String provider();

    /** No provider-specific settings; valid for every provider. */
    static ProviderOptions none() {
        return NoProviderOptions.INSTANCE;
    }

    /** The options of a machine that declares none. */
    enum NoProviderOptions implements ProviderOptions {
        /** The only value. */
        INSTANCE;

        @Override
        public String provider() {
            return "";
        }
    }
}
