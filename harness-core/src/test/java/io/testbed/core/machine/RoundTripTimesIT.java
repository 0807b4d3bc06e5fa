package io.testbed.core.machine;

import static org.assertj.core.api.Assertions.assertThat;

import io.testbed.core.RunOptions;
import io.testbed.core.spi.Transport;
import io.testbed.core.ssh.SshTransport;
import io.testbed.core.ssh.TestSshd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.schmizz.sshj.DefaultConfig;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.connection.channel.direct.Session;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prints how long {@code true} takes on the test sshd, 50 runs each way: on the persistent connection (raw sshj,
 * the transport, the machine with its wrapper), on a new connection per command, and with the OpenSSH client.
 * Only prints; no timed assertions.
 */
class RoundTripTimesIT {

    private static final int RUNS = 50;
    private static final int WARM_UP = 5;
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    interface Action {
        void run() throws Exception;
    }

    @Test
    void printsExecRoundTripTimes() throws Exception {
        try (TestSshd sshd = TestSshd.authorize(dir.resolve("keys"))) {
            StringBuilder report = new StringBuilder(String.format(
                    "%nExec round trip of 'true' on %s@%s:%d, %d runs (ms): median  p90  min  max%n",
                    sshd.user, sshd.host, sshd.port, RUNS));

            try (SshTransport transport = sshd.transport().build()) {
                transport.awaitReady(WAIT);
                for (boolean noDelay : new boolean[] {false, true}) {
                    SSHClient raw = rawClient(sshd, noDelay);
                    try {
                        report.append(line("raw sshj session.exec, persistent" + (noDelay ? ", TCP_NODELAY" : ""),
                                () -> {
                                    try (Session session = raw.startSession()) {
                                        Session.Command cmd = session.exec("true");
                                        cmd.getOutputStream().close();
                                        cmd.getInputStream().readAllBytes();
                                        cmd.join(30, TimeUnit.SECONDS);
                                        assertThat(cmd.getExitStatus()).isZero();
                                    }
                                }));
                    } finally {
                        raw.disconnect();
                    }
                }
                report.append(line("SshTransport.exec, persistent", () -> {
                    Transport.Outcome outcome = transport.run("true", null, WAIT);
                    assertThat(outcome.exitStatus()).isZero();
                }));
                TransportMachine machine = TransportMachine.builder("rtt", transport).build();
                report.append(line("TransportMachine.run (wrapped), persistent", () ->
                        machine.run("true", RunOptions.expectSuccess())));
            }

            report.append(line("SshTransport, new connection per command", () -> {
                try (SshTransport fresh = sshd.transport().build()) {
                    assertThat(fresh.run("true", null, WAIT).exitStatus()).isZero();
                }
            }));

            Path knownHosts = dir.resolve("known_hosts");
            Files.writeString(knownHosts, "[" + sshd.host + "]:" + sshd.port + " "
                    + Files.readString(sshd.hostKeyFile).strip() + "\n");
            List<String> ssh = List.of("ssh", "-p", String.valueOf(sshd.port), "-i", sshd.key.privateKey().toString(),
                    "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes", "-o",
                    "UserKnownHostsFile=" + knownHosts, "-o", "IdentitiesOnly=yes", "-o", "LogLevel=ERROR",
                    sshd.user + "@" + sshd.host, "true");
            report.append(line("OpenSSH client 'ssh -p " + sshd.port + " … true'", () -> {
                Process process = new ProcessBuilder(ssh).redirectErrorStream(true).start();
                byte[] output = process.getInputStream().readAllBytes();
                assertThat(process.waitFor()).as(new String(output)).isZero();
            }));
            System.out.println(report);
        }
    }

    private static SSHClient rawClient(TestSshd sshd, boolean noDelay) throws Exception {
        SSHClient client = new SSHClient(new DefaultConfig());
        if (noDelay) {
            client.setSocketFactory(new javax.net.SocketFactory() {
                @Override
                public java.net.Socket createSocket() throws java.io.IOException {
                    java.net.Socket socket = new java.net.Socket();
                    socket.setTcpNoDelay(true);
                    return socket;
                }

                @Override
                public java.net.Socket createSocket(String h, int p) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public java.net.Socket createSocket(String h, int p, java.net.InetAddress l, int lp) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public java.net.Socket createSocket(java.net.InetAddress h, int p) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public java.net.Socket createSocket(java.net.InetAddress h, int p, java.net.InetAddress l, int lp) {
                    throw new UnsupportedOperationException();
                }
            });
        }
        String pinned = io.testbed.core.ssh.PinnedHostKey.read(sshd.hostKeyFile).fingerprint();
        client.addHostKeyVerifier(new net.schmizz.sshj.transport.verification.HostKeyVerifier() {
            @Override
            public boolean verify(String hostname, int port, java.security.PublicKey key) {
                return io.testbed.core.ssh.PinnedHostKey.fingerprint(key).equals(pinned);
            }

            @Override
            public List<String> findExistingAlgorithms(String hostname, int port) {
                return List.of("ssh-ed25519");
            }
        });
        client.connect(sshd.host, sshd.port);
        client.authPublickey(sshd.user, client.loadKeys(sshd.key.privateKey().toString()));
        return client;
    }

    private static String line(String label, Action action) throws Exception {
        for (int i = 0; i < WARM_UP; i++) {
            action.run();
        }
        double[] millis = new double[RUNS];
        for (int i = 0; i < RUNS; i++) {
            long start = System.nanoTime();
            action.run();
            millis[i] = (System.nanoTime() - start) / 1e6;
        }
        Arrays.sort(millis);
        return String.format("  %-46s %7.2f %6.2f %6.2f %6.2f%n", label, millis[RUNS / 2],
                millis[(int) (RUNS * 0.9)], millis[0], millis[RUNS - 1]);
    }
}
