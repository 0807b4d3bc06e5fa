package io.testbed.junit;

import io.testbed.core.spec.ExistingHostOptions;
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
 * Declares an existing machine of the test class's environment: a host from the SSH inventory, chosen by what it
 * must offer rather than by name (add the {@code testbed-ssh} dependency). It is a {@link io.testbed.core.Machine}
 * like a VM — {@code run}, jobs, files, settings — injected with {@link Host @Host} or {@link Role @Role}, and may sit
 * in one class with {@link VM @VM}s and {@link DockerHost @DockerHost}s.
 *
 * <pre>{@code
 * @SshHost(name = "server", requires = {"memory >= 4 GiB", "nics >= 2"}, roles = "lab", segments = "a")
 * @SshHost(name = "client", requires = "arch = x86_64", segments = "a") // on the same segment as server
 * class LabIT { ... }
 * }</pre>
 *
 * <p>Every machine of the class gets its own inventory host such that all requirements, roles and segments hold;
 * the hosts are leased exclusively for the class's environment (other JVMs wait for them) and released after it.
 * The inventory comes from {@code testbed.ssh.inventory} (default {@code testbed-inventory.yaml} on the test class
 * path); its format, the requirement grammar and leasing are in the README ("Existing hosts over SSH").
 *
 * <p>An existing host is never snapshotted, rebooted or reinstalled: between tests the harness kills the test's
 * background jobs and restores the settings it changed through the machine API, nothing more. A class whose only
 * machines are existing hosts and whose {@link Prefix @Prefix} asks for reverts is a misuse (say
 * {@code revert = Revert.NEVER}, or put the state to reset on a {@link VM @VM}); in a mixed class the VMs and
 * containers are reverted and the existing hosts are cleaned up as above.
 *
 * <p>Errors, reported before anything is provisioned: a malformed requirement (quoted, with the grammar), a missing
 * or invalid inventory (every problem of the file), and no way to match (for every machine, each host and the first
 * requirement it failed: {@code lab-3: memory 2 GiB < 4 GiB}).
 */
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@Repeatable(SshHosts.class)
@ExtendWith(TestbedExtension.class)
@API(status = API.Status.EXPERIMENTAL)
public @interface SshHost {

    /** The provider that supplies these machines. */
    String PROVIDER = ExistingHostOptions.PROVIDER;

    /** The machine's name in the test, unique in the environment, a lower-case DNS label ({@code [a-z][a-z0-9-]{0,30}}). */
    String name();

    /**
     * What the host must meet, each {@code property operator value}: operators {@code = != < <= > >= ~ !~}
     * ({@code ~} a regular expression), sizes with units ({@code memory >= 4 GiB}), properties from the inventory or
     * probed over SSH ({@code cpus}, {@code memory}, {@code kernel}, {@code arch}, {@code nics}, {@code drivers}) and
     * built in ({@code hostname}, {@code address}, {@code port}, {@code user}); e.g. {@code "hostname ~ ^lab-"}.
     */
    String[] requires() default {};

    /** Roles the inventory host must have; they are also the machine's roles for {@link Role @Role}. */
    String[] roles() default {};

    /**
     * One entry per NIC the machine needs, by a segment label of the test's choosing: machines that list the same
     * label get hosts with NICs on one inventory network. {@code machine.address(label)} is that NIC's address.
     */
    String[] segments() default {};

    /** Free-form properties as {@code key=value}, added to the inventory host's own. */
    String[] properties() default {};

    /** Absolute paths on the host that are downloaded and attached to the report when a test fails. */
    String[] collect() default {};
}
