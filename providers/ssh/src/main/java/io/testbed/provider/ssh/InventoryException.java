package io.testbed.provider.ssh;

import io.testbed.core.TestbedException;
import java.util.List;
import org.apiguardian.api.API;

/**
 * An inventory file cannot be used: unreadable, not YAML, or breaking rules. Carries every problem of the file at
 * once, each a line such as {@code inventory lab.yaml: hosts[2] 'lab-3': port must be 1-65535, was 70000}
 * (file, host by index and name, field, rule, value). Thrown before anything is connected or leased.
 */
@API(status = API.Status.INTERNAL)
public class InventoryException extends TestbedException {
    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    /** An exception listing {@code problems}, one per line. */
    public InventoryException(List<String> problems) {
        super(String.join(System.lineSeparator(), problems));
        this.problems = List.copyOf(problems);
    }

    /** An exception for one problem with a cause. */
    public InventoryException(String problem, Throwable cause) {
        super(problem, cause);
        this.problems = List.of(problem);
    }

    /** Every problem, one line each, in file order. */
    public List<String> problems() {
        return problems;
    }
}
