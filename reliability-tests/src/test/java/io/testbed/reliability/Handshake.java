package io.testbed.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A two-file hand-shake between an IT and the test class it runs in another JVM, so that the IT acts at a known step
 * of the test rather than after a guessed sleep: the victim says it {@link #reached} the step and waits until the IT
 * says {@link #go}.
 *
 * @param dir the run's directory, shared by both JVMs
 */
record Handshake(Path dir) {

    private static final Duration VICTIM_WAIT = Duration.ofMinutes(5);

    /** The hand-shake of the forked JVM's run ({@link ForkedTestClass#RUN_PROPERTY}). */
    static Handshake ofThisRun() {
        return new Handshake(Path.of(System.getProperty(ForkedTestClass.RUN_PROPERTY)));
    }

    /** Victim side: says it reached the step, then waits for {@link #go} (at most five minutes). */
    void reachedThenWait() throws InterruptedException {
        touch("reached");
        long deadline = System.nanoTime() + VICTIM_WAIT.toNanos();
        while (!Files.exists(dir.resolve("go"))) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the IT never said go (" + dir.resolve("go") + ")");
            }
            Thread.sleep(50);
        }
    }

    /** IT side: whether the victim reached the step within {@code timeout}; false when it ended first. */
    boolean awaitReached(Process victim, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(dir.resolve("reached"))) {
                return true;
            }
            if (!victim.isAlive()) {
                return false;
            }
            Thread.sleep(50);
        }
        return false;
    }

    /** IT side: lets the victim go on. */
    void go() {
        touch("go");
    }

    private void touch(String name) {
        try {
            Files.writeString(dir.resolve(name), "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
