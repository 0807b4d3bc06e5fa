package io.testbed.core.spec;

import java.util.Objects;
import org.apiguardian.api.API;

/**
 * One broken rule in an environment spec.
 *
 * @param element   the element, e.g. {@code machine 'web'} or {@code network 'lan'}
 * @param attribute the attribute, e.g. {@code memoryMb}; empty for the element as a whole
 * @param rule      the rule and the actual value, e.g. {@code must be at least 32, was 0}
 */
@API(status = API.Status.EXPERIMENTAL)
public record SpecProblem(String element, String attribute, String rule) {
    public SpecProblem {
        Objects.requireNonNull(element, "element");
        Objects.requireNonNull(attribute, "attribute");
        Objects.requireNonNull(rule, "rule");
    }

    @Override
    public String toString() {
        return element + (attribute.isEmpty() ? "" : " " + attribute) + ": " + rule;
    }
}
