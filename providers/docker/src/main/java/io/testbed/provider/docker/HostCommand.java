package io.testbed.provider.docker;

import io.testbed.core.TestbedException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs a program on the host (iproute2, nsenter, qemu-img, debugfs) with a time limit. Arguments are passed
 * as a list, never through a shell. Only for provider plumbing whose arguments hold no secrets.
 */
final class HostCommand {

    private HostCommand() {}

    /** The outcome of a finished command. */
    record Result(int exitCode, String stdout, String stderr) {
        boolean succeeded() {
            return exitCode == 0;
        }
    }

    /**
     * Runs {@code argv} and returns its outcome, whatever the exit code.
     *
     * @throws TestbedException when the program cannot be started or does not finish within {@code timeout}
     */
    static Result run(List<String> argv, Duration timeout) {
        Process process;
        try {
            process = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        } catch (IOException e) {
            throw new TestbedException("Cannot run " + argv.get(0) + " on the host: " + e.getMessage()
                    + "; install it (" + packageOf(argv.get(0)) + ")", e);
        }
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(process.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new TestbedException("'" + String.join(" ", argv) + "' did not finish within "
                        + timeout.toSeconds() + " s on the host");
            }
            return new Result(process.exitValue(), out.join(), err.join());
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new TestbedException("Interrupted while running '" + String.join(" ", argv) + "'", e);
        }
    }

    /**
     * Runs {@code argv} and requires exit code 0.
     *
     * @param what what the command does, for the error message
     * @throws TestbedException naming the command, its exit code and standard error otherwise
     */
    static Result check(String what, List<String> argv, Duration timeout) {
        Result result = run(argv, timeout);
        if (!result.succeeded()) {
            throw new TestbedException("Cannot " + what + ": '" + String.join(" ", argv) + "' exited with "
                    + result.exitCode() + ": " + result.stderr().strip());
        }
        return result;
    }

    private static String read(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static String packageOf(String program) {
        return switch (program) {
            case "ip" -> "iproute2";
            case "nsenter" -> "util-linux";
            case "qemu-img" -> "qemu-utils";
            case "debugfs" -> "e2fsprogs";
            default -> "the package that provides " + program;
        };
    }
}
