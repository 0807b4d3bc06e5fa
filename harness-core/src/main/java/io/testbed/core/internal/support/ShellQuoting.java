package io.testbed.core.internal.support;

import org.apiguardian.api.API;

/** Quoting for POSIX {@code sh} (dash, busybox ash, bash): any text becomes one word, taken literally. */
@API(status = API.Status.INTERNAL)
public final class ShellQuoting {

    private ShellQuoting() {}

    /**
     * {@code text} in single quotes, each {@code '} written as {@code '\''}: inside single quotes the shell
     * interprets nothing, so this is the one quoting that needs no list of special characters.
     *
     * @throws IllegalArgumentException when {@code text} contains a NUL character, which no shell word can hold
     */
    public static String quote(String text) {
        if (text.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(
                    "a shell word must not contain a NUL character: " + text.replace("\0", "\\0"));
        }
        return "'" + text.replace("'", "'\\''") + "'";
    }
}
