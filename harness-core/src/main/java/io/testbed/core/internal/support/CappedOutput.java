package io.testbed.core.internal.support;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.apiguardian.api.API;

/**
 * A command's output kept in memory up to a limit; what comes later is counted and dropped, so a runaway command
 * cannot exhaust the heap while its stream is still read to the end. When something was dropped,
 * {@link #toByteArray()} ends with a marker line saying how much, so a reader never takes a cut output for the
 * whole. Thread-safe.
 */
@API(status = API.Status.INTERNAL)
public final class CappedOutput extends OutputStream {

    private final int limit;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private long dropped; // guarded by this

    /**
     * @param limit how many bytes to keep
     * @throws IllegalArgumentException when {@code limit} is negative
     */
    public CappedOutput(int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit (" + limit + ") must not be negative");
        }
        this.limit = limit;
    }

    @Override
    public synchronized void write(int b) {
        if (bytes.size() < limit) {
            bytes.write(b);
        } else {
            dropped++;
        }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        int kept = Math.max(0, Math.min(limit - bytes.size(), len));
        bytes.write(b, off, kept);
        dropped += len - kept;
    }

    /** Appends a whole chunk; see {@link #write(byte[], int, int)}. */
    public void append(byte[] chunk) {
        write(chunk, 0, chunk.length);
    }

    /** How many bytes were dropped so far. */
    public synchronized long dropped() {
        return dropped;
    }

    /** The bytes kept so far, followed by {@link #marker} when some were dropped. */
    public synchronized byte[] toByteArray() {
        if (dropped == 0) {
            return bytes.toByteArray();
        }
        byte[] kept = bytes.toByteArray();
        byte[] marker = marker(limit, dropped).getBytes(StandardCharsets.UTF_8);
        byte[] all = java.util.Arrays.copyOf(kept, kept.length + marker.length);
        System.arraycopy(marker, 0, all, kept.length, marker.length);
        return all;
    }

    /** The line that ends a capped output: how many bytes were kept and how many dropped. */
    public static String marker(int limit, long dropped) {
        return "\n[testbed: output capped at " + limit + " bytes; " + dropped + " more bytes were dropped]\n";
    }
}
