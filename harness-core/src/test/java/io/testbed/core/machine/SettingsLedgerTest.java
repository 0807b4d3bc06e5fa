package io.testbed.core.machine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SettingsLedgerTest {

    @Test
    void drainsNewestFirstSoThatTheOriginalValueIsWrittenLast() {
        SettingsLedger ledger = new SettingsLedger();
        ledger.record(new SettingsLedger.Change("sysctl a", "/proc/sys/a", "64"));
        ledger.record(new SettingsLedger.Change("sysfs b", "/sys/b", "1500"));
        ledger.record(new SettingsLedger.Change("sysctl a", "/proc/sys/a", "100"));

        assertThat(ledger.drainNewestFirst())
                .extracting(SettingsLedger.Change::oldValue)
                .containsExactly("100", "1500", "64");
    }

    @Test
    void drainingTwiceReturnsNothingTheSecondTime() {
        SettingsLedger ledger = new SettingsLedger();
        ledger.record(new SettingsLedger.Change("sysctl a", "/proc/sys/a", "0"));
        assertThat(ledger.drainNewestFirst()).hasSize(1);
        assertThat(ledger.drainNewestFirst()).isEmpty();
        assertThat(ledger.size()).isZero();
    }
}
