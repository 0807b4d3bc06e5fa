package io.testbed.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.testbed.core.internal.owner.Owners;
import io.testbed.core.prefix.Prefix;
import io.testbed.core.spi.Owner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code testbed destroy} on a host without nftables (the built command in a JVM of its own whose {@code PATH} has
 * no {@code nft}): an environment whose owner died goes without a word about nftables tables — there can be none.
 */
class DestroyWithoutNftIT {

    @TempDir
    Path temp;

    @Test
    void destroyOnAHostWithoutNftSaysNothingAboutTables() throws Exception {
        Path noNft = Files.createDirectories(temp.resolve("bin"));
        Path leases = temp.resolve("leases");
        Prefix prefix = Prefix.create(temp.resolve("prefixes"), "gone");
        Process dead = new ProcessBuilder("true").start();
        dead.waitFor();
        Owners.besideLeases(leases).register(new Owner(prefix.id(), prefix.dir().toString(), dead.pid()));

        Cli.Run destroy = Cli.run(
                Map.of("PATH", noNft + ":/usr/local/bin:/usr/bin:/bin"),
                "destroy",
                "gone",
                "-D",
                "testbed.lease.dir=" + leases);

        assertThat(destroy.status()).as(destroy.toString()).isZero();
        assertThat(destroy.out() + destroy.err())
                .as(destroy.toString())
                .doesNotContain("nftables")
                .doesNotContain("not removed")
                .doesNotContain("nft");
        assertThat(Owners.besideLeases(leases).lookup(prefix.shortId())).isEmpty();
    }
}
