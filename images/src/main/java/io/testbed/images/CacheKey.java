package io.testbed.images;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

/**
 * The content address of a built template: a SHA-256 over the recipe's name and version and its exact
 * inputs. Inputs are sorted first, so the order in which a recipe lists them does not matter; anything
 * that changes what the recipe would produce (a package version, a .deb's bytes, the recipe's scripts)
 * changes the key.
 */
final class CacheKey {

    private CacheKey() {}

    /** The canonical text that is hashed; one line per fact, so it can be logged and diffed. */
    static String canonicalText(String recipe, String recipeVersion, List<TemplateInput> inputs) {
        StringBuilder text = new StringBuilder();
        text.append("recipe ").append(recipe).append('\n');
        text.append("recipe-version ").append(recipeVersion).append('\n');
        inputs.stream()
                .sorted(Comparator.comparing(TemplateInput::name).thenComparing(TemplateInput::version))
                .forEach(input -> text.append("input ")
                        .append(input.name())
                        .append(' ')
                        .append(input.version())
                        .append(' ')
                        .append(input.sha256())
                        .append('\n'));
        return text.toString();
    }

    /** The key: lower-case hex SHA-256 of {@link #canonicalText}. */
    static String of(String recipe, String recipeVersion, List<TemplateInput> inputs) {
        return sha256Hex(canonicalText(recipe, recipeVersion, inputs).getBytes(StandardCharsets.UTF_8));
    }

    static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}
