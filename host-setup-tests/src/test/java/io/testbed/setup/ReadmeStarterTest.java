package io.testbed.setup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The README's "Use Testbed in your project" is the starter project's text: every code block there, introduced by
 * the file's path, equals that file of {@code examples/starter}, and every file of the starter is shown.
 * {@code StarterProjectIT} proves the files work; this keeps the README from drifting away from them.
 */
class ReadmeStarterTest {

    static final String SECTION = "## Use Testbed in your project";

    /** A line naming a starter file, a blank line, and a fenced code block. */
    private static final Pattern FILE_BLOCK = Pattern.compile(
            "^`(examples/starter/[^`]+)`:\\n\\n```[a-z]*\\n(.*?)^```$", Pattern.MULTILINE | Pattern.DOTALL);

    @Test
    void theReadmeSectionShowsEveryStarterFileVerbatim() throws IOException {
        Path root = repositoryRoot();
        Map<String, String> shown = blocks(section(Files.readString(root.resolve("README.md"))));
        assertThat(shown.keySet()).containsExactlyInAnyOrderElementsOf(starterFiles(root));
        for (Map.Entry<String, String> block : shown.entrySet()) {
            assertThat(block.getValue())
                    .as("README block of %s", block.getKey())
                    .isEqualTo(Files.readString(root.resolve(block.getKey())));
        }
    }

    @Test
    void blocksAreReadWithTheirPathAndExactText() {
        Map<String, String> shown = blocks("`examples/starter/a.txt`:\n\n```text\none\ntwo\n```\n");
        assertThat(shown).containsExactly(Map.entry("examples/starter/a.txt", "one\ntwo\n"));
    }

    static String section(String readme) {
        int start = readme.indexOf(SECTION + "\n");
        assertThat(start).as("README section '%s'", SECTION).isNotNegative();
        int end = readme.indexOf("\n## ", start + SECTION.length());
        return end < 0 ? readme.substring(start) : readme.substring(start, end + 1);
    }

    static Map<String, String> blocks(String text) {
        Map<String, String> blocks = new LinkedHashMap<>();
        Matcher matcher = FILE_BLOCK.matcher(text);
        while (matcher.find()) {
            assertThat(blocks.put(matcher.group(1), matcher.group(2)))
                    .as("shown twice: %s", matcher.group(1))
                    .isNull();
        }
        return blocks;
    }

    /** The starter's files, relative to the repository root, without build output. */
    static List<String> starterFiles(Path root) throws IOException {
        Path starter = root.resolve("examples/starter");
        try (Stream<Path> walk = Files.walk(starter)) {
            return walk.filter(Files::isRegularFile)
                    .filter(file -> !starter.relativize(file).startsWith("target"))
                    .map(file -> root.relativize(file).toString())
                    .sorted()
                    .toList();
        }
    }

    /** The checkout: the nearest directory above the working directory with the README and the starter. */
    static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("README.md")) && Files.isDirectory(dir.resolve("examples/starter"))) {
                return dir;
            }
        }
        throw new IllegalStateException(
                "No Testbed checkout above " + Path.of("").toAbsolutePath());
    }
}
