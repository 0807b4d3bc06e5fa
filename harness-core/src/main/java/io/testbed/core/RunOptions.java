package io.testbed.core;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apiguardian.api.API;

/**
 * How to run a command on a {@link Machine}. Immutable; build with {@link #builder()} or start from
 * the presets {@link #defaults()}, {@link #expectSuccess()}, {@link #expectFailure()}.
 *
 * @param timeout     how long the command may run; when it elapses the remote command and everything it
 *                    started are killed and {@link CommandTimeoutException} is thrown
 * @param expectation what exit status the caller expects; a mismatch throws {@link CommandFailedException}
 * @param workDir     the remote working directory, or empty for the login default
 * @param env         extra environment variables for the command
 */
@API(status = API.Status.EXPERIMENTAL)
public record RunOptions(Duration timeout, Expectation expectation, Optional<String> workDir, Map<String, String> env) {

    /** The timeout used when none is given. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);

    /** What exit status a command is expected to have. */
    public enum Expectation {
        /** Any exit status is returned as a result; nothing is thrown for it. */
        ANY,
        /** Exit status 0 is expected; anything else throws {@link CommandFailedException}. */
        SUCCESS,
        /** A non-zero exit status is expected; 0 throws {@link CommandFailedException}. */
        FAILURE
    }

    public RunOptions {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout (" + timeout + ") must be positive");
        }
        Objects.requireNonNull(expectation, "expectation");
        Objects.requireNonNull(workDir, "workDir");
        env = Map.copyOf(Objects.requireNonNull(env, "env"));
        for (String name : env.keySet()) {
            if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw new IllegalArgumentException("env name (" + name + ") must match [A-Za-z_][A-Za-z0-9_]*");
            }
        }
    }

    /** Default timeout, any exit status accepted. */
    public static RunOptions defaults() {
        return builder().build();
    }

    /** Default timeout; a non-zero exit status throws. */
    public static RunOptions expectSuccess() {
        return builder().expectation(Expectation.SUCCESS).build();
    }

    /** Default timeout; exit status 0 throws. */
    public static RunOptions expectFailure() {
        return builder().expectation(Expectation.FAILURE).build();
    }

    /**
     * These options with another timeout: {@code RunOptions.expectSuccess().withTimeout(Duration.ofSeconds(30))}.
     *
     * @throws IllegalArgumentException when {@code timeout} is not positive
     */
    public RunOptions withTimeout(Duration timeout) {
        return new RunOptions(timeout, expectation, workDir, env);
    }

    /** A builder with every option at its default. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        Builder b = new Builder().timeout(timeout).expectation(expectation);
        workDir.ifPresent(b::workDir);
        b.env.putAll(env);
        return b;
    }

    /** Builder for {@link RunOptions}; each setter validates at once. */
    public static final class Builder {
        private Duration timeout = DEFAULT_TIMEOUT;
        private Expectation expectation = Expectation.ANY;
        private String workDir;
        private final Map<String, String> env = new LinkedHashMap<>();

        private Builder() {}

        public Builder timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        public Builder expectation(Expectation expectation) {
            this.expectation = expectation;
            return this;
        }

        public Builder workDir(String workDir) {
            if (workDir == null || workDir.isBlank()) {
                throw new IllegalArgumentException("workDir (" + workDir + ") must not be blank");
            }
            this.workDir = workDir;
            return this;
        }

        public Builder env(String name, String value) {
            env.put(name, Objects.requireNonNull(value, "value of env " + name));
            return this;
        }

        public RunOptions build() {
            return new RunOptions(timeout, expectation, Optional.ofNullable(workDir), env);
        }
    }
}
