package io.testbed.reports.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.testbed.core.journal.EnvironmentEvent;
import io.testbed.core.journal.HostEvent;
import io.testbed.core.journal.LinkEvent;
import io.testbed.core.journal.ResourceEvent;
import io.testbed.core.journal.TestEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How machines started, warm images, link constraints, cuts and host leases show in the report: a line each in the
 * environment's section and on the page of the test (or class) they happened in, a column in the machines table,
 * bars in the timeline, and every journaled string escaped.
 */
class NotesReportTest {

    private static final String ATTACK = "<script>alert(1)</script>\"'><img src=x onerror=alert(2)>";

    @TempDir
    Path root;

    private RunModel run() {
        JournalFixture fixture = new JournalFixture(root, "notes");
        fixture.at(0)
                .record((t, e) -> new HostEvent.WarmImageResolved(
                        t, e, "tiny", "/cache/warm/tiny-128" + ATTACK, true, Duration.ofSeconds(3)))
                .record((t, e) -> new ResourceEvent.StartChosen(
                        t, e, "web", ResourceEvent.StartMethod.WARM, "restored from the warm image of tiny"))
                .record((t, e) -> new ResourceEvent.StartChosen(
                        t, e, "box", ResourceEvent.StartMethod.COLD, "containers start cold " + ATTACK));
        Map<String, String> hosts = new LinkedHashMap<>();
        hosts.put("lab", "lab-1");
        fixture.record((t, e) -> new EnvironmentEvent.HostsLeased(t, e, "ssh", hosts, Duration.ofMillis(12)));
        fixture.provision();
        fixture.startTest("partitions")
                .after(10)
                .record((t, e) -> new LinkEvent.ConstraintsApplied(
                        t, e, "run time", List.of("web -> box: delay=50ms " + ATTACK), 1, Duration.ofMillis(20)))
                .after(10)
                .record((t, e) -> new LinkEvent.CutMade(t, e, 1, "partition", "web | box", Duration.ofMillis(8)))
                .after(10)
                .record((t, e) -> new LinkEvent.CutHealed(t, e, 1, "web | box", Duration.ofMillis(6)))
                .finishTest("partitions", TestEvent.Result.PASSED, null);
        fixture.startTest("quiet").finishTest("quiet", TestEvent.Result.PASSED, null);
        fixture.after(5)
                .record((t, e) -> new HostEvent.WarmImageDiscarded(
                        t, e, "tiny", "/cache/warm/tiny-128", "restore failed: " + ATTACK))
                .tearDown(false)
                .close();
        return RunModelBuilder.build(List.of(EnvironmentReader.read(fixture.prefix)));
    }

    @Test
    void theEnvironmentSectionSaysHowEachMachineStartedAndListsWarmImagesLinksAndLeases() {
        RunModel run = run();
        String index = Rendered.index(run);

        assertThat(run.environments().get(0).machines())
                .extracting(MachineModel::name, MachineModel::start)
                .contains(
                        org.assertj.core.groups.Tuple.tuple("web", "warm (restored from the warm image of tiny)"),
                        org.assertj.core.groups.Tuple.tuple("box", "cold (containers start cold " + ATTACK + ")"));
        assertThat(index)
                .contains("<td>warm (restored from the warm image of tiny)</td>")
                .contains("<th>start</th>")
                .contains("<h4>Starts, warm images, links and leases</h4>")
                .contains("<td class=\"what\">warm image built</td>")
                .contains("<td class=\"what\">hosts leased</td><td class=\"detail\">lab → lab-1 (provider ssh)</td>")
                .contains("<td class=\"what\">links constrained (run time)</td>")
                .contains("<td class=\"what\">cut 1 made (partition)</td><td class=\"detail\">web | box</td>")
                .contains("<td class=\"what\">cut 1 healed</td>")
                .contains("<tr class=\"note problem\" data-lane=\"environment\">")
                .contains("<td class=\"what\">warm image discarded</td>")
                .contains("class=\"bar start\"")
                .contains("class=\"bar warm\"")
                .contains("class=\"bar warm failed\"")
                .contains("class=\"bar link\"")
                .contains("class=\"bar cut\"")
                .contains("<title>cut 1 (partition): web | box")
                .contains("<title>warm start: restored from the warm image of tiny")
                .contains("&lt;script&gt;alert(1)&lt;/script&gt;")
                .doesNotContain("<script")
                .doesNotContain("<img");
    }

    @Test
    void aTestsPageShowsWhatHappenedWhileItRanAndTheClassPageWhatHappenedOutsideItsTests() {
        RunModel run = run();
        String test = Rendered.page(run, "partitions");
        String classPage = Rendered.page(run, null);

        assertThat(Pages.of(run).all()).hasSize(2); // the test without commands has a page for its events
        assertThat(test)
                .contains("<h2>Environment events</h2>")
                .contains("<td class=\"what\">links constrained (run time)</td>")
                .contains("<td class=\"what\">cut 1 made (partition)</td>")
                .contains("<td class=\"what\">cut 1 healed</td>")
                .doesNotContain("warm start")
                .doesNotContain("hosts leased")
                .doesNotContain("<script");
        assertThat(classPage)
                .contains("<td class=\"what\">warm start</td>")
                .contains("<td class=\"what\">hosts leased</td>")
                .contains("<td class=\"what\">warm image discarded</td>")
                .doesNotContain("cut 1 made")
                .doesNotContain("<script");
        assertThat(Pages.of(run)
                        .of(run.tests().stream()
                                .filter(t -> "quiet".equals(t.method()))
                                .findFirst()
                                .orElseThrow()))
                .isNull();
    }

    @Test
    void aCutNeverHealedLastsUntilTheJournalEnds() {
        JournalFixture fixture = new JournalFixture(root, "unhealed").provision();
        fixture.startTest("cut")
                .record((t, e) -> new LinkEvent.CutMade(t, e, 7, "isolate", "web", Duration.ofMillis(8)));
        fixture.close(); // the JVM died: no heal, no teardown

        EnvironmentModel environment = EnvironmentReader.read(fixture.prefix);

        assertThat(environment.spans())
                .filteredOn(s -> s.kind() == Span.Kind.CUT)
                .singleElement()
                .satisfies(s -> {
                    assertThat(s.label()).isEqualTo("cut 7 (isolate): web (not healed)");
                    assertThat(s.end()).isEqualTo(environment.end());
                });
    }
}
