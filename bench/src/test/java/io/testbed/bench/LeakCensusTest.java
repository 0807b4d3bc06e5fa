package io.testbed.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LeakCensusTest {

    @Test
    void aLeftoverIsReportedByTheLookThatFirstFindsItAndNeverAgain() {
        List<String> host = new ArrayList<>(List.of("lease 198.18.4.0/24 of /old/run"));
        LeakCensus census = new LeakCensus(() -> List.copyOf(host));

        assertThat(census.newSinceLastLook()).containsExactly("lease 198.18.4.0/24 of /old/run"); // at the start

        host.add("libvirt domain tb-0123abcd-vm");
        assertThat(census.newSinceLastLook()).containsExactly("libvirt domain tb-0123abcd-vm"); // the first group

        assertThat(census.newSinceLastLook()).isEmpty(); // a clean second group is clean

        host.remove("libvirt domain tb-0123abcd-vm");
        host.add("docker network tb-4567cdef-lan");
        assertThat(census.newSinceLastLook()).containsExactly("docker network tb-4567cdef-lan");
    }
}
