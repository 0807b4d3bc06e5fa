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
 * Injects the network with this name (declared with {@link Network @Network}) into a parameter or field of type
 * {@link io.testbed.core.TestNetwork}: {@code void pings(@Net("lan") TestNetwork lan)}. Without {@code @Net} a
 * {@code TestNetwork} is injected by type when the environment has exactly one network.
 *
 * <p>Errors, reported before anything is provisioned: no network has this name (the message lists the
 * networks), the element is not of type {@code TestNetwork}, the field is final.
 */
@Target({ElementType.PARAMETER, ElementType.FIELD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ExtendWith(TestbedExtension.class)
@API(status = API.Status.EXPERIMENTAL)
public @interface Net {

    /** The network's name, as in {@link Network#name()}. */
    String value();
}
