package io.testbed.reliability;

import io.testbed.core.Machine;
import io.testbed.junit.DockerHost;
import io.testbed.junit.Host;
import io.testbed.junit.Network;
import io.testbed.junit.Prefix;
import org.junit.jupiter.api.Test;

/**
 * The light environment {@link ContentionIT} provisions from eight JVMs at once: one leased network and one
 * container. Not an {@code *IT}: Failsafe must not run it on its own.
 */
@Prefix(name = "light")
@Network(name = "lan")
@DockerHost(name = "box", networks = "lan")
class LightVictim {

    @Test
    void theContainerAnswersOnItsLeasedNetwork(@Host("box") Machine box) {
        box.runOk("ip -4 -o addr show dev eth0");
    }
}
