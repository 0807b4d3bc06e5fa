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
 * Injects the machines that play a role ({@link VM#roles()}) into a parameter or field:
 * {@code @Role("frontend|backend") List<Machine> servers} gets every match in declaration order,
 * {@code @Role("db&!replica") Machine primary} exactly one.
 *
 * <p>The value is a role expression with EnOSlib-style set algebra: {@code a|b} (union), {@code a&b}
 * (intersection), {@code !a} (complement), {@code *} (every machine), evaluated left to right; see
 * {@link io.testbed.core.Environment#machines(String)}.
 *
 * <p>Errors, all reported before anything is provisioned: the element is neither {@code Machine} nor
 * {@code List<Machine>}, the field is final, the expression is malformed, a {@code Machine} element matches no
 * machine or more than one, a {@code List<Machine>} element matches no machine (the message lists the matches, or
 * every machine's roles).
 */
@Target({ElementType.PARAMETER, ElementType.FIELD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ExtendWith(TestbedExtension.class)
@API(status = API.Status.EXPERIMENTAL)
public @interface Role {

    /** The role expression. */
    String value();
}
