package io.testbed.junit;

import io.testbed.junit.internal.TestbedExtension;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.apiguardian.api.API;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Injects the machine with this name (declared with {@link VM @VM}) into a parameter or field of type
 * {@link io.testbed.core.Machine}:
 * {@code void webReachesDb(@Host("web") Machine web, @Host("db") Machine db)}.
 *
 * <p>Parameters of test, lifecycle and constructor methods are supported, as are non-final fields: instance
 * fields are set when the test instance is created, static fields once the class's environment is provisioned
 * (the environment belongs to the class, so a static field is as good as an instance field).
 *
 * <p>Errors, reported before anything is provisioned: no machine has this name (the message lists the machines),
 * the element is not of type {@code Machine}, the field is final.
 */
@Target({ElementType.PARAMETER, ElementType.FIELD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ExtendWith(TestbedExtension.class)
@API(status = API.Status.EXPERIMENTAL)
public @interface Host {

    /** The machine's name, as in {@link VM#name()}. */
    String value();
}
