package io.testbed.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.testbed.core.prefix.PrefixResource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvironmentTableTest {

    @Test
    void aLinePerEnvironmentThenItsMachinesNetworksAndLeases() {
        EnvironmentInfo web = Environments.of(
                "web", "3f2a9c1e-1111-2222-3333-444455556666", "/work/project/target/testbed/web-3f2a9c1e");

        assertThat(EnvironmentTable.render(List.of(web)))
                .containsExactly(
                        "ENVIRONMENT  ID        OWNER           KEPT  AGE  PREFIX",
                        "web          3f2a9c1e  pid 4711 alive  no    2m   /work/project/target/testbed/web-3f2a9c1e",
                        "  machine box  docker  RUNNING  lan 198.18.7.10  3f2a9c1e77",
                        "  network lan  docker  RUNNING  198.18.7.0/24    tb-3f2a9c1e-lan",
                        "  leases 198.18.7.0/24");
    }

    @Test
    void aColumnThatIsEmptyInEveryRowKeepsTheOthersAligned() {
        EnvironmentInfo web = Environments.of("web", "3f2a9c1e-1111", "/p/web-3f2a9c1e");
        EnvironmentInfo noAddresses = new EnvironmentInfo(
                web.name(),
                web.id(),
                web.prefix(),
                web.pid(),
                true,
                false,
                null,
                true,
                web.created(),
                5,
                List.of(Environments.machine("vm", "libvirt", "DEFINED", "", java.util.Map.of())),
                List.of(),
                List.of(),
                null);

        assertThat(EnvironmentTable.render(List.of(noAddresses))).contains("  machine vm  libvirt  DEFINED");
    }

    @Test
    void aDeadOwnerIsShownWithWhyTheJanitorMayRemoveIt() {
        EnvironmentInfo web = Environments.of("web", "3f2a9c1e-1111", "/p/web-3f2a9c1e");
        EnvironmentInfo dead = new EnvironmentInfo(
                web.name(),
                web.id(),
                web.prefix(),
                web.pid(),
                false,
                true,
                null,
                false,
                web.created(),
                90000,
                List.of(),
                List.of(),
                List.of(),
                null);
        EnvironmentInfo orphan = new EnvironmentInfo(
                "?",
                "9b0c0d0e-2222",
                "/gone/x-9b0c0d0e",
                12,
                false,
                false,
                "prefix directory /gone/x-9b0c0d0e is" + " gone (no prefix.json)",
                true,
                null,
                -1,
                List.of(),
                List.of(),
                List.of(),
                "prefix directory" + " /gone/x-9b0c0d0e is gone");

        assertThat(EnvironmentTable.render(List.of(dead, orphan)))
                .containsExactly(
                        "ENVIRONMENT  ID        OWNER                  KEPT  AGE    PREFIX",
                        "web          3f2a9c1e  pid 4711 dead          yes   1d01h  /p/web-3f2a9c1e",
                        "  not in the owner registry: found through its leases only",
                        "?            9b0c0d0e  pid 12 dead, orphaned  no    ?      /gone/x-9b0c0d0e",
                        "  orphaned: prefix directory /gone/x-9b0c0d0e is gone (no prefix.json) (testbed janitor"
                                + " removes it)",
                        "  problem: prefix directory /gone/x-9b0c0d0e is gone");
        assertThat(EnvironmentTable.render(List.of())).containsExactly("no Testbed environment on this host");
    }

    @Test
    void anOrphanNamesTheDaemonsItsObjectsAreIn() {
        PrefixResource box = new PrefixResource(
                PrefixResource.MACHINE, "box", "docker", "3f2a", null, "RUNNING", Map.of(), "unix:///tmp/x.sock");
        PrefixResource lan = new PrefixResource(
                PrefixResource.NETWORK,
                "lan",
                "docker",
                "tb-lan",
                "198.18.7.0/24",
                "RUNNING",
                Map.of(),
                "unix:///tmp/x.sock");
        EnvironmentInfo orphan = new EnvironmentInfo(
                "private",
                "3f2a9c1e-1111",
                "/p/private-3f2a9c1e",
                12,
                false,
                false,
                "owner pid 12 is dead",
                true,
                null,
                -1,
                List.of(box),
                List.of(lan),
                List.of(),
                null);

        assertThat(EnvironmentTable.render(List.of(orphan)))
                .contains("  waits for a reaper at: docker unix:///tmp/x.sock");
    }
}
