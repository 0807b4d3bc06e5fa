package io.testbed.core.internal.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import org.apiguardian.api.API;

/** POSIX permission bits as numbers ({@code 0755}), the form SFTP, tar and {@code chmod} use, and back. */
@API(status = API.Status.INTERNAL)
public final class FileModes {

    /** {@code rw-------}: keys and other secrets. */
    public static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");
    /** {@code rwx------}: directories of secrets. */
    public static final Set<PosixFilePermission> OWNER_ONLY_DIRECTORY = PosixFilePermissions.fromString("rwx------");
    /** {@code rw-r--r--}: files another user (QEMU's) must read. */
    public static final Set<PosixFilePermission> READABLE_FILE = PosixFilePermissions.fromString("rw-r--r--");
    /** {@code rwxr-xr-x}: directories another user must traverse, and executables. */
    public static final Set<PosixFilePermission> READABLE_DIRECTORY = PosixFilePermissions.fromString("rwxr-xr-x");

    private FileModes() {}

    /** The permission bits of {@code permissions}, e.g. {@code 0640}. */
    public static int bits(Set<PosixFilePermission> permissions) {
        int bits = 0;
        for (PosixFilePermission permission : permissions) {
            bits |= bit(permission);
        }
        return bits;
    }

    /** The permissions of the low nine bits of {@code mode}; higher bits (file type, setuid) are ignored. */
    public static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
        for (PosixFilePermission permission : PosixFilePermission.values()) {
            if ((mode & bit(permission)) != 0) {
                permissions.add(permission);
            }
        }
        return permissions;
    }

    /**
     * The permission bits of a local file.
     *
     * @throws UnsupportedOperationException when its file system is not POSIX
     */
    public static int of(Path file) throws IOException {
        return bits(Files.getPosixFilePermissions(file));
    }

    /** OWNER_READ is bit 8 (0400), OTHERS_EXECUTE bit 0 (0001): the enum is declared in that order. */
    private static int bit(PosixFilePermission permission) {
        return 1 << (8 - permission.ordinal());
    }
}
