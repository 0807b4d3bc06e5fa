package io.testbed.junit.internal;

import io.testbed.junit.Network;
import io.testbed.junit.Prefix;
import io.testbed.junit.VM;
import java.util.List;
import java.util.Optional;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The environment a class declares: its {@link Prefix @Prefix}, {@link VM @VM}s and {@link Network @Network}s,
 * found directly on the class, on its superclasses and interfaces, and on meta-annotations, in declaration order
 * (superclasses first). Annotations of enclosing classes are not included: a {@code @Nested} class shares its
 * enclosing class's environment rather than declaring one.
 *
 * <p>Identical annotations found twice (the same {@code @VM} through two meta-annotations) count once.
 */
record Topology(Class<?> testClass, Optional<Prefix> prefix, List<VM> machines, List<Network> networks) {

    Topology {
        machines = List.copyOf(machines);
        networks = List.copyOf(networks);
    }

    static Topology of(Class<?> testClass) {
        return new Topology(testClass, AnnotationSupport.findAnnotation(testClass, Prefix.class),
                AnnotationSupport.findRepeatableAnnotations(testClass, VM.class),
                AnnotationSupport.findRepeatableAnnotations(testClass, Network.class));
    }

    /** Whether the class declares an environment of its own. */
    boolean declaresEnvironment() {
        return prefix.isPresent() || !machines.isEmpty() || !networks.isEmpty();
    }

    /** The annotations that make up the declaration, for messages: {@code @VM(name = "web"), @Network(...)}. */
    String describe() {
        StringBuilder b = new StringBuilder();
        prefix.ifPresent(p -> b.append("@Prefix"));
        machines.forEach(vm -> b.append(b.isEmpty() ? "" : ", ").append(Labels.vm(vm.name())));
        networks.forEach(n -> b.append(b.isEmpty() ? "" : ", ").append(Labels.network(n.name())));
        return b.toString();
    }
}
