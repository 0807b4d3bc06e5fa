package io.testbed.junit.internal;

import io.testbed.junit.DockerHost;
import io.testbed.junit.Network;
import io.testbed.junit.Prefix;
import io.testbed.junit.VM;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
record Topology(Class<?> testClass, Optional<Prefix> prefix, List<VM> machines, List<DockerHost> containers,
        List<Network> networks) {

    Topology {
        machines = List.copyOf(machines);
        containers = List.copyOf(containers);
        networks = List.copyOf(networks);
    }

    static Topology of(Class<?> testClass) {
        return new Topology(testClass, AnnotationSupport.findAnnotation(testClass, Prefix.class),
                AnnotationSupport.findRepeatableAnnotations(testClass, VM.class),
                AnnotationSupport.findRepeatableAnnotations(testClass, DockerHost.class),
                AnnotationSupport.findRepeatableAnnotations(testClass, Network.class));
    }

    /** Whether the class declares an environment of its own. */
    boolean declaresEnvironment() {
        return prefix.isPresent() || !machines.isEmpty() || !containers.isEmpty() || !networks.isEmpty();
    }

    /** Every declared machine name (VMs, then containers) with the paths to collect from it on failure. */
    Map<String, List<String>> collectPaths() {
        Map<String, List<String>> collect = new LinkedHashMap<>();
        machines.forEach(vm -> collect.put(vm.name(), List.of(vm.collect())));
        containers.forEach(c -> collect.put(c.name(), List.of(c.collect())));
        return collect;
    }

    /** The annotations that make up the declaration, for messages: {@code @VM(name = "web"), @Network(...)}. */
    String describe() {
        StringBuilder b = new StringBuilder();
        prefix.ifPresent(p -> b.append("@Prefix"));
        machines.forEach(vm -> b.append(b.isEmpty() ? "" : ", ").append(Labels.vm(vm.name())));
        containers.forEach(c -> b.append(b.isEmpty() ? "" : ", ").append(Labels.dockerHost(c.name())));
        networks.forEach(n -> b.append(b.isEmpty() ? "" : ", ").append(Labels.network(n.name())));
        return b.toString();
    }
}
