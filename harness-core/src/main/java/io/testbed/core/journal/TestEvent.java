package io.testbed.core.journal;

import java.time.Duration;
import java.time.Instant;
import org.apiguardian.api.API;

/**
 * Test boundaries, recorded by the JUnit extension: which test class and which test ran when, and how they ended.
 * Tests are named by JUnit's unique id, which {@link CommandEvent#test()} refers to.
 */
@API(status = API.Status.EXPERIMENTAL)
public sealed interface TestEvent extends Event {

    /** How a test or a test class ended. */
    enum Result {
        PASSED,
        FAILED,
        ABORTED,
        SKIPPED
    }

    /** Test class {@code testClass} began (its {@code @BeforeAll} runs now). */
    record ClassStarted(Instant time, String environment, String testClass, String uniqueId, String displayName)
            implements TestEvent {}

    /** Test class {@code testClass} ended after {@code duration}; {@code failure} is null unless it failed. */
    record ClassFinished(
            Instant time,
            String environment,
            String testClass,
            String uniqueId,
            Result result,
            Duration duration,
            String failure)
            implements TestEvent {}

    /** Test {@code method} of {@code testClass} began. */
    record TestStarted(
            Instant time, String environment, String testClass, String method, String displayName, String uniqueId)
            implements TestEvent {}

    /**
     * Test {@code method} ended with {@code result} after {@code duration} (zero for a skipped one);
     * {@code failure} is the failure's or the abort's message, or the reason a test was skipped, else null.
     */
    record TestFinished(
            Instant time,
            String environment,
            String testClass,
            String method,
            String displayName,
            String uniqueId,
            Result result,
            Duration duration,
            String failure)
            implements TestEvent {}
}
