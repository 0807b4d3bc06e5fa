package io.testbed.provider.libvirt;

import io.testbed.core.TestbedException;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;

/**
 * One libvirt connection, shared by every thread of a session (libvirt connections are thread-safe). Opening
 * fails with a message that says how to start libvirtd.
 */
final class LibvirtConnection implements AutoCloseable {

    private static volatile boolean errorCallbackSet;

    private final String uri;
    private final Connect connect;

    private LibvirtConnection(String uri, Connect connect) {
        this.uri = uri;
        this.connect = connect;
    }

    static LibvirtConnection open(String uri) {
        silenceStderr();
        try {
            return new LibvirtConnection(uri, new Connect(uri));
        } catch (LibvirtException e) {
            throw new TestbedException("Cannot connect to libvirt at " + uri + ": " + e.getMessage()
                    + "; start the daemons with `sudo bash scripts/setup-host.sh` (it runs virtlogd and libvirtd),"
                    + " or set testbed.libvirt.uri", e);
        } catch (UnsatisfiedLinkError e) {
            throw new TestbedException("Cannot load libvirt's C library (libvirt.so.0): " + e.getMessage()
                    + "; install libvirt-clients / libvirt0 with `sudo bash scripts/setup-host.sh`", e);
        }
    }

    /** libvirt prints every error to stderr by default; Testbed reports errors itself, with context. */
    private static void silenceStderr() {
        if (errorCallbackSet) {
            return;
        }
        synchronized (LibvirtConnection.class) {
            if (!errorCallbackSet) {
                try {
                    Connect.setErrorCallback((userData, error) -> { });
                } catch (LibvirtException ignored) {
                    // errors still surface as exceptions; only the stderr copy stays
                }
                errorCallbackSet = true;
            }
        }
    }

    String uri() {
        return uri;
    }

    Connect connect() {
        return connect;
    }

    /** A libvirt call that may fail. */
    interface Call<T> {
        T call(Connect connect) throws LibvirtException;
    }

    /** Runs a libvirt call, turning its failure into a TestbedException saying what was attempted. */
    <T> T call(String what, Call<T> call) {
        try {
            return call.call(connect);
        } catch (LibvirtException e) {
            throw new TestbedException("libvirt (" + uri + ") failed to " + what + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            connect.close();
        } catch (LibvirtException e) {
            throw new TestbedException("Cannot close libvirt connection " + uri + ": " + e.getMessage(), e);
        }
    }
}
