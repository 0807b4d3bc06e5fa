package io.testbed.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.testbed.core.prefix.Prefix;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvironmentResolverTest {

    private static final Path HERE = Path.of("/work/project");

    private final EnvironmentInfo web =
            Environments.of("web", "3f2a9c1e-1111-2222-3333-444455556666", "/work/project/target/testbed/web-3f2a9c1e");
    private final EnvironmentInfo webAgain =
            Environments.of("web", "3f77aa00-1111-2222-3333-444455556666", "/work/other/target/testbed/web-3f77aa00");
    private final EnvironmentInfo db =
            Environments.of("db", "9b0c0d0e-1111-2222-3333-444455556666", "/work/project/target/testbed/db-9b0c0d0e");
    private final List<EnvironmentInfo> host = List.of(web, webAgain, db);

    @Test
    void aUniqueNameAPrefixDirectoryItsNameOrTheBeginningOfAnIdNameOneEnvironment() {
        assertThat(EnvironmentResolver.resolve("db", host, HERE)).isEqualTo(db);
        assertThat(EnvironmentResolver.resolve("web-3f77aa00", host, HERE)).isEqualTo(webAgain);
        assertThat(EnvironmentResolver.resolve("/work/project/target/testbed/web-3f2a9c1e", host, HERE))
                .isEqualTo(web);
        assertThat(EnvironmentResolver.resolve("target/testbed/web-3f2a9c1e/", host, HERE))
                .isEqualTo(web);
        assertThat(EnvironmentResolver.resolve("3f2a", host, HERE)).isEqualTo(web);
        assertThat(EnvironmentResolver.resolve("9B0C", host, HERE)).isEqualTo(db);
    }

    @Test
    void anAmbiguousNameListsTheCandidatesWithTheirIdsAndPrefixes() {
        assertThatThrownBy(() -> EnvironmentResolver.resolve("web", host, HERE))
                .isInstanceOf(EnvironmentResolver.ResolutionException.class)
                .hasMessage("'web' names 2 environments; give the beginning of the id or the prefix directory instead:"
                        + "\n  web  id 3f2a9c1e-1111-2222-3333-444455556666  /work/project/target/testbed/web-3f2a9c1e"
                        + "\n  web  id 3f77aa00-1111-2222-3333-444455556666  /work/other/target/testbed/web-3f77aa00");
    }

    @Test
    void anAmbiguousIdPrefixAsksForMoreOfTheId() {
        assertThatThrownBy(() -> EnvironmentResolver.resolve("3f", host, HERE))
                .hasMessageStartingWith("'3f' begins the ids of 2 environments; give more of the id:")
                .hasMessageContaining("web-3f2a9c1e")
                .hasMessageContaining("web-3f77aa00")
                .hasMessageNotContaining("db-9b0c0d0e");
    }

    @Test
    void noMatchNamesTheArgumentAndListsEveryEnvironment() {
        assertThatThrownBy(() -> EnvironmentResolver.resolve("cache", host, HERE))
                .hasMessageStartingWith("no environment on this host is named 'cache', lives in a directory of that"
                        + " name or has an id beginning with it; environments on this host:")
                .hasMessageContaining("  db  id 9b0c0d0e");
        assertThatThrownBy(() -> EnvironmentResolver.resolve("cache", List.of(), HERE))
                .hasMessageEndingWith("; there is no environment on this host (testbed ls)");
        assertThatThrownBy(() -> EnvironmentResolver.resolve(" ", host, HERE))
                .hasMessageStartingWith("ENV must not be empty");
    }

    @Test
    void aPrefixDirectoryNoLongerOnTheHostIsStillFoundForItsLogs(@TempDir Path temp) {
        Prefix prefix = Prefix.create(temp, "torn-down");

        EnvironmentInfo found = EnvironmentResolver.resolve(prefix.dir().toString(), host, HERE);

        assertThat(found.id()).isEqualTo(prefix.id());
        assertThat(found.name()).isEqualTo("torn-down");
        assertThat(found.registered()).isFalse();
        assertThatThrownBy(() ->
                        EnvironmentResolver.resolve(temp.resolve("nothing").toString(), host, HERE))
                .hasMessageStartingWith("'" + temp.resolve("nothing") + "' is no Testbed prefix directory (no"
                        + " prefix.json in " + temp.resolve("nothing") + ")");
    }
}
