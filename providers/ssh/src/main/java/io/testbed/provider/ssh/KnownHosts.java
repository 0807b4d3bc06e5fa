package io.testbed.provider.ssh;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Looks up a host's key in an OpenSSH {@code known_hosts} file: plain, wildcard ({@code *}, {@code ?}), negated
 * ({@code !pattern}) and hashed ({@code |1|salt|hash}) host patterns, with {@code [address]:port} for ports other
 * than 22. Lines with a marker ({@code @cert-authority}, {@code @revoked}) are skipped: a certificate authority is
 * no pinned key, and a revoked key never matches.
 */
public final class KnownHosts {

    private static final List<String> PREFERENCE = List.of(
            "ssh-ed25519",
            "ecdsa-sha2-nistp256",
            "ecdsa-sha2-nistp384",
            "ecdsa-sha2-nistp521",
            "rsa-sha2-512",
            "rsa-sha2-256",
            "ssh-rsa");

    private KnownHosts() {}

    /** The name {@code known_hosts} files use for {@code address} on {@code port}. */
    public static String hostName(String address, int port) {
        return port == 22 ? address : "[" + address + "]:" + port;
    }

    /**
     * The key line ({@code <type> <base64>}) recorded for {@code address} on {@code port}, the strongest type first
     * (ed25519, then ECDSA, then RSA), or empty when the file has none.
     *
     * @throws IOException when the file cannot be read
     */
    public static Optional<String> find(Path file, String address, int port) throws IOException {
        String name = hostName(address, port);
        List<String> keys = new ArrayList<>();
        for (String raw : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith("@")) {
                continue;
            }
            String[] fields = line.split("\\s+");
            if (fields.length >= 3 && matches(fields[0], name)) {
                keys.add(fields[1] + " " + fields[2]);
            }
        }
        return keys.stream().min(Comparator.comparingInt(KnownHosts::rank));
    }

    private static int rank(String keyLine) {
        int index = PREFERENCE.indexOf(keyLine.substring(0, keyLine.indexOf(' ')));
        return index < 0 ? PREFERENCE.size() : index;
    }

    private static boolean matches(String patterns, String name) {
        if (patterns.startsWith("|1|")) {
            return hashedMatches(patterns, name);
        }
        boolean matched = false;
        for (String pattern : patterns.split(",")) {
            boolean negated = pattern.startsWith("!");
            String glob = negated ? pattern.substring(1) : pattern;
            if (globMatches(glob, name)) {
                if (negated) {
                    return false;
                }
                matched = true;
            }
        }
        return matched;
    }

    private static boolean globMatches(String glob, String name) {
        StringBuilder regex = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString(), Pattern.CASE_INSENSITIVE)
                .matcher(name)
                .matches();
    }

    private static boolean hashedMatches(String entry, String name) {
        String[] parts = entry.split("\\|");
        if (parts.length != 4) {
            return false;
        }
        try {
            byte[] salt = Base64.getDecoder().decode(parts[2]);
            byte[] expected = Base64.getDecoder().decode(parts[3]);
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(salt, "HmacSHA1"));
            return MessageDigest.isEqual(expected, mac.doFinal(name.getBytes(StandardCharsets.UTF_8)));
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            return false;
        }
    }
}
