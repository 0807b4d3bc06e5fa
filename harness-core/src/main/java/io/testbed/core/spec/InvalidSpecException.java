package io.testbed.core.spec;

import io.testbed.core.TestbedException;
import java.util.List;
import java.util.stream.Collectors;
import org.apiguardian.api.API;

/** An environment spec broke one or more rules; nothing was provisioned. Lists every problem found. */
@API(status = API.Status.EXPERIMENTAL)
public class InvalidSpecException extends TestbedException {
    private static final long serialVersionUID = 1L;
    private final transient List<SpecProblem> problems;

    public InvalidSpecException(List<SpecProblem> problems) {
        super(render(problems));
        this.problems = List.copyOf(problems);
    }

    /** Every problem, in the order found. */
    public List<SpecProblem> problems() {
        return problems;
    }

    private static String render(List<SpecProblem> problems) {
        if (problems.size() == 1) {
            return "Invalid environment: " + problems.get(0);
        }
        return problems.size() + " problems in the environment:"
                + problems.stream()
                        .map(p -> System.lineSeparator() + "  - " + p)
                        .collect(Collectors.joining());
    }
}
