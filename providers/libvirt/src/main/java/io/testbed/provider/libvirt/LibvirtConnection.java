package io.testbed.provider.libvirt;

import io.testbed.core.TestbedException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.libvirt.Connect;
import org.libvirt.Error;
import org.libvirt.LibvirtException;

/**
 * One libvirt connection, shared by every thread of a session (libvirt connections are thread-safe). Opening
 * fails with a message that says what to do: start the local daemons, or check the remote host and the SSH login.
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
            throw new TestbedException(
                    "Cannot connect to libvirt at " + uri + ": " + e.getMessage() + "; "
                            + advice(uri, setupScript(Path.of("").toAbsolutePath())),
                    e);
        } catch (UnsatisfiedLinkError e) {
            throw new TestbedException(
                    "Cannot load libvirt's C library (libvirt.so.0): " + e.getMessage()
                            + "; install the packages libvirt0 and libvirt-clients ("
                            + setupScriptCommand(setupScript(Path.of("").toAbsolutePath())) + " does that)",
                    e);
        }
    }

    /**
     * The connection URI spelled one way per daemon, as the reaper compares endpoints ({@link
     * io.testbed.core.spi.Provider#endpoint}): scheme in lower case, the default local transport ({@code +unix}
     * without a host) left out, no trailing slash ({@code QEMU+unix:///system/} is {@code qemu:///system}); the host,
     * user and parameters kept (another host or socket is another daemon). An unparsable URI is kept as written.
     */
    static String normalisedUri(String uri) {
        URI parsed;
        try {
            parsed = new URI(uri.strip());
        } catch (URISyntaxException unparsable) {
            return uri.strip();
        }
        if (parsed.getScheme() == null || parsed.isOpaque()) {
            return uri.strip();
        }
        String scheme = parsed.getScheme().toLowerCase(Locale.ROOT);
        String authority = parsed.getRawAuthority() == null ? "" : parsed.getRawAuthority();
        if (authority.isEmpty() && scheme.endsWith("+unix")) {
            scheme = scheme.substring(0, scheme.length() - "+unix".length());
        }
        String path = parsed.getRawPath() == null ? "" : parsed.getRawPath().replaceAll("/+$", "");
        String query = parsed.getRawQuery() == null ? "" : "?" + parsed.getRawQuery();
        return scheme + "://" + authority + path + query;
    }

    /**
     * What to do when connecting to {@code uri} failed: for a remote URI ({@code qemu+ssh://user@host/system},
     * {@code qemu+libssh://…}), check the daemon, the SSH login and the remote user's access to libvirt there; for a
     * local one, start the daemons.
     *
     * @param setupScript Testbed's {@code scripts/setup-host.sh} when the tests run in a Testbed checkout, else
     *                    {@code null} (a user's own project)
     */
    static String advice(String uri, Path setupScript) {
        String check = "; check with `virsh -c " + uri + " list`";
        String host = remoteHost(uri);
        if (host != null) {
            boolean ssh = uri.contains("+ssh") || uri.contains("+libssh");
            return "check that libvirtd (and virtlogd) run on " + host
                    + (ssh
                            ? ", that this user logs in there over SSH without a password prompt (a key in ~/.ssh or the"
                                    + " ssh-agent or given as ?keyfile=, the host in ~/.ssh/known_hosts or, for"
                                    + " qemu+libssh://, in &known_hosts=) and that the remote user may use libvirt's read-write"
                                    + " socket (root, or a member of libvirtd.conf's unix_sock_group with auth_unix_rw ="
                                    + " \"none\": \"Unable to get system bus connection\" is polkit refusing it)"
                            : " and accept connections on this transport")
                    + check;
        }
        return "start the daemons virtlogd and libvirtd (" + setupScriptCommand(setupScript)
                + " installs and starts them)" + check + "; or point testbed.libvirt.uri at another libvirt";
    }

    /** The host part of a remote libvirt URI ({@code qemu+ssh://user@host:22/system} → {@code host}), or null. */
    static String remoteHost(String uri) {
        try {
            String host = java.net.URI.create(uri).getHost();
            return host == null || host.isEmpty() ? null : host;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String setupScriptCommand(Path setupScript) {
        return setupScript == null
                ? "`bash scripts/setup-host.sh` of the Testbed repository, as root,"
                : "`bash " + setupScript + "`, as root,";
    }

    /**
     * Testbed's set-up script when {@code workingDir} is a Testbed checkout or a module in it (up to two levels
     * down, as {@code providers/libvirt}), else null.
     */
    static Path setupScript(Path workingDir) {
        Path dir = workingDir;
        for (int up = 0; up <= 2 && dir != null; up++, dir = dir.getParent()) {
            Path script = dir.resolve("scripts/setup-host.sh");
            if (Files.isRegularFile(script)) {
                return script;
            }
        }
        return null;
    }

    /** libvirt prints every error to stderr by default; Testbed reports errors itself, with context. */
    private static void silenceStderr() {
        if (errorCallbackSet) {
            return;
        }
        synchronized (LibvirtConnection.class) {
            if (!errorCallbackSet) {
                try {
                    Connect.setErrorCallback((userData, error) -> {});
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
            if (!alive()) {
                throw new TestbedException(
                        "libvirtd at " + uri + " stopped answering while trying to " + what + " (" + e.getMessage()
                                + "). The QEMU processes outlive it: start libvirtd again ("
                                + setupScriptCommand(setupScript(Path.of("").toAbsolutePath()))
                                + " does), then testbed janitor removes what is left",
                        e);
            }
            throw new TestbedException("libvirt (" + uri + ") failed to " + what + ": " + e.getMessage(), e);
        }
    }

    /** Whether the daemon still answers on this connection (a killed libvirtd closes it for good). */
    boolean alive() {
        try {
            return connect.isAlive();
        } catch (LibvirtException closed) {
            return false;
        }
    }

    /**
     * Whether a lookup failed because the domain or network does not exist, rather than because libvirtd did not
     * answer: only then may a removal treat the object as gone.
     */
    static boolean notFound(LibvirtException e) {
        Error.ErrorNumber code = e.getError() == null ? null : e.getError().getCode();
        return code == Error.ErrorNumber.VIR_ERR_NO_DOMAIN || code == Error.ErrorNumber.VIR_ERR_NO_NETWORK;
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
