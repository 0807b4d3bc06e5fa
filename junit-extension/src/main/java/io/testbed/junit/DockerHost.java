package io.testbed.junit;

import io.testbed.core.spec.ContainerOptions;
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
 * Declares a container machine of the test class's environment, created by the Docker provider (add the
 * {@code testbed-docker} dependency). A container is a {@link io.testbed.core.Machine} like a VM: the same
 * {@code run}, jobs, files and settings API, injected with {@link Host @Host} or {@link Role @Role}. It may share
 * an {@link Network @Network} with VMs: both get addresses from the same leased subnet on one L2 segment.
 *
 * <p>No registry is ever contacted: the image must exist locally; the default is the tiny root file system the
 * VM template uses, imported as a local image. A revert between tests recreates the container from a commit of
 * its file system: files come back, memory and processes do not (they restart from {@link #command()}).
 *
 * <p>Named {@code DockerHost} so it does not clash with Testcontainers' {@code @Container}. Errors are reported
 * like {@link VM @VM}'s, e.g. {@code @DockerHost(name = "api") env entry "X" must be NAME=value}, and a missing
 * image is reported before anything is provisioned.
 */
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@Repeatable(DockerHosts.class)
@ExtendWith(TestbedExtension.class)
@API(status = API.Status.EXPERIMENTAL)
public @interface DockerHost {

    /** The provider that creates these machines. */
    String PROVIDER = ContainerOptions.PROVIDER;

    /**
     * The machine's name, unique in the environment, a lower-case DNS label of at most 31 characters
     * ({@code [a-z][a-z0-9-]{0,30}}); also the container's hostname.
     */
    String name();

    /** A local image by name ({@code nginx:1.27}); empty (the default) is the tiny image built from the VM template. */
    String image() default "";

    /** The networks (declared with {@link Network @Network}) the container is attached to, in NIC order. */
    String[] networks() default {};

    /** The roles the machine plays, for {@link Role @Role} and {@code Environment.machines(expression)}. */
    String[] roles() default {};

    /** Environment variables of the container as {@code NAME=value}. */
    String[] env() default {};

    /** The container's command (run by {@code sh -c}); empty keeps an idle, reaping PID 1 so exec works. */
    String command() default "";

    /** Linux capabilities added to the container; NET_ADMIN is always added (network emulation needs it). */
    String[] capabilities() default {};

    /** CPU limit, 1–64. */
    int cpus() default 1;

    /** Memory limit in MiB, at least 32. */
    int memoryMb() default 256;

    /** Free-form properties as {@code key=value}, handed to the provider and readable from the machine. */
    String[] properties() default {};

    /** Absolute paths in the container that are downloaded and attached to the report when a test fails. */
    String[] collect() default {};
}
