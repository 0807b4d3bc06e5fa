package io.testbed.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalDouble;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Watches a tiny guest's serial console log for its {@code TESTBED-READY} line (printed once dropbear listens)
 * and the {@code TESTBED-UPTIME} line before it, polling every {@value #POLL_MS} ms from a daemon thread. This
 * splits a boot into host side (QEMU start up to the guest kernel), guest (kernel to dropbear listening, the
 * guest's own uptime) and SSH (marker seen to first command answered).
 */
final class ConsoleWatcher implements AutoCloseable {

    static final long POLL_MS = 5;
    private static final Pattern UPTIME = Pattern.compile("TESTBED-UPTIME ([0-9.]+)");

    private final Path console;
    private final long startedNanos;
    private final CountDownLatch seen = new CountDownLatch(1);
    private final Thread thread;
    private volatile long readyNanos;
    private volatile double uptimeSeconds = Double.NaN;
    private volatile boolean stopped;

    private ConsoleWatcher(Path console, long startedNanos) {
        this.console = console;
        this.startedNanos = startedNanos;
        this.thread = new Thread(this::poll, "bench-console-" + console.getFileName());
        this.thread.setDaemon(true);
    }

    /** Starts watching {@code console} (it may not exist yet); times count from now. */
    static ConsoleWatcher start(Path console) {
        ConsoleWatcher watcher = new ConsoleWatcher(console, System.nanoTime());
        watcher.thread.start();
        return watcher;
    }

    private void poll() {
        while (!stopped) {
            try {
                if (Files.exists(console)) {
                    String text = new String(Files.readAllBytes(console), StandardCharsets.ISO_8859_1);
                    if (text.contains("TESTBED-READY")) {
                        readyNanos = System.nanoTime();
                        Matcher m = UPTIME.matcher(text);
                        if (m.find()) {
                            uptimeSeconds = Double.parseDouble(m.group(1));
                        }
                        seen.countDown();
                        return;
                    }
                }
                Thread.sleep(POLL_MS);
            } catch (IOException e) {
                // QEMU may be creating or reopening the log; try again at the next poll
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Milliseconds from {@link #start} until the ready line was seen; empty when it was not (yet). */
    OptionalDouble readyAfterMs(long waitMs) {
        try {
            if (!seen.await(waitMs, TimeUnit.MILLISECONDS)) {
                return OptionalDouble.empty();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OptionalDouble.empty();
        }
        return OptionalDouble.of((readyNanos - startedNanos) / 1e6);
    }

    /** The guest's uptime when it printed the ready line, in ms; empty when unknown. */
    OptionalDouble guestUptimeMs() {
        return Double.isNaN(uptimeSeconds) ? OptionalDouble.empty() : OptionalDouble.of(uptimeSeconds * 1000);
    }

    @Override
    public void close() {
        stopped = true;
        thread.interrupt();
    }
}
