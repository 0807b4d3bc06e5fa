package io.testbed.provider.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RequirementTest {

    private static Function<String, Optional<String>> host(String... keyValues) {
        Map<String, String> map = new java.util.HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            map.put(keyValues[i], keyValues[i + 1]);
        }
        return name -> Optional.ofNullable(map.get(name));
    }

    @Test
    void parsesPropertyOperatorAndValue() {
        Requirement requirement = Requirement.parse("  memory   >=   4 GiB ");
        assertThat(requirement.property()).isEqualTo("memory");
        assertThat(requirement.operator()).isEqualTo(Operator.GE);
        assertThat(requirement.value()).isEqualTo("4 GiB");
        assertThat(requirement).hasToString("memory   >=   4 GiB").isEqualTo(Requirement.parse("memory   >=   4 GiB"));
        assertThat(Requirement.parse("kernel!~^4\\.").operator()).isEqualTo(Operator.NOT_MATCHES);
        assertThat(Requirement.parse("cpus>2").value()).isEqualTo("2");
    }

    @ParameterizedTest(name = "{0} on {1} -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            memory >= 4 GiB   | 4 GiB        | ok
            memory >= 4 GiB   | 2 GiB        | memory 2 GiB < 4 GiB
            memory >= 4 GiB   | 4294967296 B | ok
            memory >= 4 GB    | 4 GiB        | ok
            memory >= 4 GiB   | 4 GB         | memory 3.73 GiB < 4 GiB
            memory < 1 TiB    | 2 TB         | memory 1.82 TiB >= 1 TiB
            memory = 512 MiB  | 0.5 GiB      | ok
            memory != 512 MiB | 0.5 GiB      | memory 512 MiB = 512 MiB
            disk > 100 GB     | 100 GB       | disk 100 GB <= 100 GB
            cpus > 2          | 3            | ok
            cpus > 2          | 2            | cpus 2 <= 2
            cpus <= 2         | 4            | cpus 4 > 2
            nics >= 2         | 1            | nics 1 < 2
            arch = x86_64     | x86_64       | ok
            arch = x86_64     | aarch64      | arch aarch64 != x86_64
            arch != x86_64    | x86_64       | arch x86_64 = x86_64
            hostname ~ lab-.* | lab-3        | ok
            hostname ~ ^lab-  | db-lab-1     | hostname db-lab-1 !~ ^lab-
            kernel !~ ^4\\.   | 6.1.0-13     | ok
            kernel !~ ^4\\.   | 4.19.0       | kernel 4.19.0 ~ ^4\\.
            rack = b3         | b3           | ok
            rack = b3         | b4           | rack b4 != b3
            speed >= 10       | 25           | ok
            speed >= 10       | 2.5          | speed 2.5 < 10
            ratio = 1.50      | 1.5          | ok
            speed >= 10       | fast         | speed 'fast' is not a number
            cache >= 1 MiB    | 512          | cache 512 has no unit to compare with 1 MiB
            cache >= 1        | 2 MiB        | cache 2 MiB is a size, 1 is a plain number
            memory >= 4 GiB   | lots         | memory 'lots' is not a size
            """)
    void checksAHostValue(String requirement, String actual, String expected) {
        String property = requirement.split("\\s")[0];
        Optional<String> failure = Requirement.parse(requirement).check(host(property, actual));
        assertThat(failure.orElse("ok")).isEqualTo(expected);
    }

    @Test
    void aMissingPropertyFails() {
        assertThat(Requirement.parse("gpu = yes").check(host()))
                .contains("gpu: no such property (neither declared nor probed)");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            memory >= 4 GB B    | requirement 'memory >= 4 GB B': unexpected 'B' after '4 GB'
            memory >= 4 GiBs    | requirement 'memory >= 4 GiBs': unknown unit 'GiBs'; use B, KB, KiB, MB, MiB, GB, GiB, TB, TiB
            memory >= 4         | requirement 'memory >= 4': memory is a size; give a unit: B, KB, KiB, MB, MiB, GB, GiB, TB, TiB (e.g. 'memory >= 4 GiB')
            memory >= lots      | requirement 'memory >= lots': memory is a size; give a unit: B, KB, KiB, MB, MiB, GB, GiB, TB, TiB (e.g. 'memory >= 4 GiB')
            memory => 4 GiB     | requirement 'memory => 4 GiB': unknown operator '=>'; use one of = != < <= > >= ~ !~
            memory == 4 GiB     | requirement 'memory == 4 GiB': unknown operator '=='; use one of = != < <= > >= ~ !~
            memory <> 4 GiB     | requirement 'memory <> 4 GiB': unknown operator '<>'; use one of = != < <= > >= ~ !~
            memory 4 GiB        | requirement 'memory 4 GiB': missing operator after 'memory' (found '4'); use one of = != < <= > >= ~ !~
            memory              | requirement 'memory': missing operator after 'memory'; use one of = != < <= > >= ~ !~
            memory >=           | requirement 'memory >=': missing value after '>='
            cpus > 2 GiB        | requirement 'cpus > 2 GiB': cpus is a count and takes no unit, was 'GiB'
            nics >= 2.5         | requirement 'nics >= 2.5': nics is a count; expected a whole number, was '2.5'
            cpus > two          | requirement 'cpus > two': cpus is a count; expected a whole number, was 'two'
            cpus ~ 4            | requirement 'cpus ~ 4': cpus is a count; '~' searches text, use = != < <= > >=
            arch > x86          | requirement 'arch > x86': arch is text; '>' compares numbers, use = != ~ !~
            rack > b3           | requirement 'rack > b3': '>' compares numbers, and 'b3' is not a number (with or without a size unit)
            kernel ~ ^4\\.(     | requirement 'kernel ~ ^4\\.(': bad regular expression '^4\\.(': Unclosed group near index 5
            4 GiB <= memory     | requirement '4 GiB <= memory': must start with a property name ([a-z][a-z0-9_.-]*) such as memory, cpus, arch or hostname
            """)
    void rejectsMalformedRequirementsWithExactMessages(String text, String message) {
        assertThatThrownBy(() -> Requirement.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }

    @Test
    void rejectsAnEmptyRequirement() {
        assertThatThrownBy(() -> Requirement.parse("  "))
                .hasMessage("requirement is empty; write <property> <operator> <value>, e.g. 'memory >= 4 GiB'");
    }

    @Test
    void machineRequestReportsEveryMalformedRequirement() {
        assertThatThrownBy(() -> MachineRequest.of("web", "memory >= 4", "cpus >= 2", "arch > x86"))
                .hasMessage("machine 'web': requirement 'memory >= 4': memory is a size; give a unit: B, KB, KiB, MB, "
                        + "MiB, GB, GiB, TB, TiB (e.g. 'memory >= 4 GiB')" + System.lineSeparator()
                        + "machine 'web': requirement 'arch > x86': arch is text; '>' compares numbers, use = != ~ !~");
    }

    @Test
    void machineRequestDescribesWhatItAsksFor() {
        MachineRequest request = MachineRequest.of("db", "memory >= 4 GiB", "cpus > 2")
                .withRoles("db", "backup")
                .withNetworks("lan", "lan");
        assertThat(request.describe()).isEqualTo("memory >= 4 GiB; cpus > 2; roles backup, db; networks lan, lan");
        assertThat(MachineRequest.of("any").describe()).isEqualTo("any host");
        assertThatThrownBy(() -> MachineRequest.of("Web"))
                .hasMessage("machine request name must match [a-z][a-z0-9-]{0,30} (a lower-case DNS label), was 'Web'");
        assertThatThrownBy(() -> MachineRequest.of("web").withRoles("Front End"))
                .hasMessage("machine 'web': role 'Front End' must match [a-z][a-z0-9-]{0,30} (a lower-case DNS label)");
        assertThatThrownBy(() -> MachineRequest.of("web").withNetworks(" "))
                .hasMessage("machine 'web': network labels must not be blank");
    }
}
