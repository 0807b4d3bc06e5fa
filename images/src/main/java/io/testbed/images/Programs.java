package io.testbed.images;

import io.testbed.core.internal.support.LocalCommand;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The programs this module runs, through the support layer's {@link LocalCommand}: each gets an install hint
 * naming its Debian package, and a failure is thrown as a {@link TemplateException} (what callers catch).
 */
final class Programs {

    /** Which Debian package provides a program we call, for "install X" hints. */
    private static final Map<String, String> PROVIDING_PACKAGE = Map.of(
            "qemu-img", "qemu-utils",
            "qemu-system-x86_64", "qemu-system-x86",
            "genisoimage", "genisoimage",
            "mkfs.ext4", "e2fsprogs",
            "cpio", "cpio",
            "dpkg-deb", "dpkg",
            "apt-get", "apt",
            "apt-cache", "apt");

    private Programs() {}

    /** The program {@code command[0]} with its arguments, with an install hint when its package is known. */
    static LocalCommand of(String... command) {
        return of(List.of(command));
    }

    /** The program {@code command.get(0)} with its arguments, with an install hint when its package is known. */
    static LocalCommand of(List<String> command) {
        LocalCommand local = LocalCommand.of(command);
        String program = Path.of(command.get(0)).getFileName().toString();
        String providingPackage = PROVIDING_PACKAGE.get(program);
        if (providingPackage != null) {
            local.installHint("install it (Debian package " + providingPackage + ")");
        }
        return local;
    }

    /**
     * Runs {@code command} and requires exit status 0 ({@link LocalCommand#check}).
     *
     * @param what what the program does, for the message: "Cannot {@code what}: `…` exited with 1: …"
     * @throws TemplateException naming the command line, the exit status and the end of standard error
     */
    static LocalCommand.Result check(LocalCommand command, String what) {
        try {
            return command.check(what);
        } catch (LocalCommand.FailedException e) {
            throw new TemplateException(e.getMessage(), e);
        }
    }

    /**
     * Runs {@code command} whatever its exit status ({@link LocalCommand#run}).
     *
     * @throws TemplateException when it cannot start, outlives its timeout or is interrupted
     */
    static LocalCommand.Result run(LocalCommand command) {
        try {
            return command.run();
        } catch (LocalCommand.FailedException e) {
            throw new TemplateException(e.getMessage(), e);
        }
    }
}
