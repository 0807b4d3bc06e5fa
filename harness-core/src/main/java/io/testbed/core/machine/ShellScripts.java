package io.testbed.core.machine;

import io.testbed.core.internal.support.ShellQuoting;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The POSIX shell text {@link TransportMachine} sends. Everything here must run under busybox {@code ash} and
 * {@code dash} as well as {@code bash}: no bash-isms, no GNU-only flags, and (for speed under TCG) no forks in
 * the wrapper's common path — only builtins ({@code export}, {@code read}, {@code cd}, {@code eval}).
 */
final class ShellScripts {

    /**
     * The environment variable the wrapper exports to mark every process of one command: its value is the
     * command's run id, which {@link #killScript} looks for.
     */
    static final String RUN_VARIABLE = "TESTBED_RUN";
    /** How often the kill script looks whether the processes it killed were reaped, 20 ms apart. */
    static final int REAP_POLLS = 50;
    /** Line the wrapper writes to standard error when the working directory cannot be entered. */
    static final String NO_WORKDIR_MARKER = "TESTBED-NO-WORKDIR";
    /** Exit status the wrapper uses together with {@link #NO_WORKDIR_MARKER}. */
    static final int NO_WORKDIR_STATUS = 126;
    /** Prefix of shell variables the wrapper uses; env names must not start with it. */
    static final String RESERVED_PREFIX = "__tb_";

    private static final Pattern RUN_ID = Pattern.compile("[a-z0-9]{8,64}");
    private static final Pattern NO_WORKDIR_LINE = Pattern.compile("(?m)^" + NO_WORKDIR_MARKER + "\n");
    private static final Pattern SYSCTL_KEY = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.:@+\\-/]*");
    private static final Pattern SELECTED_CHOICE =
            Pattern.compile("(?:^|.*\\s)\\[([^\\]\\s]+)\\](?:\\s.*|$)", Pattern.DOTALL);

    private ShellScripts() {}

    /**
     * A command wrapped for {@link io.testbed.core.spi.Transport#exec}.
     *
     * @param script the shell script to execute
     * @param stdin  its standard input (the environment block), or {@code null}
     */
    record Wrapped(String script, byte[] stdin) {}

    /**
     * Wraps a user command so that every process it starts carries {@code TESTBED_RUN=runId} (so a timeout or
     * {@code Job.kill()} can find and kill it and everything it started, see {@link #killScript}), enters the
     * working directory, receives its environment, and then runs the command in place, in the shell the transport
     * started.
     *
     * <p>In place and without output of its own, because every extra process or packet costs: under TCG one more
     * dynamically linked busybox execution costs ≈30 ms, half of a whole raw {@code exec} of {@code true}
     * (≈55 ms). So the common path is two builtins, {@code export} and {@code eval}.
     *
     * <p>Environment values travel on standard input, never in the command line, because SSH libraries log
     * command lines at debug level: the wrapper reads {@code export NAME='value'} lines up to a terminator
     * carrying the run id, then {@code eval}s them.
     *
     * @param runId lower-case letters and digits, 8 to 64 of them; unique per command (64 random bits)
     * @throws IllegalArgumentException when an env name is reserved for the wrapper or the run id is malformed
     */
    static Wrapped wrap(String command, Optional<String> workDir, Map<String, String> env, String runId) {
        for (String name : env.keySet()) {
            if (name.startsWith(RESERVED_PREFIX) || name.equals(RUN_VARIABLE)) {
                throw new IllegalArgumentException("env name (" + name + ") must be neither " + RUN_VARIABLE
                        + " nor start with " + RESERVED_PREFIX + ": Testbed's command wrapper uses them; rename the"
                        + " variable");
            }
        }
        checkRunId(runId);
        StringBuilder script = new StringBuilder();
        script.append("export ").append(RUN_VARIABLE).append('=').append(runId).append('\n');
        byte[] stdin = null;
        if (!env.isEmpty()) {
            String terminator = "TESTBED-ENV-END-" + runId;
            script.append("__tb_e=\n")
                    .append("while IFS= read -r __tb_l; do [ \"$__tb_l\" = ")
                    .append(ShellQuoting.quote(terminator))
                    .append(" ] && break; __tb_e=\"$__tb_e$__tb_l\n\"; done\n")
                    .append("unset __tb_l\n")
                    .append("eval \"$__tb_e\"\n")
                    .append("unset __tb_e\n");
            StringBuilder exports = new StringBuilder();
            env.forEach((name, value) -> exports.append("export ")
                    .append(name)
                    .append('=')
                    .append(ShellQuoting.quote(value))
                    .append('\n'));
            exports.append(terminator).append('\n');
            stdin = exports.toString().getBytes(StandardCharsets.UTF_8);
        }
        workDir.ifPresent(dir -> script.append("cd ")
                .append(ShellQuoting.quote(dir))
                .append(" || { printf '%s\\n' ")
                .append(ShellQuoting.quote(NO_WORKDIR_MARKER))
                .append(" >&2; exit ")
                .append(NO_WORKDIR_STATUS)
                .append("; }\n"));
        script.append("eval ").append(ShellQuoting.quote(command)).append('\n');
        return new Wrapped(script.toString(), stdin);
    }

    /** Standard error without the wrapper's own marker line (a working directory it could not enter). */
    static String userStderr(String stderr) {
        return NO_WORKDIR_LINE.matcher(stderr).replaceFirst("");
    }

    /** Whether the wrapper failed to enter the working directory. */
    static boolean workDirMissing(int exitStatus, String stderr) {
        return exitStatus == NO_WORKDIR_STATUS
                && NO_WORKDIR_LINE.matcher(stderr).find();
    }

    /**
     * Kills every process of one wrapped command, and prints the pids it killed on one line (nothing when none
     * was found: the command has ended, or has not started yet).
     *
     * <p>A process belongs to the command when its {@code /proc/PID/environ} holds {@code TESTBED_RUN=runId}
     * (anything the command executed, also when it replaced the shell with {@code exec}, and orphans re-parented
     * away from it), when its {@code /proc/PID/cmdline} does (the wrapper's shell and the subshells it forked,
     * which keep its argument text), or when its parent belongs to it (a child that cleared its environment). The
     * idea is Jenkins' process-tree killer; it needs neither a process group — dropbear's shell leads none, its
     * connection's process does, shared by every session on it — nor a pid, which could have been reused.
     *
     * <p>The processes are frozen before they are killed: each is stopped as soon as it is found, and the search
     * repeats until a pass finds no new one; a stopped process cannot fork, so nothing escapes between the search
     * and the {@code kill -9}. The search pattern brackets a character ({@code TESTBED_RUN=[x]…}) so that
     * neither this script's command line nor {@code grep}'s own matches it.
     *
     * <p>Then it waits, {@value #REAP_POLLS} polls of 20 ms at most, until the killed processes are reaped, so a
     * check right after the kill does not find them as zombies: killed children are re-parented to init, and
     * busybox init reaps them only when its loop comes round. A pid 1 that never reaps (a container's own
     * command) just makes the kill return after the last poll.
     */
    static String killScript(String runId) {
        checkRunId(runId);
        String pattern = RUN_VARIABLE + "=[" + runId.charAt(0) + "]" + runId.substring(1);
        return "__tb_all=' '\n"
                + "while :; do\n"
                + "  __tb_more=\n"
                + "  for __tb_f in $(grep -l -s -e '" + pattern + "' /proc/[0-9]*/environ /proc/[0-9]*/cmdline); do\n"
                + "    __tb_p=${__tb_f#/proc/}; __tb_p=${__tb_p%/*}\n"
                + "    case $__tb_all in *\" $__tb_p \"*) ;; *) kill -STOP $__tb_p 2>/dev/null;"
                + " __tb_all=\"$__tb_all$__tb_p \"; __tb_more=1 ;; esac\n"
                + "  done\n"
                + "  for __tb_f in /proc/[0-9]*/stat; do\n"
                + "    { read -r __tb_l <$__tb_f; } 2>/dev/null || continue\n"
                + "    __tb_p=${__tb_f#/proc/}; __tb_p=${__tb_p%/stat}\n"
                + "    __tb_l=${__tb_l##*) }; set -- $__tb_l\n"
                + "    case $__tb_all in *\" $__tb_p \"*) continue ;; esac\n"
                + "    case $__tb_all in *\" $2 \"*) kill -STOP $__tb_p 2>/dev/null; __tb_all=\"$__tb_all$__tb_p \";"
                + " __tb_more=1 ;; esac\n"
                + "  done\n"
                + "  [ -n \"$__tb_more\" ] || break\n"
                + "done\n"
                + "[ \"$__tb_all\" = ' ' ] && exit 0\n"
                + "kill -9 $__tb_all 2>/dev/null\n"
                + "echo $__tb_all\n"
                + "__tb_n=0\n"
                + "while [ $__tb_n -lt " + REAP_POLLS + " ]; do\n"
                + "  __tb_left=\n"
                + "  for __tb_p in $__tb_all; do [ -e /proc/$__tb_p ] && { __tb_left=1; break; }; done\n"
                + "  [ -n \"$__tb_left\" ] || break\n"
                + "  sleep 0.02\n"
                + "  __tb_n=$((__tb_n + 1))\n"
                + "done\n"
                + "true\n";
    }

    private static void checkRunId(String runId) {
        if (runId == null || !RUN_ID.matcher(runId).matches()) {
            throw new IllegalArgumentException("run id (" + runId + ") must be 8 to 64 lower-case letters and digits");
        }
    }

    /**
     * The {@code /proc/sys} file of a sysctl key. Dots separate levels as for {@code sysctl(8)}; a key holding
     * slashes ({@code net/ipv4/conf/eth0.10/forwarding}) is taken as a path, for names containing dots.
     *
     * @throws IllegalArgumentException naming the key when it is empty, holds other characters or {@code ..}
     */
    static String sysctlPath(String key) {
        if (key == null
                || !SYSCTL_KEY.matcher(key).matches()
                || key.contains("..")
                || key.endsWith(".")
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
        if (path == null
                || !(path.startsWith("/sys/") || path.startsWith("/proc/"))
                || path.contains("/../")
                || path.endsWith("/..")
                || path.indexOf('\n') >= 0
                || path.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("writeSysfs path (" + path + ") must be an absolute path under /sys/"
                    + " or /proc/ without '..', e.g. /sys/class/net/eth0/mtu");
        }
        return path;
    }

    /** Prints the current content of {@code path}, then writes {@code value}; fails without writing if unreadable. */
    static String readThenWriteScript(String path, String value) {
        return "cat " + ShellQuoting.quote(path) + " && printf '%s\\n' " + ShellQuoting.quote(value) + " > "
                + ShellQuoting.quote(path);
    }

    /** Writes {@code value} to {@code path}. */
    static String writeScript(String path, String value) {
        return "printf '%s\\n' " + ShellQuoting.quote(value) + " > " + ShellQuoting.quote(path);
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
