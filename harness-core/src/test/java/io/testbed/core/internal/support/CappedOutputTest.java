package io.testbed.core.internal.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CappedOutputTest {

    @Test
    void keepsEverythingUpToTheLimitWithoutAMarker() {
        CappedOutput output = new CappedOutput(10);
        output.append(bytes("0123456789"));
        assertThat(text(output.toByteArray())).isEqualTo("0123456789");
        assertThat(output.dropped()).isZero();
    }

    @Test
    void dropsWhatExceedsTheLimitAndSaysHowMuchAtTheEnd() {
        CappedOutput output = new CappedOutput(10);
        output.append(bytes("01234"));
        output.write(bytes("56789abc"), 0, 8);
        output.write('d');
        output.append(bytes("efg"));
        assertThat(output.dropped()).isEqualTo(7);
        assertThat(text(output.toByteArray()))
                .isEqualTo("0123456789" + "\n[testbed: output capped at 10 bytes; 7 more bytes were dropped]\n");
        assertThat(output.toByteArray()).isEqualTo(output.toByteArray()); // reading does not change it
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
