package io.testbed.junit;

import io.testbed.core.spec.NetworkMode;
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
 * Declares a virtual network of the test class's environment; machines join it with {@link VM#networks()}.
 * Repeatable; works on superclasses and as a meta-annotation. Inject it into tests with {@link Net @Net} or, when
 * there is only one, by type ({@link io.testbed.core.TestNetwork}).
 *
 * <p>By default a network is isolated, served by DHCP, and gets a /24 leased from the host-wide pool
 * (198.18.0.0/15 unless configured), so environments running at the same time never share a subnet. Its
 * {@code .1} is the host-side gateway; machines get stable addresses in declaration order.
 *
 * <p>Errors, reported before anything is provisioned: a name that is not a DNS label of at most 31 characters or
 * is declared twice, an explicit {@link #subnet()} that is not valid CIDR, lies outside the lease pool or is too
 * small, an {@link #mtu()} outside 576–9000.
 */
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@Repeatable(Networks.class)
@ExtendWith(TestbedExtension.class)
@API(status = API.Status.EXPERIMENTAL)
public @interface Network {

    /**
     * The network's name, unique in the environment, a lower-case DNS label of at most 31 characters
     * ({@code [a-z][a-z0-9-]{0,30}}).
     */
    String name();

    /** Isolated (the default) or with outbound NAT through the host. */
    NetworkMode mode() default NetworkMode.ISOLATED;

    /**
     * An explicit subnet in CIDR notation inside the lease pool, e.g. {@code 198.18.200.0/24}; empty (the default)
     * leases a free one. An explicit subnet is leased too, so two environments cannot both take it.
     */
    String subnet() default "";

    /** Whether a DHCP server hands the planned addresses to the machines. */
    boolean dhcp() default true;

    /** The MTU; 0 (the default) keeps the provider's default of 1500. */
    int mtu() default 0;
}
