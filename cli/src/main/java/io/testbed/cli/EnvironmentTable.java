package io.testbed.cli;

import io.testbed.core.prefix.PrefixResource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The text of {@code testbed ls}: a line per environment (name, id, owner, kept, age, prefix), then a line per
 * machine and network, then its leases, e.g.
 *
 * <pre>
 * ENVIRONMENT  ID        OWNER            KEPT  AGE  PREFIX
 * revert-demo  e912780a  pid 4711 alive   no    3m   /work/example-tests/target/testbed/revert-demo-e912780a
 *   machine box  libvirt  RUNNING  lan 198.18.0.10  tb-e912780a-box
 *   network lan  libvirt  RUNNING  198.18.0.0/24    tb-e912780a-lan
 *   leases 198.18.0.0/24
 * </pre>
 *
 * An orphaned environment also names the daemons its objects are in ({@code waits for a reaper at: docker
 * unix:///tmp/x.sock}): only a janitor that talks to them removes it.
 */
final class EnvironmentTable {

    private EnvironmentTable() {}

    /** The lines of the table; one line saying so when there is no environment. */
    static List<String> render(List<EnvironmentInfo> environments) {
        if (environments.isEmpty()) {
            return List.of("no Testbed environment on this host");
        }
        List<String[]> heads = new ArrayList<>();
        heads.add(new String[] {"ENVIRONMENT", "ID", "OWNER", "KEPT", "AGE", "PREFIX"});
        for (EnvironmentInfo e : environments) {
            heads.add(new String[] {
                e.name(), e.shortId(), owner(e), e.kept() ? "yes" : "no", DurationText.age(e.ageSeconds()), e.prefix()
            });
        }
        int[] widths = widths(heads);
        List<String> lines = new ArrayList<>();
        lines.add(row(heads.get(0), widths));
        for (int i = 0; i < environments.size(); i++) {
            EnvironmentInfo e = environments.get(i);
            lines.add(row(heads.get(i + 1), widths));
            lines.addAll(details(e));
        }
        return lines;
    }

    /** The owner column: the process and whether it runs; why the reaper may remove the environment. */
    static String owner(EnvironmentInfo e) {
        String process = "pid " + e.pid() + (e.ownerAlive() ? " alive" : " dead");
        return e.orphaned() == null ? process : process + ", orphaned";
    }

    private static List<String> details(EnvironmentInfo e) {
        List<String[]> rows = new ArrayList<>();
        for (PrefixResource machine : e.machines()) {
            rows.add(new String[] {
                "  machine " + machine.name(),
                machine.provider(),
                machine.state(),
                addresses(machine.addresses()),
                machine.providerId()
            });
        }
        for (PrefixResource network : e.networks()) {
            rows.add(new String[] {
                "  network " + network.name(),
                network.provider(),
                network.state(),
                network.subnet() == null ? "" : network.subnet(),
                network.providerId()
            });
        }
        List<String> lines = new ArrayList<>();
        if (!rows.isEmpty()) {
            int[] widths = widths(rows);
            rows.forEach(r -> lines.add(row(r, widths)));
        }
        if (!e.leases().isEmpty()) {
            lines.add("  leases " + String.join(", ", e.leases()));
        }
        if (e.orphaned() != null) {
            lines.add("  orphaned: " + e.orphaned() + " (testbed janitor removes it)");
            String endpoints = endpoints(e);
            if (!endpoints.isEmpty()) {
                // the registry is the host's, the objects are a daemon's: a janitor talking to another one keeps it
                lines.add("  waits for a reaper at: " + endpoints);
            }
        }
        if (e.problem() != null) {
            lines.add("  problem: " + e.problem());
        }
        if (!e.registered()) {
            lines.add("  not in the owner registry: found through its leases only");
        }
        return lines;
    }

    /** The distinct provider endpoints its objects were recorded at, e.g. {@code docker unix:///tmp/x.sock}. */
    private static String endpoints(EnvironmentInfo e) {
        return Stream.concat(e.machines().stream(), e.networks().stream())
                .filter(resource -> !resource.endpoint().isEmpty())
                .map(resource -> resource.provider() + " " + resource.endpoint())
                .distinct()
                .collect(Collectors.joining(", "));
    }

    private static String addresses(Map<String, String> addresses) {
        return addresses.entrySet().stream()
                .map(a -> a.getKey() + " " + a.getValue())
                .collect(Collectors.joining(", "));
    }

    private static int[] widths(List<String[]> rows) {
        int[] widths = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i] == null ? 0 : row[i].length());
            }
        }
        return widths;
    }

    private static String row(String[] cells, int[] widths) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            String cell = cells[i] == null ? "" : cells[i];
            if (i == cells.length - 1) {
                line.append(cell);
            } else {
                line.append(cell).append(" ".repeat(widths[i] - cell.length() + 2));
            }
        }
        return line.toString().stripTrailing();
    }
}
