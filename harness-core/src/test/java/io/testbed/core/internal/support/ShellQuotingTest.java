package io.testbed.core.internal.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShellQuotingTest {

    private static final List<String> TRICKY = List.of(
            "plain",
            "",
            "it's",
            "''",
            "'\\''",
            "two  spaces",
            "$HOME",
            "${PATH}",
            "`id`",
            "$(id)",
            "\"double\"",
            "back\\slash",
            "semi;colon",
            "a|b&c>d<e",
            "*?[a]",
            "~root",
            "#comment",
            "line\nbreak",
            "tab\there",
            "-n",
            "ünïcödé",
            "!bang",
            "trailing\\");

    @Test
    void everyWordSurvivesARealShellUnchanged() {
        StringBuilder script = new StringBuilder("for word in");
        for (String word : TRICKY) {
            script.append(' ').append(ShellQuoting.quote(word));
        }
        script.append("; do printf '%s\\0' \"$word\"; done");
        LocalCommand.Result result = LocalCommand.of("/bin/sh", "-c", script.toString())
                .timeout(Duration.ofSeconds(20))
                .check("print the quoted words");
        List<String> words = new ArrayList<>(List.of(result.stdout().split("\0", -1)));
        words.remove(words.size() - 1); // after the last NUL
        assertThat(words).containsExactlyElementsOf(TRICKY);
    }

    @Test
    void quotesWithSingleQuotesOnly() {
        assertThat(ShellQuoting.quote("it's")).isEqualTo("'it'\\''s'");
        assertThat(ShellQuoting.quote("")).isEqualTo("''");
    }

    @Test
    void refusesNul() {
        assertThatThrownBy(() -> ShellQuoting.quote("a\0b"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a shell word must not contain a NUL character: a\\0b");
    }
}
