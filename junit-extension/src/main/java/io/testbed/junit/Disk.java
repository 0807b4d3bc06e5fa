package io.testbed.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.apiguardian.api.API;

/**
 * An extra, empty data disk of a machine, declared only inside {@link VM#disks()}:
 * {@code @VM(name = "db", disks = @Disk(name = "data", sizeMb = 64))}. The guest sees the disks in declaration
 * order after its root disk.
 *
 * <p>Errors (reported before anything is provisioned): a name that is not a DNS label of at most 31 characters,
 * a size outside 1 MiB–1 TiB, two disks of one machine with the same name.
 */
@Target({})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@API(status = API.Status.EXPERIMENTAL)
public @interface Disk {

    /** The disk's name, unique within its machine, a lower-case DNS label ({@code [a-z][a-z0-9-]{0,30}}). */
    String name();

    /** The size in MiB, at least 1. */
    int sizeMb();
}
