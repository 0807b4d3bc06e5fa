package io.testbed.junit.internal;

import io.testbed.core.Machine;
import io.testbed.core.TestNetwork;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Parameter;
import java.util.Arrays;
import java.util.stream.Collectors;

/** How messages name annotations and injection points, in one place so that every message reads alike. */
final class Labels {

    private Labels() {}

    static String vm(String name) {
        return "@VM(name = " + literal(name) + ")";
    }

    static String dockerHost(String name) {
        return "@DockerHost(name = " + literal(name) + ")";
    }

    static String sshHost(String name) {
        return "@SshHost(name = " + literal(name) + ")";
    }

    static String network(String name) {
        return "@Network(name = " + literal(name) + ")";
    }

    static String link(String from, String to) {
        return "@Link(from = " + literal(from) + ", to = " + literal(to) + ")";
    }

    static String disk(String vm, String disk) {
        return vm(vm) + " @Disk(name = " + literal(disk) + ")";
    }

    static String prefix(String name) {
        return "@Prefix(name = " + literal(name) + ")";
    }

    static String literal(String value) {
        return value == null ? "null" : "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** {@code parameter 'web' of method test(Machine)}. */
    static String parameter(Parameter parameter) {
        return "parameter '" + parameter.getName() + "' of " + executable(parameter.getDeclaringExecutable());
    }

    static String executable(Executable executable) {
        boolean constructor = executable instanceof Constructor<?>;
        String name = constructor ? executable.getDeclaringClass().getSimpleName() : executable.getName();
        return (constructor ? "constructor " : "method ") + name + "("
                + Arrays.stream(executable.getParameterTypes())
                        .map(Class::getSimpleName)
                        .collect(Collectors.joining(", "))
                + ")";
    }

    /** {@code field ClusterIT.web}. */
    static String field(Field field) {
        return "field " + field.getDeclaringClass().getSimpleName() + "." + field.getName();
    }

    /** The simple name of an injectable type, as users write it. */
    static String type(Class<?> type) {
        if (type == Machine.class || type == TestNetwork.class || type == io.testbed.core.Environment.class) {
            return type.getSimpleName();
        }
        return type.getName();
    }
}
