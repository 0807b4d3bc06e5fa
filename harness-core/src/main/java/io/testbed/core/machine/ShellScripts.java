package io.testbed.core.machine;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The POSIX shell text {@link TransportMachine} sends. Everything here must run under busybox {@code ash} and
 * {@code dash} as well as {@code bash}: no bash-isms, no GNU-only flags, and (for speed under TCG) no forks in
 * the wrapper's common path — only builtins ({@code read}, {@code printf}, {@code [}, {@code cd}, {@code eval}).
 */
final class ShellScripts {

    /**
     * First line the wrapper writes to standard error: the pid that leads the command's process group and that
     * process's start time, {@code TESTBED-PID <pid> <starttime>}.
     */
    static final String PID_MARKER = "TESTBED-PID ";
    /** Line the wrapper writes to standard error when the working directory cannot be entered. */
    static final String NO_WORKDIR_MARKER = "TESTBED-NO-WORKDIR";
    /** Exit status the wrapper uses together with {@link #NO_WORKDIR_MARKER}. */
    static final int NO_WORKDIR_STATUS = 126;
    /** Prefix of shell variables the wrapper uses; env names must not start with it. */
    static final String RESERVED_PREFIX = "__tb_";

    private static final Pattern PID_LINE = Pattern.compile("(?m)^" + PID_MARKER + "(\\d+) (\\d+)\n");
    private static final Pattern NO_WORKDIR_LINE = Pattern.compile("(?m)^" + NO_WORKDIR_MARKER + "\n");
    private static final Pattern SYSCTL_KEY = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.:@+\\-/]*");
    private static final Pattern SELECTED_CHOICE = Pattern.compile("(?:^|.*\\s)\\[([^\\]\\s]+)\\](?:\\s.*|$)",
            Pattern.DOTALL);

    private ShellScripts() {}

    /**
     * A command wrapped for {@link io.testbed.core.spi.Transport#exec}.
     *
     * @param script the shell script to execute
     * @param stdin  its standard input (the environment block), or {@code null}
     */
    record Wrapped(String script, byte[] stdin) {}

    /**
     * The process leading a wrapped command's group, as the wrapper reported it. The pair identifies the run:
     * a pid alone may be reused once the command ended, and the command line changes when the command
     * {@code exec}s, but {@code exec} keeps both the pid and the start time.
     *
     * @param pid       the process id
     * @param startTime field 22 of {@code /proc/PID/stat}: clock ticks after boot at which the process started
     */
    record Leader(long pid, long startTime) {
        Leader {
            if (pid <= 1) {
                throw new IllegalArgumentException("pid (" + pid + ") must be greater than 1");
            }
            if (startTime < 0) {
                throw new IllegalArgumentException("startTime (" + startTime + ") must not be negative");
            }
        }
    }

    /**
     * Quotes {@code text} as one shell word: {@code it's} becomes {@code 'it'\''s'}.
     *
     * @throws IllegalArgumentException when {@code text} contains a NUL character, which no shell word can hold
     */
    static String quote(String text) {
        if (text.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("shell text must not contain a NUL character: " + abbreviate(text));
        }
        return "'" + text.replace("'", "'\\''") + "'";
    }

    /**
     * Wraps a user command so that it runs as the leader of its own process group (so a timeout or
     * {@code Job.kill()} can kill it and all its children with one {@code kill -9 -PID}), reports that pid and its
     * start time first on standard error, enters the working directory and receives its environment.
     *
     * <p>The outer part reads the shell's own process group from {@code /proc/$$/stat} (a builtin
     * {@code read}, no fork). Under sshd and dropbear the shell usually leads its own session already, so the
     * command runs in place; otherwise it re-executes itself through {@code setsid}, which then does not fork
     * (the shell is not a group leader) and keeps the pid. Without {@code setsid} it runs in place, and a kill
     * reaches only the shell itself.
     *
     * <p>The inner part reads its start time, field 22 of {@code /proc/$$/stat}, without forking: everything
     * through the last {@code ") "} is stripped first because the command name (field 2) may hold spaces and
     * parentheses, then the rest is split into the positional parameters (empty under {@code sh -c} and
     * {@code eval}, and cleared again afterwards).
     *
     * <p>Environment values travel on standard input, never in the command line, because SSH libraries log
     * command lines at debug level: the inner script reads {@code export NAME='value'} lines up to a
     * terminator carrying {@code nonce}, then {@code eval}s them.
     */
    static Wrapped wrap(String command, Optional<String> workDir, Map<String, String> env, String nonce) {
        for (String name : env.keySet()) {
            if (name.startsWith(RESERVED_PREFIX)) {
                throw new IllegalArgumentException("env name (" + name + ") must not start with " + RESERVED_PREFIX
                        + ", which Testbed's command wrapper uses; rename the variable");
            }
        }
        if (!nonce.matches("[A-Za-z0-9]+")) {
            throw new IllegalArgumentException("nonce (" + nonce + ") must be letters and digits");
        }
        StringBuilder inner = new StringBuilder();
        inner.append("read -r __tb_t 2>/dev/null </proc/$$/stat\n");
        inner.append("__tb_t=${__tb_t##*) }\n");
        inner.append("set -- $__tb_t\n");
        inner.append("printf '").append(PID_MARKER).append("%s %s\\n' \"$$\" \"${20}\" >&2\n");
        inner.append("set --\n");
        inner.append("unset __tb_s __tb_1 __tb_2 __tb_3 __tb_4 __tb_5 __tb_g __tb_t\n");
        byte[] stdin = null;
        if (!env.isEmpty()) {
            String terminator = "TESTBED-ENV-END-" + nonce;
            inner.append("__tb_e=\n")
                    .append("while IFS= read -r __tb_l; do [ \"$__tb_l\" = ").append(quote(terminator))
                    .append(" ] && break; __tb_e=\"$__tb_e$__tb_l\n\"; done\n")
                    .append("unset __tb_l\n")
                    .append("eval \"$__tb_e\"\n")
                    .append("unset __tb_e\n");
            StringBuilder exports = new StringBuilder();
            env.forEach((name, value) -> exports.append("export ").append(name).append('=').append(quote(value))
                    .append('\n'));
            exports.append(terminator).append('\n');
            stdin = exports.toString().getBytes(StandardCharsets.UTF_8);
        }
        workDir.ifPresent(dir -> inner.append("cd ").append(quote(dir)).append(" || { printf '%s\\n' ")
                .append(quote(NO_WORKDIR_MARKER)).append(" >&2; exit ").append(NO_WORKDIR_STATUS).append("; }\n"));
        inner.append("eval ").append(quote(command)).append('\n');

        String script = "__tb_s=" + quote(inner.toString()) + "\n"
                + "read -r __tb_1 __tb_2 __tb_3 __tb_4 __tb_g __tb_5 2>/dev/null </proc/$$/stat\n"
                + "if [ \"$__tb_g\" = \"$$\" ] || ! command -v setsid >/dev/null 2>&1; then eval \"$__tb_s\";"
                + " else exec setsid sh -c \"$__tb_s\"; fi\n";
        return new Wrapped(script, stdin);
    }

    /** The group leader the wrapper reported, once its whole line has arrived. */
    static Optional<Leader> leader(String stderr) {
        Matcher m = PID_LINE.matcher(stderr);
        return m.find() ? Optional.of(new Leader(Long.parseLong(m.group(1)), Long.parseLong(m.group(2))))
                : Optional.empty();
    }

    /** Standard error without the wrapper's own marker lines (the first pid line and a workdir failure line). */
    static String userStderr(String stderr) {
        String out = PID_LINE.matcher(stderr).replaceFirst("");
        return NO_WORKDIR_LINE.matcher(out).replaceFirst("");
    }

    /** Whether the wrapper failed to enter the working directory. */
    static boolean workDirMissing(int exitStatus, String stderr) {
        return exitStatus == NO_WORKDIR_STATUS && NO_WORKDIR_LINE.matcher(stderr).find();
    }

    /**
     * Kills the process group led by {@code leader} (the wrapper and everything it started), or the process alone
     * when it leads no group — but only while the process with that pid still has the leader's start time, so a
     * pid reused by an unrelated process is left alone. {@code kill -9 -PID} is the one spelling busybox ash, dash
     * and bash all accept; the {@code sed} strips through the last {@code ") "} as the wrapper does, leaving the
     * start time as field 20.
     */
    static String killScript(Leader leader) {
        long pid = leader.pid();
        return "if [ \"$(sed 's/.*) //' /proc/" + pid + "/stat 2>/dev/null | cut -d' ' -f20)\" = "
                + leader.startTime() + " ]; then kill -9 -" + pid + " 2>/dev/null || kill -9 " + pid
                + " 2>/dev/null; fi; true";
    }

    /**
     * The {@code /proc/sys} file of a sysctl key. Dots separate levels as for {@code sysctl(8)}; a key holding
     * slashes ({@code net/ipv4/conf/eth0.10/forwarding}) is taken as a path, for names containing dots.
     *
     * @throws IllegalArgumentException naming the key when it is empty, holds other characters or {@code ..}
     */
    static String sysctlPath(String key) {
        if (key == null || !SYSCTL_KEY.matcher(key).matches() || key.contains("..") || key.endsWith(".")
                || key.endsWith("/")) {
            throw new IllegalArgumentException("sysctl key (" + key + ") must look like net.ipv4.ip_forward"
                    + " (letters, digits and _ . - : @ +, or / as level separator when a name holds dots)");
        }
        return "/proc/sys/" + (key.contains("/") ? key : key.replace('.', '/'));
    }

    /**
     * Checks a path given to {@code writeSysfs}: absolute, under {@code /sys/} or {@code /proc/}, no {@code ..}.
     *
     * @throws IllegalArgumentException naming the path and the rule
     */
    static String checkSettingPath(String path) {
        if (path == null || !(path.startsWith("/sys/") || path.startsWith("/proc/")) || path.contains("/../")
                || path.endsWith("/..") || path.indexOf('\n') >= 0 || path.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("writeSysfs path (" + path + ") must be an absolute path under /sys/"
                    + " or /proc/ without '..', e.g. /sys/class/net/eth0/mtu");
        }
        return path;
    }

    /** Prints the current content of {@code path}, then writes {@code value}; fails without writing if unreadable. */
    static String readThenWriteScript(String path, String value) {
        return "cat " + quote(path) + " && printf '%s\\n' " + quote(value) + " > " + quote(path);
    }

    /** Writes {@code value} to {@code path}. */
    static String writeScript(String path, String value) {
        return "printf '%s\\n' " + quote(value) + " > " + quote(path);
    }

    /**
     * The value to write back for content read from a setting file: the content without its final newline, or
     * the selected choice of a sysfs choice list ({@code "[mq-deadline] none"} gives {@code "mq-deadline"}).
     */
    static String restorableValue(String content) {
        String value = content.endsWith("\n") ? content.substring(0, content.length() - 1) : content;
        Matcher m = SELECTED_CHOICE.matcher(value);
        return value.strip().contains(" ") && m.matches() ? m.group(1) : value;
    }

    static String abbreviate(String text) {
        String oneLine = text.replace("\n", "\\n");
        return oneLine.length() > 200 ? oneLine.substring(0, 200) + "…" : oneLine;
    }
}
