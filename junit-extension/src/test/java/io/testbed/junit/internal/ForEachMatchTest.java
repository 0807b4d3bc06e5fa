package io.testbed.junit.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.testkit.engine.EventConditions.container;
import static org.junit.platform.testkit.engine.EventConditions.displayName;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedSuccessfully;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import io.testbed.core.Machine;
import io.testbed.junit.ForEachMatch;
import io.testbed.junit.Host;
import io.testbed.junit.VM;
import io.testbed.junit.local.LocalRecorder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.testkit.engine.EngineExecutionResults;

/**
 * A {@link ForEachMatch @ForEachMatch} class runs once per choice the providers offer, each run named after its
 * choice and provisioned, used and torn down on its own; a class whose provider offers no choice runs once. The
 * {@code local} provider offers one choice per value of a machine's {@code local.choices} property.
 */
class ForEachMatchTest {

    @TempDir
    Path temp;

    Testkit kit;

    @BeforeEach
    void setUp() {
        kit = new Testkit(temp);
        Seen.VALUES.clear();
    }

    static final class Seen {
        static final List<String> VALUES = new ArrayList<>();
    }

    @ForEachMatch
    @VM(name = "web", properties = "local.choices=alpha,beta,gamma")
    static class ThreeWays {
        @Test
        void seesItsChoice(@Host("web") Machine web) {
            Seen.VALUES.add(web.properties().get("local.choice"));
        }

        @Test
        void runsTwice(@Host("web") Machine web) {
            Seen.VALUES.add(web.properties().get("local.choice") + "-again");
        }
    }

    @Test
    void runsTheClassOncePerChoiceEachNamedAfterItWithItsOwnEnvironment() {
        EngineExecutionResults results = kit.run(ThreeWays.class);

        results.testEvents().assertStatistics(stats -> stats.started(6).succeeded(6));
        results.containerEvents()
                .assertThatEvents()
                .haveExactly(1, event(container(displayName("[1] web=alpha")), finishedSuccessfully()))
                .haveExactly(1, event(container(displayName("[2] web=beta")), finishedSuccessfully()))
                .haveExactly(1, event(container(displayName("[3] web=gamma")), finishedSuccessfully()));
        assertThat(Seen.VALUES)
                .containsExactlyInAnyOrder("alpha", "alpha-again", "beta", "beta-again", "gamma", "gamma-again");
        // one environment per run, each provisioned and torn down before the next starts
        List<String> prefixes = LocalRecorder.prefixes("three-ways");
        assertThat(prefixes).hasSize(3);
        assertThat(LocalRecorder.events().stream()
                        .filter(e -> e.what().equals("session open") || e.what().equals("session close"))
                        .map(e -> e.what())
                        .toList())
                .containsExactly(
                        "session open",
                        "session close",
                        "session open",
                        "session close",
                        "session open",
                        "session close");
        assertThat(LocalRecorder.live()).isEmpty();
    }

    @ForEachMatch(limit = 2)
    @VM(name = "web", properties = "local.choices=alpha,beta,gamma")
    static class AtMostTwo {
        @Test
        void runs() {}
    }

    @Test
    void stopsAfterTheLimit() {
        kit.run(AtMostTwo.class)
                .testEvents()
                .assertStatistics(stats -> stats.started(2).succeeded(2));
    }

    @ForEachMatch
    @VM(name = "web")
    static class NoChoice {
        @Test
        void runs() {}
    }

    @Test
    void aClassWithoutChoicesRunsOnce() {
        EngineExecutionResults results = kit.run(NoChoice.class);
        results.testEvents().assertStatistics(stats -> stats.started(1).succeeded(1));
        results.containerEvents()
                .assertThatEvents()
                .haveExactly(1, event(container(displayName("[1]")), finishedSuccessfully()));
    }

    @ForEachMatch(limit = 0)
    @VM(name = "web", properties = "local.choices=alpha")
    static class BadLimit {
        @Test
        void runs() {}
    }

    @Test
    void aBadLimitIsReportedBeforeAnythingIsProvisioned() {
        kit.run(BadLimit.class)
                .containerEvents()
                .assertThatEvents()
                .haveExactly(
                        1,
                        event(finishedWithFailure(message("Testbed environment of BadLimit is invalid; nothing was "
                                + "provisioned:" + System.lineSeparator()
                                + "  - @ForEachMatch limit must be between 1 and 1000, was 0"))));
        assertThat(LocalRecorder.prefixes("bad-limit")).isEmpty();
    }
}
