package io.testbed.examples;

import static io.testbed.junit.TestbedAssertions.assertThat;

import io.testbed.core.Environment;
import io.testbed.core.LinkValidation;
import io.testbed.core.Links;
import io.testbed.core.Machine;
import io.testbed.junit.Host;
import io.testbed.junit.Link;
import io.testbed.junit.Network;
import io.testbed.junit.VM;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Two sites joined by a slow wide-area link, a partition between them, and the heal.
 *
 * <p>Shows:
 * <ul>
 *   <li>a topology with its links named once, as a meta-annotation ({@code @TwoSites}), with {@link Link @Link}
 *       next to {@link Network @Network} and {@link VM @VM}: 20 ms one way (with 1 ms jitter) between the sites'
 *       roles, in both directions;</li>
 *   <li>{@code validate()}: every constrained pair measured, declared against measured, the table written to the
 *       prefix's {@code logs/links-validation.txt} and the journal;</li>
 *   <li>a partition at run time from the injected {@link Environment}, and its heal; a test that forgets to heal
 *       is healed by the harness after it, like a changed setting.</li>
 * </ul>
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@TwoSitesIT.TwoSites
class TwoSitesIT {

    @Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
    @Retention(RetentionPolicy.RUNTIME)
    @Network(name = "wan")
    @VM(name = "paris", memoryMb = 128, networks = "wan", roles = "eu-west")
    @VM(name = "berlin", memoryMb = 128, networks = "wan", roles = "eu-central")
    @Link(from = "eu-west", to = "eu-central", delay = "20ms", jitter = "1ms", symmetric = true)
    @interface TwoSites {}

    /** Set by {@code aTestThatForgetsToHeal}: the last test would pass vacuously without it (when run alone). */
    static boolean berlinLeftIsolated;

    @Test
    @Order(1)
    void theSitesAreFortyMillisecondsApart(Environment environment) {
        LinkValidation validation = environment.links().validate();

        assertThat(validation.outside(LinkValidation.Tolerance.DEFAULT))
                .as(validation.render())
                .isEmpty();
    }

    @Test
    @Order(2)
    void aPartitionCutsTheSitesUntilItIsHealed(
            @Host("paris") Machine paris, @Host("berlin") Machine berlin, Environment environment) {
        Links.Cut cut = environment.links().partition("eu-west", "eu-central");
        assertThat(paris.run("ping -c 2 -W 2 " + berlin.address("wan").getHostAddress()))
                .failed();

        environment.links().heal(cut);
        assertThat(paris.run("ping -c 2 -W 2 " + berlin.address("wan").getHostAddress()))
                .succeeded();
    }

    @Test
    @Order(3)
    void aTestThatForgetsToHeal(Environment environment) {
        environment.links().isolate("berlin");
        berlinLeftIsolated = true;
    }

    @Test
    @Order(4)
    void theNextTestStartsFromTheDeclaredLinks(
            @Host("paris") Machine paris, @Host("berlin") Machine berlin, Environment environment) {
        assertThat(berlinLeftIsolated)
                .as("aTestThatForgetsToHeal ran before this test (run the whole class)")
                .isTrue();
        assertThat(environment.links().cuts()).isEmpty();
        assertThat(paris.run("ping -c 2 -W 2 " + berlin.address("wan").getHostAddress()))
                .succeeded();
    }
}
