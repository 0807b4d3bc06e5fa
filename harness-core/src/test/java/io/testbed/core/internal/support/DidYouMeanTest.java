package io.testbed.core.internal.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class DidYouMeanTest {

    @Test
    void distanceCountsInsertionsDeletionsAndSubstitutions() {
        assertThat(DidYouMean.distance("kitten", "sitting")).isEqualTo(3);
        assertThat(DidYouMean.distance("", "abc")).isEqualTo(3);
        assertThat(DidYouMean.distance("same", "same")).isZero();
    }

    @Test
    void nearestNamesTheClosestKnownNameHoweverFar() {
        assertThat(DidYouMean.nearest("zzzzzzzz", List.of("testbed.keep", "testbed.progress")))
                .contains("testbed.keep");
        assertThat(DidYouMean.nearest("testbed.progres", List.of("testbed.keep", "testbed.progress")))
                .contains("testbed.progress");
        assertThat(DidYouMean.nearest("x", List.of())).isEmpty();
    }

    @Test
    void closeEnoughSuggestsOnlyNamesAFewEditsAwayAlphabeticallyFirstOnTies() {
        assertThat(DidYouMean.closeEnough("adress", List.of("address", "user"))).contains("address");
        assertThat(DidYouMean.closeEnough("zzzzzzzz", List.of("address", "user")))
                .isEmpty();
        assertThat(DidYouMean.closeEnough("ab", List.of("cb", "ac"))).contains("ac");
    }
}
