package io.testbed.core.ssh;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What an {@link SshTransport} connects to and how patiently, as validated by {@link SshTransportBuilder}.
 *
 * @param sftp whether files may move over SFTP when the server offers it (otherwise always with {@code cat})
 */
record SshSettings(
        String host,
        int port,
        String user,
        Path privateKey,
        PinnedHostKey hostKey,
        Duration connectTimeout,
        Duration handshakeTimeout,
        Duration requestTimeout,
        Duration reconnectTimeout,
        boolean sftp) {

    /** {@code user@host:port}, with an IPv6 host in brackets. */
    String target() {
        return user + "@" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
