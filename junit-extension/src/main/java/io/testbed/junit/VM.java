package io.testbed.junit;

import io.testbed.core.config.TestbedConfig;
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
 * Declares a machine of the test class's environment — a VM by default, or whatever the
 * {@linkplain Prefix#provider() provider} creates (a container, an existing SSH host). Repeatable; works on
 * superclasses and as a meta-annotation, so a topology can be named once:
 *
 * <pre>{@code
 * @Retention(RUNTIME) @Target(TYPE)
 * @Network(name = "lan")
 * @VM(name = "web", networks = "lan", roles = "frontend")
 * @VM(name = "db", networks = "lan", disks = @Disk(name = "data", sizeMb = 64))
 * @interface TwoNodeLan {}
 * }</pre>
 *
 * <p>Machines get stable addresses in declaration order. Inject them into tests with {@link Host @Host},
 * {@link Role @Role} or, when there is only one, by type.
 *
 * <p>Errors, all reported at once before anything is provisioned, each naming this annotation, the element, the
 * rule and the actual value, e.g. {@code @VM(name = "web") memoryMb must be at least 32, was 0}: a name that is
 * not a DNS label of at most 31 characters or is declared twice, {@code cpus} outside 1–64, {@code memoryMb}
 * below 32 (below 96 for libvirt's {@code tiny} template), a network that is not declared with
 * {@link Network @Network}, a bad {@link Disk @Disk}, a property that is not {@code key=value}, a {@code collect}
 * path that is not absolute, a template the provider does not know.
 */
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@Repeatable(VMs.class)
@ExtendWith(TestbedExtension.class)
@API(status = API.Status.EXPERIMENTAL)
public @interface VM {

    /** The configuration parameter for the default of {@link #template()}. */
    String TEMPLATE_PROPERTY_NAME = TestbedConfig.DEFAULT_TEMPLATE;

    /**
     * The machine's name, unique in the environment, a lower-case DNS label of at most 31 characters
     * ({@code [a-z][a-z0-9-]{0,30}}); also its hostname.
     */
    String name();

    /**
     * The template (libvirt), image (docker) or inventory selector (ssh); empty (the default) reads
     * {@value #TEMPLATE_PROPERTY_NAME} ({@code tiny} unless set).
     */
    String template() default "";

    /** Virtual CPUs, 1–64. */
    int cpus() default 1;

    /**
     * Memory in MiB, at least 32; the libvirt provider's {@code tiny} template needs at least 96 (both checked
     * before anything is provisioned).
     */
    int memoryMb() default 256;

    /** The networks (declared with {@link Network @Network}) the machine has a NIC on, in NIC order. */
    String[] networks() default {};

    /** Extra empty data disks. */
    Disk[] disks() default {};

    /** The roles the machine plays, for {@link Role @Role} and {@code Environment.machines(expression)}. */
    String[] roles() default {};

    /** Free-form properties as {@code key=value}, handed to the provider and readable from the machine. */
    String[] properties() default {};

    /**
     * Absolute paths on the machine (files or directories) that are downloaded into the prefix and attached to
     * the test report when a test fails, e.g. {@code /var/log/messages}.
     */
    String[] collect() default {};
}
