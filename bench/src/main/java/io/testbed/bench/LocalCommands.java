package io.testbed.bench;

import io.testbed.core.internal.support.LocalCommand;
import java.time.Duration;

/** The bench's short host commands (ip, docker, ssh -O exit): core's {@link LocalCommand} with merged output. */
final class LocalCommands {

    private LocalCommands() {}

    /**
     * Runs {@code command} with standard error merged into standard output, whatever its exit status.
     *
     * @throws BenchException when it cannot be started or outlives {@code timeout} (it is killed then)
     */
    static LocalCommand.Result run(Duration timeout, String... command) {
        try {
            return LocalCommand.of(command).mergeStderr().timeout(timeout).run();
        } catch (LocalCommand.FailedException e) {
            throw new BenchException(e.getMessage(), e);
        }
    }
}
