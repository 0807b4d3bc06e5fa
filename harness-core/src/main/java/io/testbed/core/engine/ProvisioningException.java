package io.testbed.core.engine;

import io.testbed.core.TestbedException;
import java.nio.file.Path;
import org.apiguardian.api.API;

/**
 * Provisioning failed part-way; everything created was rolled back, the prefix (with logs and journal) is
 * kept for diagnosis. The message names the resource, the phase, the root cause and, for machines, the tail
 * of the console.
 */
@API(status = API.Status.EXPERIMENTAL)
public class ProvisioningException extends TestbedException {
    private static final long serialVersionUID = 1L;
    private final String resource;
    private final String phase;
    private final transient Path prefixDir;

    public ProvisioningException(String resource, String phase, Path prefixDir, String consoleTail, Throwable cause) {
        super(render(resource, phase, prefixDir, consoleTail, cause), cause);
        this.resource = resource;
        this.phase = phase;
        this.prefixDir = prefixDir;
    }

    private static String render(String resource, String phase, Path prefixDir, String consoleTail, Throwable cause) {
        StringBuilder b = new StringBuilder()
                .append("Provisioning failed: ")
                .append(resource)
                .append(" during ")
                .append(phase)
                .append(": ")
                .append(cause.getMessage() == null ? cause.toString() : cause.getMessage());
        if (consoleTail != null && !consoleTail.isBlank()) {
            b.append(System.lineSeparator())
                    .append("Console tail of ")
                    .append(resource)
                    .append(':')
                    .append(System.lineSeparator())
                    .append("  ")
                    .append(consoleTail.strip().replace("\n", System.lineSeparator() + "  "));
        }
        b.append(System.lineSeparator())
                .append("Everything created was rolled back; logs and journal are kept in ")
                .append(prefixDir);
        return b.toString();
    }

    public String resource() {
        return resource;
    }

    public String phase() {
        return phase;
    }

    public Path prefixDir() {
        return prefixDir;
    }
}
