package io.testbed.junit;

import io.testbed.junit.internal.TestbedExtension;
import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.apiguardian.api.API;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Declares how the network behaves from one group of machines to another: delay, jitter, loss and rate, as Enos's
 * {@code network_constraints}. Part of the baseline every test starts from; tests change links at run time through
 * {@link io.testbed.core.Environment#links()}, and those changes are undone after each test. Repeatable; works on
 * superclasses and as a meta-annotation, so a topology with its links can be named once:
 *
 * <pre>{@code
 * @Network(name = "wan")
 * @VM(name = "paris", networks = "wan", roles = "eu-west")
 * @VM(name = "berlin", networks = "wan", roles = "eu-central")
 * @Link(from = "eu-west", to = "eu-central", delay = "20ms", jitter = "2ms", loss = "0.5%", rate = "100mbit",
 *       symmetric = true)
 * @interface TwoSites {}
 * }</pre>
 *
 * <p>A group is a machine name, a role or a role expression ({@code "a|b"}, {@code "a&!b"}, {@code "*"}). Every
 * ordered pair of different machines from {@code from} and {@code to} that shares a network is constrained in the
 * {@code from → to} direction (both with {@link #symmetric()}); a later {@code @Link} replaces an earlier one for
 * the pairs it covers, so a network-wide default ({@code from = "*", to = "*", network = "wan"}) comes first and
 * specific links after it.
 *
 * <p>Where it happens: loss on the host bridge (nftables); delay, jitter and rate in the sending machine's traffic
 * control (inside a VM's guest kernel; for a container, in its network namespace on the host kernel, so a delay
 * from a container needs {@code sch_netem} in the host kernel).
 *
 * <p>Errors, reported before anything is provisioned and naming this annotation, the attribute and the value: a
 * value with a space or an unknown unit ({@code "20 ms"}), a loss outside 0–100 %, a rate that is not positive, a
 * jitter without a delay, a link that constrains nothing, a group that names no machine and no role, a group that
 * selects a machine on no network of the environment (an {@link SshHost existing host}, whose NICs Testbed does not
 * shape), an unknown network or excepted machine, a link that covers no pair sharing a network, a delay from a
 * container on a host kernel without {@code sch_netem}.
 */
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@Repeatable(LinkConstraints.class)
@ExtendWith(TestbedExtension.class)
@API(status = API.Status.EXPERIMENTAL)
public @interface Link {

    /** The sending group: a machine name, a role or a role expression ({@code "*"}: every machine). */
    String from();

    /** The receiving group, written like {@link #from()}. */
    String to();

    /** The network it applies on; empty (the default) for every network a pair shares. */
    String network() default "";

    /** One-way delay: a number and {@code us}, {@code ms} or {@code s}, no space ({@code "20ms"}); empty: none. */
    String delay() default "";

    /** Variation of the delay, written like it ({@code "2ms"}); needs a delay. */
    String jitter() default "";

    /** Share of packets dropped, {@code "0.5%"} (0–100 %, at most two decimals); empty: none. */
    String loss() default "";

    /** Most the sender may send: {@code "100mbit"} ({@code bit}, {@code kbit}, {@code mbit}, {@code gbit}). */
    String rate() default "";

    /** Whether the link behaves the same in the {@code to → from} direction. */
    boolean symmetric() default false;

    /** Pairs of machines that keep the raw network, each {@code "a:b"} (either order), as Enos's {@code except}. */
    String[] except() default {};
}
