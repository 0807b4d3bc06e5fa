package io.testbed.junit;

import io.testbed.junit.internal.TestbedExtension;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.apiguardian.api.API;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Measures the declared {@link Link @Link}s once the environment is provisioned, before the class's first test
 * ({@link io.testbed.core.Links#validate(int)}), publishes the table of declared against measured values as the
 * report entry {@code testbed.links}, and fails the class when a pair lies outside the tolerance — so that tests never
 * run on a network that does not behave as declared. Works as a meta-annotation.
 *
 * <p>Errors: {@link #probes()} below 10 is a misuse reported before provisioning; a pair outside the tolerance fails
 * the class with the whole table, and the environment is torn down.
 */
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(TestbedExtension.class)
@API(status = API.Status.EXPERIMENTAL)
public @interface ValidateLinks {

    /** Pings per pair (at least 10). */
    int probes() default 50;

    /** How far the median round trip may be from the declared one, in percent. */
    double delayPercent() default 10;

    /** The raw network's round trip allowed on top of the declared one, in milliseconds. */
    double baseRttMs() default 10;

    /** How far the measured loss may be from the declared one, in percentage points. */
    double lossPoints() default 3;

    /** How far the measured rate may be from the declared one, in percent. */
    double ratePercent() default 15;
}
