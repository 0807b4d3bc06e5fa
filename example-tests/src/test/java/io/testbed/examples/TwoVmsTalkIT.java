package io.testbed.examples;

import static io.testbed.junit.TestbedAssertions.assertThat;

import io.testbed.core.Machine;
import io.testbed.core.TestNetwork;
import io.testbed.junit.Host;
import io.testbed.junit.Network;
import io.testbed.junit.VM;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Two VMs talking over a leased network — the smallest useful environment.
 *
 * <p>Shows:
 * <ul>
 *   <li>declaring a network and two machines on it with {@link Network @Network} and {@link VM @VM}: the network
 *       gets a free /24 from the host-wide lease pool (198.18.0.0/15), the machines stable addresses in
 *       declaration order and their names in the network's DNS;</li>
 *   <li>injecting machines by name with {@link Host @Host} and the network by type ({@link TestNetwork}, as the
 *       environment has only one);</li>
 *   <li>ping by address ({@code assertThat(client).canReach(server, lan)}) and by name;</li>
 *   <li>a TCP service on one machine (busybox {@code httpd}, started as a background job) reached from the other
 *       and, with {@link Machine#waitForPort}, from the test JVM;</li>
 *   <li>the default lifecycle: one environment for the class, provisioned before its first test, reverted to its
 *       baseline snapshot after every test (the web server job is killed first), torn down after the class.</li>
 * </ul>
 * The tiny template (busybox, dropbear) with 128 MiB; its machines start from the template's warm image (README,
 * "Warm start").
 */
@Network(name = "lan")
@VM(name = "server", memoryMb = 128, networks = "lan")
@VM(name = "client", memoryMb = 128, networks = "lan")
class TwoVmsTalkIT {

    @Test
    void machinesPingEachOtherByAddress(
            @Host("server") Machine server, @Host("client") Machine client, TestNetwork lan) {
        assertThat(client).canReach(server, lan);
        assertThat(server).canReach(client, lan);
    }

    @Test
    void machinesFindEachOtherByName(@Host("server") Machine server, @Host("client") Machine client, TestNetwork lan) {
        // the network's DNS server (the host side, .1) knows every machine by name
        assertThat(client.run("ping -c 1 -W 2 server"))
                .succeeded()
                .stdoutContains(server.address(lan).getHostAddress());
        assertThat(server.run("ping -c 1 -W 2 client"))
                .succeeded()
                .stdoutContains(client.address(lan).getHostAddress());
    }

    @Test
    void aWebServerOnOneMachineAnswersTheOther(@Host("server") Machine server, @Host("client") Machine client) {
        server.runOk("mkdir -p /srv/www && echo 'hello from server' > /srv/www/index.html");
        server.start("httpd -f -p 8080 -h /srv/www"); // -f: stay in the foreground, a job the harness can kill
        server.waitForPort(8080, Duration.ofSeconds(30));

        assertThat(client.run("wget -q -O - http://server:8080/")).succeeded().hasStdout("hello from server");
    }
}
