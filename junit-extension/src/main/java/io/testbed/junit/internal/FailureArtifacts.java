package io.testbed.junit.internal;

import io.testbed.core.ExecResult;
import io.testbed.core.Machine;
import io.testbed.core.internal.support.ShellQuoting;
import io.testbed.core.journal.CommandEvent;
import io.testbed.core.machine.CommandLog;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.MediaType;

/**
 * What the extension attaches to a failed test, before the environment is reverted: the machines' serial consoles
 * ({@code logs/*.log} in the prefix), the commands the test ran with their output, as journaled
 * ({@code commands.log}), and the files listed in {@code @VM(collect = …)}, downloaded from the machines into
 * {@code artifacts/<test>/<machine>/} in the prefix. Each is published with {@link ExtensionContext#publishFile}
 * (a collected directory, with the regular files below it, with {@link ExtensionContext#publishDirectory}), so it
 * lands in the test's output directory ({@code target/junit-jupiter/…} under Maven) and in reports.
 *
 * <p>Collecting never fails the test a second time: a file that cannot be downloaded is replaced by a
 * {@code .error.txt} file saying why, and a publishing problem is printed.
 */
final class FailureArtifacts {

    /** The file name of the failed test's commands. */
    static final String COMMANDS = "commands.log";

    private FailureArtifacts() {}

    /** A machine and the remote paths to collect from it. */
    record Collect(Machine machine, List<String> paths) {}

    /**
     * Downloads and publishes everything for the failed test of {@code context}.
     *
     * @return the local files published
     */
    static List<Path> publish(
            ExtensionContext context,
            Path prefixDir,
            List<Collect> collects,
            List<CommandEvent> commands,
            PrintStream out) {
        List<Path> published = new ArrayList<>();
        Path testDir = prefixDir
                .resolve("artifacts")
                .resolve(safeName(context.getRequiredTestClass().getSimpleName()
                        + "-" + context.getRequiredTestMethod().getName() + "-"
                        + Integer.toHexString(context.getUniqueId().hashCode())));
        for (Collect collect : collects) {
            for (String remote : collect.paths()) {
                Path local = testDir.resolve(collect.machine().name()).resolve(safeName(remote));
                List<String> files = filesIn(collect.machine(), remote);
                if (files == null) {
                    Path file = download(collect.machine(), remote, local);
                    String name = collect.machine().name() + "-" + file.getFileName();
                    publish(context, name, file, MediaType.APPLICATION_OCTET_STREAM, out, published);
                } else {
                    downloadTree(collect.machine(), remote, files, local);
                    publishDirectory(
                            context, collect.machine().name() + "-" + local.getFileName(), local, out, published);
                }
            }
        }
        publishCommands(context, testDir, commands, out, published);
        publishConsoles(context, prefixDir, out, published);
        context.publishReportEntry(Map.of("testbed.prefix", prefixDir.toString()));
        return published;
    }

    /**
     * Publishes, on a test class whose {@code @BeforeAll} or {@code @AfterAll} methods failed, what ran outside its
     * tests with its output ({@code commands.log}, also kept in {@code artifacts/<Class>-class-<hash>/} in the
     * prefix) and every console log of the environment: they land on the class's container, as its prefix path
     * did as report entry {@code testbed.prefix} when it was provisioned.
     *
     * @return the local files published
     */
    static List<Path> publishClassFailure(
            ExtensionContext context, Path prefixDir, List<CommandEvent> commands, PrintStream out) {
        List<Path> published = new ArrayList<>();
        Path classDir = prefixDir
                .resolve("artifacts")
                .resolve(safeName(context.getRequiredTestClass().getSimpleName() + "-class-"
                        + Integer.toHexString(context.getUniqueId().hashCode())));
        publishCommands(context, classDir, commands, out, published);
        publishConsoles(context, prefixDir, out, published);
        return published;
    }

    /** Writes {@code commands} to {@code dir/commands.log} and publishes it. */
    private static void publishCommands(
            ExtensionContext context, Path dir, List<CommandEvent> commands, PrintStream out, List<Path> published) {
        Path commandsFile = dir.resolve(COMMANDS);
        try {
            Files.createDirectories(dir);
            Files.writeString(commandsFile, render(commands), StandardCharsets.UTF_8);
            publish(context, COMMANDS, commandsFile, MediaType.TEXT_PLAIN_UTF_8, out, published);
        } catch (IOException e) {
            out.println("[testbed] cannot write " + commandsFile + ": " + e);
        }
    }

    /** The environment's logs but its whole command log, which is not the failed test's or class's. */
    private static void publishConsoles(
            ExtensionContext context, Path prefixDir, PrintStream out, List<Path> published) {
        Path logs = prefixDir.resolve("logs");
        if (!Files.isDirectory(logs)) {
            return;
        }
        try (Stream<Path> files = Files.list(logs)) {
            for (Path log : files.filter(f -> f.getFileName().toString().endsWith(".log")
                            && !f.getFileName().toString().equals(COMMANDS))
                    .sorted()
                    .toList()) {
                publish(context, log.getFileName().toString(), log, MediaType.TEXT_PLAIN_UTF_8, out, published);
            }
        } catch (IOException e) {
            out.println("[testbed] cannot list " + logs + ": " + e);
        }
    }

    /**
     * Publishes, on the test class whose environment failed to provision, what its prefix kept: the logs (consoles,
     * command log) and the journal. They land on the class's container (JUnit's output directory of the class, and
     * its attachments in Open Test Reporting), as the prefix path does as report entry {@code testbed.prefix}.
     *
     * @return the local files published
     */
    static List<Path> publishProvisioningFailure(ExtensionContext context, Path prefixDir, PrintStream out) {
        List<Path> published = new ArrayList<>();
        Path logs = prefixDir.resolve("logs");
        if (Files.isDirectory(logs)) {
            try (Stream<Path> files = Files.list(logs)) {
                for (Path log : files.filter(f -> f.getFileName().toString().endsWith(".log"))
                        .sorted()
                        .toList()) {
                    publish(context, log.getFileName().toString(), log, MediaType.TEXT_PLAIN_UTF_8, out, published);
                }
            } catch (IOException e) {
                out.println("[testbed] cannot list " + logs + ": " + e);
            }
        }
        Path journal = prefixDir.resolve("journal.jsonl");
        if (Files.isRegularFile(journal)) {
            publish(context, "journal.jsonl", journal, MediaType.create("application", "x-ndjson"), out, published);
        }
        context.publishReportEntry(Map.of("testbed.prefix", prefixDir.toString()));
        return published;
    }

    /**
     * The test's commands as command log lines, each followed by its captured output (indented), so the file reads
     * like a transcript.
     */
    static String render(List<CommandEvent> commands) {
        StringBuilder text = new StringBuilder();
        for (CommandEvent command : commands) {
            String line = CommandLog.render(command);
            if (line == null) {
                continue;
            }
            text.append(line);
            if (command instanceof CommandEvent.CommandRun run) {
                output(text, "stdout", run.stdout());
                output(text, "stderr", run.stderr());
            } else if (command instanceof CommandEvent.JobFinished job) {
                output(text, "stdout", job.stdout());
                output(text, "stderr", job.stderr());
            }
        }
        return text.toString();
    }

    private static void output(StringBuilder text, String stream, String output) {
        if (output == null || output.isEmpty()) {
            return;
        }
        text.append("  ").append(stream).append(":\n");
        output.lines().forEach(line -> text.append("    ").append(line).append('\n'));
    }

    /**
     * The regular files below {@code remote} (relative to it) when it is a directory on the machine, or
     * {@code null} when it is not one (a file, or missing: {@link #download} then says why).
     */
    private static List<String> filesIn(Machine machine, String remote) {
        String dir;
        try {
            dir = ShellQuoting.quote(remote.endsWith("/") ? remote : remote + "/");
        } catch (IllegalArgumentException e) {
            return null;
        }
        try {
            ExecResult listing = machine.run("test -d " + dir + " && cd " + dir + " && find . -type f");
            if (listing.exitCode() != 0) {
                return null;
            }
            return listing.stdout()
                    .lines()
                    .filter(line -> line.startsWith("./"))
                    .map(line -> line.substring(2))
                    .toList();
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Downloads each of {@code files} (relative to {@code remote}) into the same place below {@code local}. */
    private static void downloadTree(Machine machine, String remote, List<String> files, Path local) {
        String base = remote.endsWith("/") ? remote : remote + "/";
        try {
            Files.createDirectories(local);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create " + local + ": " + e, e);
        }
        for (String file : files) {
            Path target = local.resolve(file).normalize();
            if (target.startsWith(local)) {
                download(machine, base + file, target);
            }
        }
    }

    private static Path download(Machine machine, String remote, Path local) {
        try {
            Files.createDirectories(local.getParent());
            machine.download(remote, local);
            return local;
        } catch (IOException | RuntimeException e) {
            Path error = local.resolveSibling(local.getFileName() + ".error.txt");
            try {
                Files.createDirectories(error.getParent());
                Files.writeString(
                        error,
                        "Cannot collect " + remote + " from machine " + machine.name() + ": " + e
                                + System.lineSeparator(),
                        StandardCharsets.UTF_8);
            } catch (IOException io) {
                throw new UncheckedIOException("Cannot write " + error + ": " + io, io);
            }
            return error;
        }
    }

    private static void publish(
            ExtensionContext context, String name, Path file, MediaType type, PrintStream out, List<Path> published) {
        try {
            context.publishFile(name, type, target -> Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING));
            published.add(file);
        } catch (RuntimeException e) {
            out.println("[testbed] cannot attach " + file + " to " + context.getDisplayName() + ": " + e);
        }
    }

    private static void publishDirectory(
            ExtensionContext context, String name, Path dir, PrintStream out, List<Path> published) {
        try {
            context.publishDirectory(name, target -> copyTree(dir, target));
            published.add(dir);
        } catch (RuntimeException e) {
            out.println("[testbed] cannot attach " + dir + " to " + context.getDisplayName() + ": " + e);
        }
    }

    private static void copyTree(Path source, Path target) throws IOException {
        try (Stream<Path> walk = Files.walk(source)) {
            for (Path path : walk.sorted().toList()) {
                Path copy = target.resolve(source.relativize(path).toString());
                if (Files.isDirectory(path)) {
                    Files.createDirectories(copy);
                } else {
                    Files.copy(path, copy, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /** {@code /var/log/messages} → {@code var-log-messages}: one path segment, safe as a file name. */
    static String safeName(String text) {
        String name = text.replaceAll("^/+", "").replaceAll("[^A-Za-z0-9._-]+", "-");
        return name.isEmpty() ? "root" : name;
    }
}
