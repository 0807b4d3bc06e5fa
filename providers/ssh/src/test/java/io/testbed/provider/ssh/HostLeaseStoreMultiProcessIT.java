package io.testbed.provider.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.testbed.core.lease.LeaseException;
import io.testbed.core.prefix.Prefix;
import io.testbed.core.spi.Owner;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real second JVM holds a host: this JVM waits for it and fails naming that JVM; once the holder is killed
 * (SIGKILL, no chance to release), a waiting acquisition reclaims the stale lease and gets the host.
 */
class HostLeaseStoreMultiProcessIT {

    @TempDir
    Path temp;

    @Test
    void aHostHeldByAnotherJvmIsWaitedForAndReclaimedWhenThatJvmIsKilled() throws Exception {
        Path storeDir = temp.resolve("host-leases");
        HostLeaseStore store = new HostLeaseStore(storeDir);
        Process holder = launch(storeDir, "lab-1", "lab-2");
        try {
            BufferedReader out =
                    new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            assertThat(line).as("holder output").startsWith("HELD ");
            String holderPrefix = line.substring(5);
            assertThat(store.list())
                    .extracting(HostLease::host, HostLease::pid, HostLease::prefixId)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple("lab-1", holder.pid(), holderPrefix),
                            org.assertj.core.groups.Tuple.tuple("lab-2", holder.pid(), holderPrefix));

            Prefix mine = Prefix.create(temp.resolve("prefixes"), "mine");
            Owner me = new Owner(
                    mine.id(), mine.dir().toString(), ProcessHandle.current().pid());
            assertThat(store.acquire(me, List.of("lab-3"), Duration.ZERO))
                    .extracting(HostLease::host)
                    .containsExactly("lab-3");
            assertThatThrownBy(() -> store.acquire(me, List.of("lab-2", "lab-4"), Duration.ofMillis(300)))
                    .isInstanceOf(LeaseException.class)
                    .hasMessageStartingWith("Timed out after 300 ms waiting for hosts lab-2, lab-4: the hosts it needs "
                            + "are leased by other test runs:" + System.lineSeparator() + "  - lab-2 held by prefix ")
                    .hasMessageContaining("(id " + holderPrefix + "), pid " + holder.pid() + ", since ")
                    .hasMessageNotContaining("lab-1 held");
            assertThat(store.list())
                    .extracting(HostLease::host)
                    .as("nothing half-leased")
                    .containsExactly("lab-1", "lab-2", "lab-3");

            CompletableFuture<List<HostLease>> waiting = CompletableFuture.supplyAsync(
                    () -> store.acquire(me, List.of("lab-1", "lab-2"), Duration.ofSeconds(60)));
            Thread.sleep(300);
            assertThat(waiting).as("still waiting while the holder lives").isNotDone();
            holder.destroyForcibly();
            assertThat(holder.waitFor(30, TimeUnit.SECONDS)).isTrue();
            List<HostLease> got = waiting.get(60, TimeUnit.SECONDS);
            assertThat(got).extracting(HostLease::host).containsExactly("lab-1", "lab-2");
            assertThat(store.list())
                    .allSatisfy(lease -> assertThat(lease.prefixId()).isEqualTo(mine.id()));
        } finally {
            holder.destroyForcibly();
        }
    }

    private Process launch(Path storeDir, String... hosts) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new java.util.ArrayList<>(List.of(
                java,
                "-XX:TieredStopAtLevel=1",
                "-Xmx64m",
                "-cp",
                classpath,
                HostLeaseHolder.class.getName(),
                storeDir.toString(),
                temp.resolve("prefixes").toString()));
        command.addAll(List.of(hosts));
        return new ProcessBuilder(command)
                .redirectError(temp.resolve("holder.err").toFile())
                .start();
    }
}
