package io.testbed.bench;

import io.testbed.junit.Network;
import io.testbed.junit.Prefix;
import io.testbed.junit.Revert;
import io.testbed.junit.VM;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The test classes {@link ExtensionBench} runs through the JUnit Platform Launcher: the same empty tests, once on
 * a plain class and once on a class with a real 1-VM Testbed environment that is never reverted. Each method is
 * one run of {@value #TESTS_PER_RUN} tests; a run is selected by method name. Not run by Surefire (they live in
 * the main source set and are not named {@code *Test}).
 */
public final class ExtensionFixtures {

    /** Empty tests per run (per method). */
    public static final int TESTS_PER_RUN = 1000;
    /** How many runs the classes hold: one warm-up and up to ten measured. */
    public static final int RUNS = 11;

    private ExtensionFixtures() {}

    /** The empty tests, inherited by both classes. */
    @TestMethodOrder(MethodOrderer.MethodName.class)
    public abstract static class EmptyTests {
        @RepeatedTest(TESTS_PER_RUN)
        void run00() {}

        @RepeatedTest(TESTS_PER_RUN)
        void run01() {}

        @RepeatedTest(TESTS_PER_RUN)
        void run02() {}

        @RepeatedTest(TESTS_PER_RUN)
        void run03() {}

        @RepeatedTest(TESTS_PER_RUN)
        void run04() {}

        @RepeatedTest(TESTS_PER_RUN)
        void run05() {}

        @RepeatedTest(TESTS_PER_RUN)
        void run06() {}

        @RepeatedTest(TESTS_PER_RUN)
        void run07() {}

        @RepeatedTest(TESTS_PER_RUN)
        void run08() {}

        @RepeatedTest(TESTS_PER_RUN)
        void run09() {}

        @RepeatedTest(TESTS_PER_RUN)
        void run10() {}
    }

    /** Plain JUnit: no extension. */
    public static class PlainJUnit extends EmptyTests {}

    /** A real tiny VM, provisioned once before the first test, never reverted, torn down after the class. */
    @Prefix(name = "bench-ext", revert = Revert.NEVER)
    @Network(name = "lan")
    @VM(name = "vm1", memoryMb = Bed.VM_MEMORY_MB, networks = "lan")
    public static class WithTestbed extends EmptyTests {}
}
