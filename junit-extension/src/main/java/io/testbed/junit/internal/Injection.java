package io.testbed.junit.internal;

import io.testbed.core.Environment;
import io.testbed.core.Machine;
import io.testbed.core.TestNetwork;
import io.testbed.core.engine.RoleExpression;
import io.testbed.junit.Host;
import io.testbed.junit.Net;
import io.testbed.junit.Role;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Field;
import java.lang.reflect.Parameter;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.ModifierSupport;

/**
 * What a parameter or field asks the extension for, and how it is checked against the declared environment
 * (before provisioning) and resolved from the live one.
 *
 * <p>Injectable: {@link Machine} (by {@link Host @Host}, by {@link Role @Role} when exactly one matches, or by
 * type when the environment has one machine), {@code List<Machine>} (by {@code @Role}, or all machines),
 * {@link TestNetwork} (by {@link Net @Net}, or by type when there is one network) and {@link Environment}.
 */
final class Injection {

    private Injection() {}

    /** A parameter or a field that asks for something, with its description for messages. */
    record Point(
            AnnotatedElement element,
            String description,
            Class<?> type,
            Type genericType,
            boolean field,
            Optional<Host> host,
            Optional<Role> role,
            Optional<Net> net) {

        static Point of(Parameter parameter) {
            return new Point(
                    parameter,
                    Labels.parameter(parameter),
                    parameter.getType(),
                    parameter.getParameterizedType(),
                    false,
                    AnnotationSupport.findAnnotation(parameter, Host.class),
                    AnnotationSupport.findAnnotation(parameter, Role.class),
                    AnnotationSupport.findAnnotation(parameter, Net.class));
        }

        /** Through JUnit's parameter context, which finds annotations of inner-class constructors reliably. */
        static Point of(ParameterContext context) {
            Parameter parameter = context.getParameter();
            return new Point(
                    parameter,
                    Labels.parameter(parameter),
                    parameter.getType(),
                    parameter.getParameterizedType(),
                    false,
                    context.findAnnotation(Host.class),
                    context.findAnnotation(Role.class),
                    context.findAnnotation(Net.class));
        }

        static Point of(Field field) {
            return new Point(
                    field,
                    Labels.field(field),
                    field.getType(),
                    field.getGenericType(),
                    true,
                    AnnotationSupport.findAnnotation(field, Host.class),
                    AnnotationSupport.findAnnotation(field, Role.class),
                    AnnotationSupport.findAnnotation(field, Net.class));
        }

        boolean qualified() {
            return host().isPresent() || role().isPresent() || net().isPresent();
        }

        /**
         * Whether the extension handles this element at all: it carries a qualifier, or it has an injectable type —
         * except a final field without qualifier, which the test class assigns itself (a qualified final field is an
         * error).
         */
        boolean isCandidate() {
            if (qualified()) {
                return true;
            }
            boolean injectableType = type == Machine.class
                    || type == TestNetwork.class
                    || type == Environment.class
                    || isMachineList(genericType);
            return injectableType && !(field && ModifierSupport.isFinal((Field) element));
        }

        /** {@code @Host("web") on parameter 'web' of method test(Machine)} or {@code Machine field X.web}. */
        String subject() {
            if (host().isPresent()) {
                return "@Host(" + Labels.literal(host().get().value()) + ") on " + description;
            }
            if (role().isPresent()) {
                return "@Role(" + Labels.literal(role().get().value()) + ") on " + description;
            }
            if (net().isPresent()) {
                return "@Net(" + Labels.literal(net().get().value()) + ") on " + description;
            }
            return (isMachineList(genericType) ? "List<Machine>" : Labels.type(type)) + " " + description;
        }
    }

    /** What a point asks for. */
    sealed interface Request {
        Point point();
    }

    record MachineNamed(Point point, String name) implements Request {}

    record MachinesWithRole(Point point, String expression, boolean single) implements Request {}

    record AllMachines(Point point) implements Request {}

    record OnlyMachine(Point point) implements Request {}

    record NetworkNamed(Point point, String name) implements Request {}

    record OnlyNetwork(Point point) implements Request {}

    record TheEnvironment(Point point) implements Request {}

    /** A misuse of one point; {@code placement} when the element itself is wrong (type, modifier). */
    static final class Misuse extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final boolean placement;

        Misuse(String message, boolean placement) {
            super(message, null, false, false);
            this.placement = placement;
        }
    }

    /**
     * What {@code point} asks for.
     *
     * @throws Misuse when qualifiers conflict, the type does not fit the qualifier, or a field is final
     */
    static Request request(Point point) {
        List<String> qualifiers = new ArrayList<>();
        point.host().ifPresent(h -> qualifiers.add("@Host"));
        point.role().ifPresent(r -> qualifiers.add("@Role"));
        point.net().ifPresent(n -> qualifiers.add("@Net"));
        if (qualifiers.size() > 1) {
            throw new Misuse(
                    point.description() + " has " + String.join(" and ", qualifiers) + "; use exactly one qualifier",
                    true);
        }
        if (point.field() && ModifierSupport.isFinal((Field) point.element())) {
            throw new Misuse(point.subject() + " must not be declared as final.", true);
        }
        if (point.host().isPresent()) {
            requireType(point, point.type() == Machine.class, Machine.class.getName());
            return new MachineNamed(point, point.host().get().value());
        }
        if (point.role().isPresent()) {
            boolean list = isMachineList(point.genericType());
            requireType(
                    point,
                    list || point.type() == Machine.class,
                    Machine.class.getName() + " or java.util.List<" + Machine.class.getName() + ">");
            return new MachinesWithRole(point, point.role().get().value(), !list);
        }
        if (point.net().isPresent()) {
            requireType(point, point.type() == TestNetwork.class, TestNetwork.class.getName());
            return new NetworkNamed(point, point.net().get().value());
        }
        if (point.type() == Machine.class) {
            return new OnlyMachine(point);
        }
        if (isMachineList(point.genericType())) {
            return new AllMachines(point);
        }
        if (point.type() == TestNetwork.class) {
            return new OnlyNetwork(point);
        }
        if (point.type() == Environment.class) {
            return new TheEnvironment(point);
        }
        throw new IllegalStateException("not an injection point: " + point.description());
    }

    private static void requireType(Point point, boolean fits, String expected) {
        if (!fits) {
            throw new Misuse(
                    point.subject() + " must be of type " + expected + ", but was "
                            + point.genericType().getTypeName(),
                    true);
        }
    }

    static boolean isMachineList(Type type) {
        return type instanceof ParameterizedType p
                && p.getRawType() == List.class
                && p.getActualTypeArguments()[0] == Machine.class;
    }

    /**
     * The names an environment has, declared or live.
     *
     * @param machineRoles each machine's roles in declaration order, or {@code null} when they are not known (the
     *                     declaration is invalid): then role expressions are checked only on the live environment
     */
    record Catalog(
            String environment, List<String> machines, List<String> networks, Map<String, Set<String>> machineRoles) {}

    /**
     * Checks a request against the declared environment, before provisioning (and again against the live one).
     *
     * @throws Misuse naming the point, what it asked for and what exists
     */
    static void check(Request request, Catalog catalog) {
        String subject = request.point().subject();
        String environment = "environment '" + catalog.environment() + "'";
        if (request instanceof MachineNamed named && !catalog.machines().contains(named.name())) {
            throw new Misuse(
                    subject + " names no machine of " + environment + "; machines: " + catalog.machines(), false);
        }
        if (request instanceof OnlyMachine && catalog.machines().size() != 1) {
            throw new Misuse(
                    subject + " is ambiguous: " + environment + " has "
                            + catalog.machines().size() + " machines " + catalog.machines()
                            + "; add @Host(\"name\") or @Role(\"expression\")",
                    false);
        }
        if (request instanceof NetworkNamed named && !catalog.networks().contains(named.name())) {
            throw new Misuse(
                    subject + " names no network of " + environment + "; networks: " + catalog.networks(), false);
        }
        if (request instanceof OnlyNetwork && catalog.networks().isEmpty()) {
            throw new Misuse(
                    subject + " cannot be injected: " + environment + " has no network; declare one with @Network",
                    false);
        }
        if (request instanceof OnlyNetwork && catalog.networks().size() > 1) {
            throw new Misuse(
                    subject + " is ambiguous: " + environment + " has "
                            + catalog.networks().size() + " networks " + catalog.networks() + "; add @Net(\"name\")",
                    false);
        }
        if (request instanceof MachinesWithRole role) {
            if (role.expression().isBlank()) {
                throw new Misuse(subject + " needs a role expression such as \"frontend\", \"a|b\" or \"*\"", false);
            }
            if (catalog.machineRoles() != null) {
                selectWithRole(role, catalog);
            }
        }
    }

    /**
     * The names of the machines a role request selects; a single-machine request must select exactly one, a list
     * request at least one.
     */
    private static List<String> selectWithRole(MachinesWithRole role, Catalog catalog) {
        List<String> matches;
        try {
            matches = RoleExpression.select(
                    role.expression(), List.copyOf(catalog.machineRoles().keySet()), catalog.machineRoles()::get);
        } catch (IllegalArgumentException e) {
            throw new Misuse(role.point().subject() + " is not a valid role expression: " + e.getMessage(), false);
        }
        if (!role.single() && matches.isEmpty()) {
            throw new Misuse(
                    role.point().subject() + " matches no machine of environment '" + catalog.environment()
                            + "' (roles: " + catalog.machineRoles()
                            + "); give a machine that role or fix the expression",
                    false);
        }
        if (role.single() && matches.size() != 1) {
            throw new Misuse(
                    role.point().subject() + " matches " + matches.size() + " machines " + matches
                            + " of environment '" + catalog.environment()
                            + "', but a Machine needs exactly one; inject a"
                            + " List<Machine> or narrow the expression",
                    false);
        }
        return matches;
    }

    /**
     * The object a request asks for, from the live environment.
     *
     * @throws Misuse naming the point, what it asked for and what exists
     */
    static Object resolve(Request request, Environment environment) {
        Map<String, Set<String>> roles = new LinkedHashMap<>();
        environment.machines().forEach(machine -> roles.put(machine.name(), machine.roles()));
        Catalog catalog = new Catalog(
                environment.name(),
                List.copyOf(roles.keySet()),
                environment.networks().stream().map(TestNetwork::name).toList(),
                roles);
        check(request, catalog);
        if (request instanceof MachineNamed named) {
            return environment.machine(named.name());
        }
        if (request instanceof OnlyMachine) {
            return environment.machines().get(0);
        }
        if (request instanceof AllMachines) {
            return environment.machines();
        }
        if (request instanceof NetworkNamed named) {
            return environment.network(named.name());
        }
        if (request instanceof OnlyNetwork) {
            return environment.networks().get(0);
        }
        if (request instanceof MachinesWithRole role) {
            List<Machine> matches = selectWithRole(role, catalog).stream()
                    .map(environment::machine)
                    .toList();
            return role.single() ? matches.get(0) : matches;
        }
        return environment;
    }
}
