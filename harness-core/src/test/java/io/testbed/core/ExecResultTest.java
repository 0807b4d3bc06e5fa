package io.testbed.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExecResultTest {

    record Service(String name, List<Integer> ports) {}

    private static ExecResult printed(String stdout) {
        return new ExecResult("box", "print it", 0, stdout, "", Duration.ofMillis(3));
    }

    @Test
    void parsesStandardOutputAsJsonIntoPlainJavaTypes() {
        ExecResult result = printed("{\"name\":\"box\",\"ports\":[22,80],\"extra\":true}\n");
        assertThat(result.stdoutAsMap())
                .containsExactly(entry("name", "box"), entry("ports", List.of(22, 80)), entry("extra", true));
        assertThat(result.stdoutAs(Service.class)).isEqualTo(new Service("box", List.of(22, 80)));
        assertThat(printed("[1, 2]").stdoutAs(List.class)).isEqualTo(List.of(1, 2));
        assertThat(printed("\"text\"").stdoutAs(Object.class)).isEqualTo("text");
        assertThat(printed("{}").stdoutAs(Map.class)).isEmpty();
    }

    @Test
    void namesCommandMachineAndTypeWhenStandardOutputIsNotJsonForIt() {
        assertThatThrownBy(() -> printed("not json").stdoutAsMap())
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageStartingWith("stdout of 'print it' on machine 'box' is not JSON for a JSON object: ");
        assertThatThrownBy(() -> printed("[1]").stdoutAs(Service.class))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageStartingWith("stdout of 'print it' on machine 'box' is not JSON for Service: ");
    }

    @Test
    void exposesNoJacksonTypes() {
        for (var method : ExecResult.class.getMethods()) {
            assertThat(method.getReturnType().getName()).as(method.toString()).doesNotStartWith("com.fasterxml");
        }
    }
}
