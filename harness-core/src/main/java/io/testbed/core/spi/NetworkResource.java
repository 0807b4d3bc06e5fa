package io.testbed.core.spi;

import io.testbed.core.TestNetwork;
import org.apiguardian.api.API;

/** A network a provider created. */
@API(status = API.Status.EXPERIMENTAL)
public interface NetworkResource {

    /** The provider's id of the object (libvirt network name, Docker network id). */
    String providerId();

    /** The network as tests see it. */
    TestNetwork network();

    /** Removes the network. Idempotent; must not throw when it is already gone. */
    void destroy();
}
