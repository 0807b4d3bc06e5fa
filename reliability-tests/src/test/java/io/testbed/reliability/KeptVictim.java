package io.testbed.reliability;

import io.testbed.core.Machine;
import io.testbed.junit.DockerHost;
import io.testbed.junit.Host;
import io.testbed.junit.Keep;
import io.testbed.junit.Network;
import io.testbed.junit.Prefix;
import org.junit.jupiter.api.Test;

/**
 * A passing class whose environment is kept ({@link Keep#ALWAYS}), run in a JVM of its own by
 * {@link KeptEnvironmentIT}. Not an {@code *IT}: Failsafe must not run it on its own.
 */
@Prefix(name = "kept", keep = Keep.ALWAYS)
@Network(name = "lan")
@DockerHost(name = "box", networks = "lan")
class KeptVictim {

    @Test
    void leavesSomethingToLookAt(@Host("box") Machine box) {
        box.runOk("echo 'look at me' > /root/note");
    }
}
