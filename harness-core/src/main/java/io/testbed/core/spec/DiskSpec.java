package io.testbed.core.spec;

import org.apiguardian.api.API;

/**
 * An extra, empty data disk of a machine.
 *
 * @param name   unique within its machine, a DNS label
 * @param sizeMb size in MiB, positive
 */
@API(status = API.Status.EXPERIMENTAL)
public record DiskSpec(String name, int sizeMb) {

    public static final int MAX_SIZE_MB = 1024 * 1024;

    public DiskSpec {
        String element = "disk " + Problems.quote(name);
        Problems problems = new Problems().checkName(element, name);
        if (sizeMb <= 0 || sizeMb > MAX_SIZE_MB) {
            problems.add(element, "sizeMb", "must be between 1 and " + MAX_SIZE_MB + ", was " + sizeMb);
        }
        problems.throwIfAny();
    }
}
