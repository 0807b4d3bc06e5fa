package io.testbed.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TestbedConfigTest {

    @Test
    void defaultsAreInTheBenchmarkingRange() {
        TestbedConfig config = TestbedConfig.defaultConfig();
        assertThat(config.get(TestbedConfig.LEASE_POOL)).isEqualTo("198.18.0.0/15");
        assertThat(config.get(TestbedConfig.LEASE_SUBNET_LENGTH)).isEqualTo("24");
        assertThat(config.keep()).isEqualTo(TestbedConfig.Keep.NEVER);
        assertThat(config.bootTimeout()).isEqualTo(Duration.ofSeconds(180));
    }

    @Test
    void unknownKeyNamesTheClosestKnownOne() {
        assertThatThrownBy(() -> TestbedConfig.of(Map.of("testbed.libvirt.url", "qemu:///session")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid Testbed configuration: unknown configuration key 'testbed.libvirt.url'; "
                        + "did you mean 'testbed.libvirt.uri'?");
    }

    @Test
    void badValuesAreAllReported() {
        assertThatThrownBy(() ->
                        TestbedConfig.of(Map.of(TestbedConfig.PARALLELISM, "zero", TestbedConfig.KEEP, "sometimes")))
                .hasMessageContaining("testbed.parallelism must be a whole number, was 'zero'")
                .hasMessageContaining("testbed.keep must be one of never, on-failure, always, was 'sometimes'");
    }

    @Test
    void otherKeysAndItKeysAreIgnored() {
        TestbedConfig config = TestbedConfig.of(
                Map.of("java.home", "/x", "testbed.it.sshd.port", "2222", TestbedConfig.BOOT_TIMEOUT, "PT2M"));
        assertThat(config.bootTimeout()).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void warmStartIsOnByDefaultAndTakesOnlyTrueOrFalse() {
        assertThat(TestbedConfig.defaultConfig().warmStart()).isTrue();
        assertThat(TestbedConfig.of(Map.of(TestbedConfig.WARM_START, "false")).warmStart())
                .isFalse();
        assertThatThrownBy(() -> TestbedConfig.of(Map.of(TestbedConfig.WARM_START, "no")))
                .hasMessageContaining("testbed.libvirt.warmStart must be true or false, was 'no'");
    }

    @Test
    void warmImagesUnusedForAWeekArePrunedByDefaultAndTheDaysAreChecked() {
        assertThat(TestbedConfig.defaultConfig().warmImageUnused()).isEqualTo(Duration.ofDays(7));
        assertThat(TestbedConfig.of(Map.of(TestbedConfig.WARM_IMAGE_UNUSED_DAYS, "2"))
                        .warmImageUnused())
                .isEqualTo(Duration.ofDays(2));
        assertThatThrownBy(() -> TestbedConfig.of(Map.of(TestbedConfig.WARM_IMAGE_UNUSED_DAYS, "0")))
                .hasMessageContaining("testbed.libvirt.warmImageUnusedDays must be between 1 and 3650, was 0");
    }
}
