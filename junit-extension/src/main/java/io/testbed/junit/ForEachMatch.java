package io.testbed.junit;

import io.testbed.junit.internal.TestbedExtension;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.apiguardian.api.API;
import org.junit.jupiter.api.ClassTemplate;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs the test class once per distinct match of its {@link SshHost @SshHost} machines to inventory hosts (LNST's
 * multi-match), each run with its own environment and named after its mapping, e.g. {@code [server=lab-1,
 * client=lab-3]}, in the IDE and in reports. Runs follow the inventory's order and end after {@link #limit()}.
 *
 * <p>Each run leases exactly its hosts, provisions, runs every test of the class, and tears down before the next
 * run starts; {@code @BeforeAll} and {@code @AfterAll} methods run once around all runs (per JUnit's class templates),
 * so set a run's state up in {@code @BeforeEach} or a field injected with {@link Host @Host}. A class without
 * existing hosts runs once. No match at all is reported before anything is provisioned, explained per machine.
 */
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ClassTemplate
@ExtendWith(TestbedExtension.class)
@API(status = API.Status.EXPERIMENTAL)
public @interface ForEachMatch {

    /** At most this many runs, 1–1000; the first matches in inventory order. */
    int limit() default 16;
}
