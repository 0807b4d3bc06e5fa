package io.testbed.cli;

import java.util.Objects;

/**
 * One finding of {@code testbed doctor}: a prerequisite, its state, what was found and, unless it passed, how to fix
 * it.
 *
 * @param item   what was checked, e.g. {@code dockerd}
 * @param status PASS, WARN (works, but less well or not for everything) or FAIL (Testbed cannot work as it should)
 * @param detail what was found
 * @param fix    what to do; null for PASS
 */
record Check(String item, Status status, String detail, String fix) {

    /** How a prerequisite stands. */
    enum Status {
        PASS,
        WARN,
        FAIL
    }

    Check {
        Objects.requireNonNull(item, "item");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(detail, "detail");
    }

    static Check pass(String item, String detail) {
        return new Check(item, Status.PASS, detail, null);
    }

    static Check warn(String item, String detail, String fix) {
        return new Check(item, Status.WARN, detail, fix);
    }

    static Check fail(String item, String detail, String fix) {
        return new Check(item, Status.FAIL, detail, fix);
    }
}
