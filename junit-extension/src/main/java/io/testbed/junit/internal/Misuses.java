package io.testbed.junit.internal;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.platform.commons.PreconditionViolationException;

/**
 * Every misuse found in a test class before provisioning, reported in one exception so that one run shows them
 * all. Following JUnit's convention a wrongly placed annotation (a final field, a wrong type) makes an
 * {@link ExtensionConfigurationException}; bad attribute values make a {@link PreconditionViolationException}.
 */
final class Misuses {

    private final List<String> values = new ArrayList<>();
    private final List<String> placements = new ArrayList<>();
    private final List<String> all = new ArrayList<>();

    /** A bad attribute value or a broken rule, e.g. {@code @VM(name = "web") memoryMb must be at least 32, was 0}. */
    void value(String message) {
        values.add(message);
        all.add(message);
    }

    /** A misplaced annotation or an element of the wrong kind, e.g. a final field. */
    void placement(String message) {
        placements.add(message);
        all.add(message);
    }

    boolean isEmpty() {
        return all.isEmpty();
    }

    List<String> messages() {
        return List.copyOf(all);
    }

    /**
     * Throws when anything was found, with a message that lists every problem:
     * <pre>
     * Testbed environment of ClusterIT is invalid; nothing was provisioned:
     *   - @VM(name = "web") memoryMb must be at least 32, was 0
     * </pre>
     */
    void throwIfAny(Class<?> testClass) {
        if (all.isEmpty()) {
            return;
        }
        String n = System.lineSeparator();
        StringBuilder message = new StringBuilder("Testbed environment of ")
                .append(testClass.getSimpleName())
                .append(" is invalid; nothing was provisioned:");
        for (String problem : all) {
            message.append(n).append("  - ").append(problem);
        }
        if (!placements.isEmpty()) {
            throw new ExtensionConfigurationException(message.toString());
        }
        throw new PreconditionViolationException(message.toString());
    }
}
