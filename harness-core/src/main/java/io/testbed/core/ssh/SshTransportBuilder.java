package io.testbed.core.ssh;

import io.testbed.core.TestbedException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import org.apiguardian.api.API;

/** Builder for {@link SshTransport} ({@link SshTransport#builder()}); setters validate at once. */
@API(status = API.Status.INTERNAL)
public final class SshTransportBuilder {
    private String host;
    private int port = 22;
    private String user;
    private Path privateKey;
    private PinnedHostKey hostKey;
    private Duration connectTimeout = SshTransport.DEFAULT_CONNECT_TIMEOUT;
    private Duration handshakeTimeout = SshTransport.DEFAULT_HANDSHAKE_TIMEOUT;
    private Duration requestTimeout = SshTransport.DEFAULT_REQUEST_TIMEOUT;
    private Duration reconnectTimeout = SshTransport.DEFAULT_RECONNECT_TIMEOUT;
    private boolean sftp = true;

    SshTransportBuilder() {}

    /** The server's host name or address. */
    public SshTransportBuilder host(String host) {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host (" + host + ") must not be blank");
        }
        this.host = host;
        return this;
    }

    /** The server's port (default 22). */
    public SshTransportBuilder port(int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port (" + port + ") must be between 1 and 65535");
        }
        this.port = port;
        return this;
    }

    /** The user to log in as. */
    public SshTransportBuilder user(String user) {
        if (user == null || user.isBlank()) {
            throw new IllegalArgumentException("user (" + user + ") must not be blank");
        }
        this.user = user;
        return this;
    }

    /** The unencrypted OpenSSH private key file, e.g. the prefix key from {@link SshKeys#generate}. */
    public SshTransportBuilder privateKey(Path privateKey) {
        this.privateKey = Objects.requireNonNull(privateKey, "privateKey");
        return this;
    }

    /** The only host key the server may present. */
    public SshTransportBuilder hostKey(PinnedHostKey hostKey) {
        this.hostKey = Objects.requireNonNull(hostKey, "hostKey");
        return this;
    }

    /** The only host key the server may present, as an OpenSSH public key line. */
    public SshTransportBuilder hostKey(String publicKeyLine) {
        return hostKey(PinnedHostKey.parse(publicKeyLine));
    }

    /** TCP connect timeout of each attempt (default 1 s). */
    public SshTransportBuilder connectTimeout(Duration timeout) {
        this.connectTimeout = positive("connectTimeout", timeout);
        return this;
    }

    /** Key exchange and authentication time limit of each attempt (default 5 s). */
    public SshTransportBuilder handshakeTimeout(Duration timeout) {
        this.handshakeTimeout = positive("handshakeTimeout", timeout);
        return this;
    }

    /** How long the server may take to answer one request (default 30 s). */
    public SshTransportBuilder requestTimeout(Duration timeout) {
        this.requestTimeout = positive("requestTimeout", timeout);
        return this;
    }

    /** How long a transparent reconnect keeps trying (default 30 s). */
    public SshTransportBuilder reconnectTimeout(Duration timeout) {
        this.reconnectTimeout = positive("reconnectTimeout", timeout);
        return this;
    }

    /** Whether to copy files over SFTP when the server offers it (default); otherwise always with {@code cat}. */
    public SshTransportBuilder sftp(boolean useSftp) {
        this.sftp = useSftp;
        return this;
    }

    /**
     * Builds the transport; no connection is made until the first call.
     *
     * @throws IllegalStateException naming the missing setting
     * @throws TestbedException when the private key cannot be loaded
     */
    public SshTransport build() {
        for (Object[] required :
                new Object[][] {{"host", host}, {"user", user}, {"privateKey", privateKey}, {"hostKey", hostKey}}) {
            if (required[1] == null) {
                throw new IllegalStateException("SshTransport." + required[0] + "(…) must be set before build()");
            }
        }
        return new SshTransport(new SshSettings(
                host,
                port,
                user,
                privateKey,
                hostKey,
                connectTimeout,
                handshakeTimeout,
                requestTimeout,
                reconnectTimeout,
                sftp));
    }

    private static Duration positive(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " (" + value + ") must be positive");
        }
        return value;
    }
}
