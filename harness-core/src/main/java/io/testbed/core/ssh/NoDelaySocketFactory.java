package io.testbed.core.ssh;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import javax.net.SocketFactory;
import org.apiguardian.api.API;

/**
 * Sockets for sshj without Nagle's algorithm: a command is a few small packets, each awaited before the next, and
 * Nagle's delay costs ~45 ms per command.
 */
@API(status = API.Status.INTERNAL)
public final class NoDelaySocketFactory extends SocketFactory {

    /** The one instance; it holds no state. */
    public static final NoDelaySocketFactory INSTANCE = new NoDelaySocketFactory();

    private NoDelaySocketFactory() {}

    @Override
    public Socket createSocket() throws IOException {
        Socket socket = new Socket();
        socket.setTcpNoDelay(true);
        return socket;
    }

    @Override
    public Socket createSocket(String host, int port) {
        throw new UnsupportedOperationException("sshj connects unconnected sockets itself");
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) {
        throw new UnsupportedOperationException("sshj connects unconnected sockets itself");
    }

    @Override
    public Socket createSocket(InetAddress host, int port) {
        throw new UnsupportedOperationException("sshj connects unconnected sockets itself");
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) {
        throw new UnsupportedOperationException("sshj connects unconnected sockets itself");
    }
}
