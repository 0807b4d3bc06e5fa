package io.testbed.junit;

import io.testbed.core.config.TestbedConfig;
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
 * Names a test class's environment and says how it lives: when it is reverted and whether it is kept.
 * Optional: a class with {@link VM @VM} but no {@code @Prefix} gets the defaults below.
 *
 * <p>The environment is declared on the class with {@link VM @VM} and {@link Network @Network}, directly, on a
 * superclass or on a meta-annotation (a topology named once, e.g. {@code @TwoNodeLan}, reused by many classes).
 * {@link org.junit.jupiter.api.Nested @Nested} classes share the environment of their enclosing class.
 *
 * <p>Lifecycle: the environment is provisioned once per class, before the first test and before
 * {@code @BeforeAll} methods; reverted per {@link #revert()}; torn down after the class, even when tests or
 * provisioning failed, unless {@link #keep()} keeps it. Every annotation is checked before anything is
 * provisioned: a bad value fails the class with one message listing every problem.
 *
 * <p>One {@code @Prefix} applies, its attributes never merged with another's: the one on the class itself; else
 * the first meta-annotation of the class (in declaration order) that carries one; else one on an implemented
 * interface; else the superclass's, found the same way. So a class can override the {@code @Prefix} of the
 * topology annotation it uses by declaring its own.
 *
 * <p>With parallel execution ({@code junit.jupiter.execution.parallel.enabled}) classes running at the same
 * time get distinct environments on distinct leased subnets.
 */
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(TestbedExtension.class)
@API(status = API.Status.EXPERIMENTAL)
public @interface Prefix {

    /** The configuration parameter for the default of {@link #keep()}: {@code never}, {@code on-failure}, {@code always}. */
    String KEEP_PROPERTY_NAME = TestbedConfig.KEEP;

    /** The configuration parameter for the default of {@link #provider()}. */
    String PROVIDER_PROPERTY_NAME = TestbedConfig.DEFAULT_PROVIDER;

    /**
     * The environment's name, a DNS label of at most 31 characters ({@code [a-z][a-z0-9-]{0,30}}); the prefix
     * directory is named after it. Empty (the default): derived from the test class's simple name,
     * {@code ClusterIT} → {@code cluster-it}.
     */
    String name() default "";

    /** When to revert to the baseline snapshot; {@link Revert#AFTER_EACH_TEST} by default. */
    Revert revert() default Revert.AFTER_EACH_TEST;

    /** Whether to keep the environment after the class; {@link Keep#DEFAULT} reads {@value #KEEP_PROPERTY_NAME}. */
    Keep keep() default Keep.DEFAULT;

    /**
     * The provider of every machine ({@code libvirt}, {@code docker}, {@code ssh}); empty (the default) reads
     * {@value #PROVIDER_PROPERTY_NAME} ({@code libvirt} unless set).
     */
    String provider() default "";

    /**
     * The libvirt connection for this class's libvirt machines, e.g. {@code qemu+ssh://root@localhost/system};
     * empty (the default) reads {@code testbed.libvirt.uri} ({@code qemu:///system} unless set). A remote URI
     * needs what {@code virsh -c URI list} needs: libvirtd running there and, for {@code qemu+ssh://}, an SSH login
     * without a password prompt ({@code ?keyfile=KEY}, a key in {@code ~/.ssh} or the ssh-agent, the host in
     * {@code ~/.ssh/known_hosts}; {@code qemu+libssh://} also takes {@code &known_hosts=FILE}) as a user allowed
     * to use libvirt's read-write socket (root, or a member of its {@code unix_sock_group}; README, "Remote libvirt
     * (qemu+ssh://)"). Testbed writes the machines' disks, seed images and console logs into the prefix on the
     * test JVM's host and hands libvirt their paths, and reaches the machines over the leased networks' host
     * bridges: the libvirt host must see the prefix root and the template cache under the same paths and route to
     * those networks, so in practice it is this host (reached over SSH) or one sharing the file system and
     * networks with it.
     */
    String libvirtUri() default "";
}
