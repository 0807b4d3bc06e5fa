package io.testbed.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.testbed.core.internal.json.Json;
import io.testbed.core.internal.support.LocalCommand;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A qcow2 file's host footprint as {@code qemu-img info -U --output=json} reports it (works while a VM has it
 * open): bytes allocated on disk, and the VM state held by its internal snapshots.
 *
 * @param actualBytes   bytes allocated on the host file system (what {@code du} counts)
 * @param vmStateBytes  the sum of the internal snapshots' {@code vm-state-size}
 * @param snapshots     how many internal snapshots it holds
 */
record DiskUsage(long actualBytes, long vmStateBytes, int snapshots) {

    private static final ObjectMapper JSON = Json.mapper();

    static DiskUsage of(Path image) {
        LocalCommand.Result outcome = LocalCommand.of("qemu-img", "info", "-U", "--output=json", image.toString())
                .timeout(Duration.ofSeconds(60))
                .run();
        if (!outcome.succeeded()) {
            throw new BenchException("`qemu-img info` of " + image + " failed: "
                    + outcome.stderr().strip());
        }
        try {
            JsonNode info = JSON.readTree(outcome.stdout());
            long state = 0;
            int count = 0;
            for (JsonNode snapshot : info.path("snapshots")) {
                state += snapshot.path("vm-state-size").asLong();
                count++;
            }
            return new DiskUsage(info.path("actual-size").asLong(), state, count);
        } catch (IOException e) {
            throw new BenchException("Cannot parse `qemu-img info` of " + image + ": " + e.getMessage(), e);
        }
    }
}
