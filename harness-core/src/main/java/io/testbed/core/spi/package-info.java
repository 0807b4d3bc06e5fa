/**
 * The provider SPI: what a backend (libvirt, Docker, existing SSH hosts) implements to create machines and networks
 * for the engine — {@link io.testbed.core.spi.Provider} (found with {@link java.util.ServiceLoader}), its
 * {@link io.testbed.core.spi.ProviderSession}, the resources it creates and the {@link io.testbed.core.spi.Transport}
 * that runs commands on a machine — with the plans and labels the engine hands it. Public for provider authors;
 * experimental.
 */
package io.testbed.core.spi;
