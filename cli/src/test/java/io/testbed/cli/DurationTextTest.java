package io.testbed.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationTextTest {

    @Test
    void parsesUnitsTheirCombinationsAndIso8601() {
        assertThat(DurationText.parse("90s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(DurationText.parse("30m")).isEqualTo(Duration.ofMinutes(30));
        assertThat(DurationText.parse("2h")).isEqualTo(Duration.ofHours(2));
        assertThat(DurationText.parse("1d")).isEqualTo(Duration.ofDays(1));
        assertThat(DurationText.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(DurationText.parse("PT2H")).isEqualTo(Duration.ofHours(2));
        assertThat(DurationText.parse("pt15m")).isEqualTo(Duration.ofMinutes(15));
    }

    @Test
    void rejectsWhatIsNoPositiveDurationNamingTheValueAndTheForms() {
        assertThatThrownBy(() -> DurationText.parse("2 hours"))
                .hasMessage("'2 hours' is not a duration; write it as 90s, 30m, 2h, 1d, 1h30m or in ISO-8601 (PT2H)");
        assertThatThrownBy(() -> DurationText.parse("h2")).hasMessageStartingWith("'h2' is not a duration");
        assertThatThrownBy(() -> DurationText.parse("PTx")).hasMessageStartingWith("'PTx' is not a duration");
        assertThatThrownBy(() -> DurationText.parse("0s")).hasMessage("a duration must be positive, was '0s'");
        assertThatThrownBy(() -> DurationText.parse("PT-1H")).hasMessage("a duration must be positive, was 'PT-1H'");
    }

    @Test
    void agesReadShortestFirst() {
        assertThat(DurationText.age(-1)).isEqualTo("?");
        assertThat(DurationText.age(42)).isEqualTo("42s");
        assertThat(DurationText.age(7 * 60 + 5)).isEqualTo("7m");
        assertThat(DurationText.age(3 * 3600 + 5 * 60)).isEqualTo("3h05m");
        assertThat(DurationText.age(2 * 86400 + 4 * 3600 + 59)).isEqualTo("2d04h");
    }
}
