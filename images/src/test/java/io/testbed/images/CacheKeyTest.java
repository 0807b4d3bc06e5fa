package io.testbed.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class CacheKeyTest {

    private static final String SHA_A = "a".repeat(64);
    private static final String SHA_B = "b".repeat(64);
    private static final TemplateInput BUSYBOX = new TemplateInput("busybox-static", "1:1.35.0-4", SHA_A, 928188);
    private static final TemplateInput DROPBEAR = new TemplateInput("dropbear-bin", "2022.83-1", SHA_B, 155520);

    @Test
    void canonicalTextListsRecipeVersionAndSortedInputs() {
        assertThat(CacheKey.canonicalText("tiny", "tiny-1-abc", List.of(DROPBEAR, BUSYBOX)))
                .isEqualTo("recipe tiny\n"
                        + "recipe-version tiny-1-abc\n"
                        + "input busybox-static 1:1.35.0-4 " + SHA_A + "\n"
                        + "input dropbear-bin 2022.83-1 " + SHA_B + "\n");
    }

    @Test
    void keyIsSha256HexOfTheCanonicalText() {
        String key = CacheKey.of("tiny", "v1", List.of(BUSYBOX));
        assertThat(key).matches("[0-9a-f]{64}");
        assertThat(key)
                .isEqualTo(CacheKey.sha256Hex(CacheKey.canonicalText("tiny", "v1", List.of(BUSYBOX))
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    @Test
    void inputOrderDoesNotMatter() {
        assertThat(CacheKey.of("tiny", "v1", List.of(BUSYBOX, DROPBEAR)))
                .isEqualTo(CacheKey.of("tiny", "v1", List.of(DROPBEAR, BUSYBOX)));
    }

    @Test
    void anyChangedFactChangesTheKey() {
        String key = CacheKey.of("tiny", "v1", List.of(BUSYBOX, DROPBEAR));
        assertThat(CacheKey.of("tiny", "v2", List.of(BUSYBOX, DROPBEAR))).isNotEqualTo(key);
        assertThat(CacheKey.of("other", "v1", List.of(BUSYBOX, DROPBEAR))).isNotEqualTo(key);
        assertThat(CacheKey.of("tiny", "v1", List.of(BUSYBOX))).isNotEqualTo(key);
        TemplateInput newerDropbear = new TemplateInput("dropbear-bin", "2022.83-2", SHA_B, 155520);
        assertThat(CacheKey.of("tiny", "v1", List.of(BUSYBOX, newerDropbear))).isNotEqualTo(key);
        TemplateInput rebuiltDropbear = new TemplateInput("dropbear-bin", "2022.83-1", "c".repeat(64), 155520);
        assertThat(CacheKey.of("tiny", "v1", List.of(BUSYBOX, rebuiltDropbear))).isNotEqualTo(key);
    }

    @Test
    void sizeIsNotPartOfTheKeyTheHashIs() {
        TemplateInput sameBytesOtherSizeClaim = new TemplateInput("busybox-static", "1:1.35.0-4", SHA_A, 1);
        assertThat(CacheKey.of("tiny", "v1", List.of(sameBytesOtherSizeClaim)))
                .isEqualTo(CacheKey.of("tiny", "v1", List.of(BUSYBOX)));
    }

    @Test
    void inputHashIsNormalisedAndValidated() {
        assertThat(new TemplateInput("x", "1", "A".repeat(64), 0).sha256()).isEqualTo("a".repeat(64));
        assertThatThrownBy(() -> new TemplateInput("x", "1", "abc", 0))
                .hasMessageContaining("TemplateInput x: sha256 (abc) must be 64 hex digits");
    }
}
