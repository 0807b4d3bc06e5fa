package io.testbed.reliability;

import io.testbed.core.Machine;
import io.testbed.junit.DockerHost;
import io.testbed.junit.Host;
import io.testbed.junit.Network;
import io.testbed.junit.Prefix;
import org.junit.jupiter.api.Test;

/**
 * The real test class {@link DeadDaemonsIT} runs in a JVM whose {@code DOCKER_HOST} is a private Docker daemon: a
 * container on a network; its test runs a command, lets the IT kill the daemon, then runs another. Not an {@code
 * *IT}: Failsafe must not run it on its own.
 */
@Prefix(name = "dockerd-victim")
@Network(name = "lan")
@DockerHost(name = "box", networks = "lan")
class DockerdVictim {

    /** The machine names, for the census of what they leave. */
    static final java.util.Set<String> MACHINES = java.util.Set.of("box");

    @Test
    void runsACommandAfterItsDockerDaemonDied(@Host("box") Machine box) throws InterruptedException {
        box.runOk("echo before > /root/marker");
        Handshake.ofThisRun().reachedThenWait(); // the IT kills the daemon now
        box.runOk("cat /root/marker");
    }
}
