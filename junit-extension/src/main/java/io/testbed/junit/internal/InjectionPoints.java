package io.testbed.junit.internal;

import io.testbed.core.spec.EnvironmentSpec;
import io.testbed.core.spec.NetworkSpec;
import io.testbed.junit.Prefix;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.platform.commons.annotation.Testable;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.HierarchyTraversalMode;
import org.junit.platform.commons.support.ReflectionSupport;

/**
 * The fields and parameters of a test class and its {@code @Nested} classes that ask for a machine, a network or
 * the environment, checked against what the class declares before anything is provisioned.
 */
final class InjectionPoints {

    private InjectionPoints() {}

    /**
     * The names (and roles) to check injection points against: the spec's, or the declared names when the spec is
     * invalid.
     */
    static Injection.Catalog catalog(Topology topology, SpecMapper.Mapping mapping) {
        if (mapping.spec().isPresent()) {
            EnvironmentSpec spec = mapping.spec().get();
            Map<String, Set<String>> roles = new LinkedHashMap<>();
            spec.machines().forEach(machine -> roles.put(machine.name(), machine.roles()));
            return new Injection.Catalog(
                    spec.name(),
                    List.copyOf(roles.keySet()),
                    spec.networks().stream().map(NetworkSpec::name).toList(),
                    roles);
        }
        Set<String> machines = new LinkedHashSet<>(topology.collectPaths().keySet());
        Set<String> networks = new LinkedHashSet<>();
        topology.networks().forEach(n -> networks.add(n.name()));
        String name = topology.prefix()
                .map(Prefix::name)
                .filter(s -> !s.isBlank())
                .orElseGet(() -> SpecMapper.deriveName(topology.testClass().getSimpleName()));
        return new Injection.Catalog(name, List.copyOf(machines), List.copyOf(networks), null);
    }

    /**
     * Checks every field and every parameter of a constructor, test or lifecycle method of {@code testClass} and its
     * {@code @Nested} classes that asks for something, before anything is provisioned.
     */
    static void checkAll(Class<?> testClass, Injection.Catalog catalog, Misuses misuses) {
        for (Class<?> type : withNestedClasses(testClass)) {
            for (Field field : candidateFields(type, field -> true)) {
                check(Injection.Point.of(field), catalog, misuses);
            }
            List<Parameter> parameters = new ArrayList<>();
            for (Constructor<?> constructor : type.getDeclaredConstructors()) {
                parameters.addAll(List.of(constructor.getParameters()));
            }
            // sorted, so that the report lists problems in the same order on every JVM
            for (Method method :
                    ReflectionSupport.findMethods(
                                    type, InjectionPoints::isInvokedByJupiter, HierarchyTraversalMode.TOP_DOWN)
                            .stream()
                            .sorted(java.util.Comparator.comparing(Labels::executable))
                            .toList()) {
                parameters.addAll(List.of(method.getParameters()));
            }
            for (Parameter parameter : parameters) {
                Injection.Point point = Injection.Point.of(parameter);
                if (point.isCandidate()) {
                    check(point, catalog, misuses);
                }
            }
        }
    }

    private static void check(Injection.Point point, Injection.Catalog catalog, Misuses misuses) {
        try {
            Injection.check(Injection.request(point), catalog);
        } catch (Injection.Misuse misuse) {
            if (misuse.placement) {
                misuses.placement(misuse.getMessage());
            } else {
                misuses.value(misuse.getMessage());
            }
        }
    }

    private static boolean isInvokedByJupiter(Method method) {
        return AnnotationSupport.isAnnotated(method, Testable.class)
                || AnnotationSupport.isAnnotated(method, BeforeEach.class)
                || AnnotationSupport.isAnnotated(method, AfterEach.class)
                || AnnotationSupport.isAnnotated(method, BeforeAll.class)
                || AnnotationSupport.isAnnotated(method, AfterAll.class);
    }

    /** The class and, recursively, its {@code @Nested} classes that share its environment. */
    private static List<Class<?>> withNestedClasses(Class<?> testClass) {
        List<Class<?>> classes = new ArrayList<>();
        List<Class<?>> pending = new ArrayList<>(List.of(testClass));
        while (!pending.isEmpty()) {
            Class<?> type = pending.remove(0);
            if (classes.contains(type)) {
                continue;
            }
            classes.add(type);
            pending.addAll(ReflectionSupport.findNestedClasses(
                    type,
                    nested -> AnnotationSupport.isAnnotated(nested, Nested.class)
                            && !Topology.of(nested).declaresEnvironment()));
        }
        return classes;
    }

    static List<Field> candidateFields(Class<?> type, Predicate<Field> filter) {
        return ReflectionSupport.findFields(
                type,
                field -> !field.isSynthetic()
                        && filter.test(field)
                        && Injection.Point.of(field).isCandidate(),
                HierarchyTraversalMode.TOP_DOWN);
    }
}
