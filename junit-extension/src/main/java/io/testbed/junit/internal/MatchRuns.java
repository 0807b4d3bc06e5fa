package io.testbed.junit.internal;

import io.testbed.core.spi.Provider;
import io.testbed.junit.ForEachMatch;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ClassTemplateInvocationContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.platform.commons.PreconditionViolationException;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The runs of a {@link ForEachMatch @ForEachMatch} class: one per distinct match of its existing hosts, each named
 * after its mapping and carrying the environment with that match fixed into its own extension context, where
 * provisioning picks it up.
 */
final class MatchRuns {

    static final int MAX_LIMIT = 1000;

    private MatchRuns() {}

    /**
     * The runs of the class template {@code template}; checks the whole declaration first.
     *
     * @throws PreconditionViolationException listing every misuse, or explaining why nothing matches
     */
    static Stream<ClassTemplateInvocationContext> of(ExtensionContext template, Namespace namespace, String key) {
        Class<?> testClass = template.getRequiredTestClass();
        int limit = AnnotationSupport.findAnnotation(testClass, ForEachMatch.class)
                .map(ForEachMatch::limit)
                .orElse(1);
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new PreconditionViolationException("Testbed environment of " + testClass.getSimpleName()
                    + " is invalid; nothing was provisioned:" + System.lineSeparator() + "  - @ForEachMatch limit must"
                    + " be between 1 and " + MAX_LIMIT + ", was " + limit);
        }
        List<Provider.Choice> choices = Declaration.check(template).choices(limit);
        return choices.stream().map(choice -> new Run(choice, namespace, key));
    }

    /** One run: its display name and the environment it provisions. */
    private record Run(Provider.Choice choice, Namespace namespace, String key)
            implements ClassTemplateInvocationContext {

        @Override
        public String getDisplayName(int invocationIndex) {
            return "[" + invocationIndex + "]" + (choice.name().isEmpty() ? "" : " " + choice.name());
        }

        @Override
        public void prepareInvocation(ExtensionContext context) {
            context.getStore(namespace).put(key, choice.environment());
        }
    }
}
