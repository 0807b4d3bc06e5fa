package io.testbed.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class LinkConstraintTest {

    @Test
    void parsesEveryFieldStrictly() {
        LinkConstraint link = LinkConstraint.between("paris", "berlin")
                .delay("20ms")
                .jitter("250us")
                .loss("0.5%")
                .rate("1.5mbit")
                .symmetric()
                .except("paris-1:berlin-1")
                .build();

        assertThat(link.delay()).isEqualTo(Duration.ofMillis(20));
        assertThat(link.jitter()).isEqualTo(Duration.ofNanos(250_000));
        assertThat(link.lossPercent()).isEqualTo(0.5);
        assertThat(link.rateBitsPerSecond()).isEqualTo(1_500_000);
        assertThat(link.symmetric()).isTrue();
        assertThat(link.excepts("berlin-1", "paris-1")).isTrue();
        assertThat(link.describe()).isEqualTo("delay=20ms jitter=250us loss=0.5% rate=1.5mbit");
    }

    @Test
    void aSpaceBeforeTheUnitIsRejectedWithTheValue() {
        assertThatThrownBy(() -> LinkConstraint.between("a", "b").delay("20 ms"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("delay must be a number followed by us, ms or s with no space (e.g. 20ms), was '20 ms'");
    }

    @Test
    void lossAbove100PercentIsRejected() {
        assertThatThrownBy(() -> LinkConstraint.between("a", "b").loss("120%"))
                .hasMessage("loss must be a percentage between 0% and 100% (e.g. 0.5%), was '120%'");
        assertThatThrownBy(() -> LinkConstraint.between("a", "b").loss("0.001%"))
                .hasMessage("loss must have at most two decimals (0.01% steps), was '0.001%'");
    }

    @Test
    void negativeOrUnitlessRatesAreRejected() {
        String rule = "rate must be a positive number followed by bit, kbit, mbit or gbit (e.g. 100mbit), was ";
        assertThatThrownBy(() -> LinkConstraint.between("a", "b").rate("-5mbit"))
                .hasMessage(rule + "'-5mbit'");
        assertThatThrownBy(() -> LinkConstraint.between("a", "b").rate("100")).hasMessage(rule + "'100'");
        assertThatThrownBy(() -> LinkConstraint.between("a", "b").rate("0mbit")).hasMessage(rule + "'0mbit'");
        assertThatThrownBy(() -> LinkConstraint.between("a", "b").rate("100Mbit"))
                .hasMessage(rule + "'100Mbit'");
        assertThatThrownBy(() -> LinkConstraint.between("a", "b").rate("1kbit"))
                .hasMessage("rate must be at least 8kbit, was '1kbit'");
    }

    @Test
    void aConstraintMustConstrainSomething() {
        assertThatThrownBy(() -> LinkConstraint.between("a", "b").build())
                .hasMessage("declares no constraint: give a delay, a loss or a rate");
        assertThatThrownBy(() -> LinkConstraint.between("a", "b")
                        .jitter("2ms")
                        .loss("1%")
                        .build())
                .hasMessage("jitter needs a delay to vary around: declare delay too");
    }

    @Test
    void exceptEntriesAreTwoMachineNames() {
        assertThatThrownBy(() -> LinkConstraint.between("a", "b").except("a-b"))
                .hasMessage("except entry must be two different machine names joined by ':' (e.g. \"web:db\"), "
                        + "was 'a-b'");
    }

    @Test
    void formatsValuesAsTheyAreWritten() {
        assertThat(LinkConstraint.formatDuration(Duration.ofMillis(1500))).isEqualTo("1.5s");
        assertThat(LinkConstraint.formatDuration(Duration.ofMillis(50))).isEqualTo("50ms");
        assertThat(LinkConstraint.formatRate(100_000_000)).isEqualTo("100mbit");
        assertThat(LinkConstraint.formatRate(64_000)).isEqualTo("64kbit");
        assertThat(LinkConstraint.formatPercent(10.0)).isEqualTo("10%");
    }
}
