package io.testbed.core.journal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import java.lang.reflect.Constructor;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every event kind is registered under a stable name and survives a JSON round trip unchanged. */
class EventJsonTest {

    private static final Instant T = Instant.parse("2030-01-02T03:04:05.678Z");

    static Stream<Class<?>> registeredTypes() {
        return Arrays.stream(Event.class.getAnnotation(JsonSubTypes.class).value())
                .map(JsonSubTypes.Type::value);
    }

    @Test
    void everyKindOfEventIsRegisteredOnceUnderAUniqueShortName() {
        List<Class<?>> leaves = new ArrayList<>();
        for (Class<?> group : Event.class.getPermittedSubclasses()) {
            leaves.addAll(List.of(group.getPermittedSubclasses()));
        }
        assertThat(registeredTypes()).containsExactlyInAnyOrderElementsOf(leaves);
        List<String> names = Arrays.stream(
                        Event.class.getAnnotation(JsonSubTypes.class).value())
                .map(JsonSubTypes.Type::name)
                .toList();
        assertThat(names).doesNotHaveDuplicates().allMatch(name -> name.matches("[a-z]+(\\.[a-z]+)*"));
    }

    @ParameterizedTest
    @MethodSource("registeredTypes")
    void roundTripsThroughJson(Class<?> type) throws Exception {
        Event event = (Event) sample(type);
        String json = Journal.JSON.writeValueAsString(event);
        assertThat(json)
                .doesNotContain("\n")
                .contains("\"type\":\"" + name(type) + "\"")
                .doesNotContain(type.getName());
        assertThat(Journal.JSON.readValue(json, Event.class)).isEqualTo(event);
    }

    @Test
    void writesTimesAndDurationsAsIso8601AndLeavesOutNulls() throws Exception {
        String json = Journal.JSON.writeValueAsString(
                new ResourceEvent.MachineReady(T, "env", "web", Duration.ofMillis(7400), Duration.ofMillis(6790)));
        assertThat(json)
                .isEqualTo(
                        "{\"type\":\"machine.ready\",\"time\":\"2030-01-02T03:04:05.678Z\","
                                + "\"environment\":\"env\",\"machine\":\"web\",\"bootDuration\":\"PT7.4S\",\"readyWait\":\"PT6.79S\"}");
        assertThat(Journal.JSON.writeValueAsString(new CommandEvent.FileCopied(
                        T, "env", null, "web", CommandEvent.Direction.UPLOAD, "a", "b", Duration.ZERO, null)))
                .doesNotContain("test", "error");
    }

    @Test
    void capsCommandOutputWithAMarker() {
        String big = "x".repeat(CommandEvent.OUTPUT_CAP + 10);
        CommandEvent.CommandRun run = new CommandEvent.CommandRun(
                T,
                "env",
                null,
                "web",
                CommandEvent.Purpose.RUN,
                "yes",
                null,
                List.of(),
                CommandEvent.Outcome.EXITED,
                0,
                null,
                Duration.ZERO,
                big,
                "small");
        assertThat(run.stdout())
                .startsWith("x".repeat(CommandEvent.OUTPUT_CAP))
                .endsWith("\n[testbed: 10 more characters not kept in the journal]");
        assertThat(run.stderr()).isEqualTo("small");
    }

    private static String name(Class<?> type) {
        return Arrays.stream(Event.class.getAnnotation(JsonSubTypes.class).value())
                .filter(t -> t.value() == type)
                .findFirst()
                .orElseThrow()
                .name();
    }

    /** An instance of a record with a distinct, non-default value in every component. */
    private static Object sample(Class<?> type) throws Exception {
        RecordComponent[] components = type.getRecordComponents();
        Object[] values = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            types[i] = components[i].getType();
            values[i] = value(components[i].getGenericType(), i);
        }
        Constructor<?> constructor = type.getDeclaredConstructor(types);
        return constructor.newInstance(values);
    }

    private static Object value(Type generic, int index) throws Exception {
        Class<?> raw = generic instanceof ParameterizedType p ? (Class<?>) p.getRawType() : (Class<?>) generic;
        if (raw == Instant.class) {
            return T.plusSeconds(index);
        } else if (raw == String.class) {
            return "value " + index + " with \"quotes\" and\nnewline";
        } else if (raw == Duration.class) {
            return Duration.ofMillis(1234 + index);
        } else if (raw == int.class || raw == Integer.class) {
            return 7 + index;
        } else if (raw == boolean.class) {
            return true;
        } else if (raw.isEnum()) {
            Object[] constants = raw.getEnumConstants();
            return constants[constants.length - 1];
        } else if (raw.isRecord()) {
            return sample(raw);
        }
        Type[] arguments = ((ParameterizedType) generic).getActualTypeArguments();
        if (raw == List.class) {
            return List.of(value(arguments[0], index), value(arguments[0], index + 1));
        } else if (raw == Set.class) {
            return Set.of(value(arguments[0], index), value(arguments[0], index + 1));
        } else if (raw == Map.class) {
            Map<Object, Object> map = new LinkedHashMap<>();
            map.put(value(arguments[0], index), value(arguments[1], index));
            map.put(value(arguments[0], index + 1), value(arguments[1], index + 1));
            return map;
        }
        throw new AssertionError("no sample value for " + generic + "; teach EventJsonTest this type");
    }
}
