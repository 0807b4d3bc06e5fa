package io.testbed.core.machine;

import io.testbed.core.TestbedException;
import io.testbed.core.internal.support.Deadline;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Objects;

/**
 * {@link io.testbed.core.Machine#waitForPort}: TCP connection attempts from the test JVM to a machine's address,
 * until one is accepted. Needs no transport, only an address the JVM can reach.
 */
final class PortProbe {

    /** Per-attempt connect timeout. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);
    /** Pause between attempts. */
    static final Duration POLL_INTERVAL = Duration.ofMillis(100);

    private final String machine;
    private final InetAddress address;
    private final MachineJournal journal;

    /**
     * @param address where to connect, or {@code null} when the machine has no address the JVM can reach
     */
    PortProbe(String machine, InetAddress address, MachineJournal journal) {
        this.machine = machine;
        this.address = address;
        this.journal = journal;
    }

    /**
     * Waits until {@code port} accepts a TCP connection.
     *
     * @throws IllegalArgumentException when the port or timeout is out of range
     * @throws TestbedException         naming machine, address, port, attempts and the last error when it does not
     */
    void await(int port, Duration timeout) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port (" + port + ") must be between 1 and 65535");
        }
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout (" + timeout + ") must be positive");
        }
        if (address == null) {
            throw new TestbedException("Machine '" + machine + "' has no address the test JVM can reach, so"
                    + " waitForPort(" + port + ") cannot connect; give it a network or a probe address");
        }
        Deadline deadline = Deadline.after(timeout);
        IOException last = null;
        int attempts = 0;
        while (attempts == 0 || !deadline.expired()) {
            attempts++;
            int connectMillis = (int) deadline.attemptTimeout(CONNECT_TIMEOUT).toMillis();
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(address, port), connectMillis);
                journal.portWaited(address.getHostAddress(), port, true, deadline.elapsed());
                return;
            } catch (IOException e) {
                last = e;
            }
            try {
                deadline.pause(POLL_INTERVAL);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TestbedException(
                        "Interrupted while waiting for port " + port + " of machine '" + machine + "'", e);
            }
        }
        journal.portWaited(address.getHostAddress(), port, false, deadline.elapsed());
        throw new TestbedException("Port " + port + " of machine '" + machine + "' (" + address.getHostAddress()
                + ") did not accept a TCP connection within " + timeout.toMillis() + " ms (" + attempts
                + " attempts, last error: " + last + "). Check that the service started and listens on that"
                + " address (e.g. run 'netstat -ltn' on the machine), or raise the timeout if it starts slowly.");
    }
}
