package io.testbed.junit.internal;

import io.testbed.junit.DockerHost;
import io.testbed.junit.DockerHosts;
import io.testbed.junit.Link;
import io.testbed.junit.LinkConstraints;
import io.testbed.junit.Network;
import io.testbed.junit.Networks;
import io.testbed.junit.Prefix;
import io.testbed.junit.SshHost;
import io.testbed.junit.SshHosts;
import io.testbed.junit.VM;
import io.testbed.junit.VMs;
import java.lang.annotation.Annotation;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The environment a class declares: its {@link Prefix @Prefix}, {@link VM @VM}s, {@link Network @Network}s and
 * {@link Link @Link}s,
 * found directly on the class, on its superclasses and interfaces, and on meta-annotations, in declaration order
 * (superclasses first). Annotations of enclosing classes are not included: a {@code @Nested} class shares its
 * enclosing class's environment rather than declaring one.
 *
 * <p>Every occurrence counts: two identical {@code @VM}s (written twice, or reached through two meta-annotations)
 * are two declarations, so the name check reports the second as declared twice. JUnit's
 * {@code AnnotationSupport.findRepeatableAnnotations} returns a set, which would merge them silently.
 */
record Topology(
        Class<?> testClass,
        Optional<Prefix> prefix,
        List<VM> machines,
        List<DockerHost> containers,
        List<SshHost> existingHosts,
        List<Network> networks,
        List<Link> links) {

    Topology {
        machines = List.copyOf(machines);
        containers = List.copyOf(containers);
        existingHosts = List.copyOf(existingHosts);
        networks = List.copyOf(networks);
        links = List.copyOf(links);
    }

    static Topology of(Class<?> testClass) {
        return new Topology(
                testClass,
                AnnotationSupport.findAnnotation(testClass, Prefix.class),
                everyOccurrence(testClass, VM.class, VMs.class, VMs::value),
                everyOccurrence(testClass, DockerHost.class, DockerHosts.class, DockerHosts::value),
                everyOccurrence(testClass, SshHost.class, SshHosts.class, SshHosts::value),
                everyOccurrence(testClass, Network.class, Networks.class, Networks::value),
                everyOccurrence(testClass, Link.class, LinkConstraints.class, LinkConstraints::value));
    }

    /**
     * Every {@code type} annotation of {@code testClass}, duplicates kept: those of its superclasses first (the
     * annotations are {@code @Inherited}), then those directly present, in a container or meta-present, then
     * those of its interfaces. Each class and interface is searched once.
     */
    static <A extends Annotation, C extends Annotation> List<A> everyOccurrence(
            Class<?> testClass, Class<A> type, Class<C> container, Function<C, A[]> values) {
        List<A> found = new ArrayList<>();
        search(testClass, type, container, values, found, new HashSet<>());
        return found;
    }

    private static <A extends Annotation, C extends Annotation> void search(
            Class<?> clazz,
            Class<A> type,
            Class<C> container,
            Function<C, A[]> values,
            List<A> found,
            Set<Class<?>> searched) {
        if (clazz == null || clazz == Object.class || !searched.add(clazz)) {
            return;
        }
        search(clazz.getSuperclass(), type, container, values, found, searched);
        for (Annotation annotation : clazz.getDeclaredAnnotations()) {
            collect(annotation, type, container, values, found, new HashSet<>());
        }
        for (Class<?> implemented : clazz.getInterfaces()) {
            search(implemented, type, container, values, found, searched);
        }
    }

    private static <A extends Annotation, C extends Annotation> void collect(
            Annotation annotation,
            Class<A> type,
            Class<C> container,
            Function<C, A[]> values,
            List<A> found,
            Set<Class<?>> path) {
        Class<? extends Annotation> annotationType = annotation.annotationType();
        if (annotationType == type) {
            found.add(type.cast(annotation));
        } else if (annotationType == container) {
            found.addAll(List.of(values.apply(container.cast(annotation))));
        } else if (!annotationType.getName().startsWith("java.lang.annotation.") && path.add(annotationType)) {
            for (Annotation meta : annotationType.getDeclaredAnnotations()) {
                collect(meta, type, container, values, found, path);
            }
            path.remove(annotationType);
        }
    }

    /** Whether the class declares an environment of its own. */
    boolean declaresEnvironment() {
        return prefix.isPresent()
                || !machines.isEmpty()
                || !containers.isEmpty()
                || !existingHosts.isEmpty()
                || !networks.isEmpty()
                || !links.isEmpty();
    }

    /** Every declared machine name (VMs, containers, then existing hosts) with the paths to collect from it on failure. */
    Map<String, List<String>> collectPaths() {
        Map<String, List<String>> collect = new LinkedHashMap<>();
        machines.forEach(vm -> collect.put(vm.name(), List.of(vm.collect())));
        containers.forEach(c -> collect.put(c.name(), List.of(c.collect())));
        existingHosts.forEach(h -> collect.put(h.name(), List.of(h.collect())));
        return collect;
    }

    /** The annotations that make up the declaration, for messages: {@code @VM(name = "web"), @Network(...)}. */
    String describe() {
        StringBuilder b = new StringBuilder();
        prefix.ifPresent(p -> b.append("@Prefix"));
        machines.forEach(vm -> b.append(b.isEmpty() ? "" : ", ").append(Labels.vm(vm.name())));
        containers.forEach(c -> b.append(b.isEmpty() ? "" : ", ").append(Labels.dockerHost(c.name())));
        existingHosts.forEach(h -> b.append(b.isEmpty() ? "" : ", ").append(Labels.sshHost(h.name())));
        networks.forEach(n -> b.append(b.isEmpty() ? "" : ", ").append(Labels.network(n.name())));
        return b.toString();
    }
}
