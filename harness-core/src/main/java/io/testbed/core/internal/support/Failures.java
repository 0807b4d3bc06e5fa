package io.testbed.core.internal.support;

import org.apiguardian.api.API;

/** Cleanup that tries every step although one failed: the first failure is thrown, the later ones suppressed in it. */
@API(status = API.Status.INTERNAL)
public final class Failures {

    private Failures() {}

    /**
     * {@code next} when there is no failure yet, else {@code first} with {@code next} added as suppressed.
     *
     * <pre>{@code
     * RuntimeException failure = null;
     * try { stepOne(); } catch (RuntimeException e) { failure = Failures.add(failure, e); }
     * try { stepTwo(); } catch (RuntimeException e) { failure = Failures.add(failure, e); }
     * if (failure != null) { throw failure; }
     * }</pre>
     */
    public static RuntimeException add(RuntimeException first, RuntimeException next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }
}
