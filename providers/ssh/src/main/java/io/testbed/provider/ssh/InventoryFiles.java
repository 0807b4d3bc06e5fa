package io.testbed.provider.ssh;

import com.fasterxml.jackson.databind.JsonNode;
import io.testbed.core.ssh.PinnedHostKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;

/**
 * The inventory fields that name files or keys: {@code private_key} (exists, a regular file, 0600),
 * {@code known_hosts} (exists, holds the host) and {@code host_key} (a readable public key line). Relative paths
 * are resolved against the inventory's directory, {@code ~/} against the user's home. Problems go to the reader's
 * list; nothing is thrown.
 */
final class InventoryFiles {

    /** Records a problem: where (host), field, rule. */
    interface ProblemSink {
        void add(String where, String field, String rule);
    }

    private final Path baseDir;
    private final ProblemSink problems;

    InventoryFiles(Path baseDir, ProblemSink problems) {
        this.baseDir = baseDir;
        this.problems = problems;
    }

    private void problem(String where, String field, String rule) {
        problems.add(where, field, rule);
    }

    /** The pinned key of a host: its {@code host_key} line, or its entry in its (or the default) known_hosts. */
    Optional<PinnedHostKey> hostKey(String where, JsonNode node, String address, int port, Path defaultKnownHosts) {
        if (node.has("host_key") && node.has("known_hosts")) {
            problem(where, "host_key", "and known_hosts are both set; keep one");
            return Optional.empty();
        }
        if (node.has("host_key")) {
            Optional<String> line = scalar(where, node, "host_key");
            try {
                return line.map(PinnedHostKey::parse);
            } catch (IllegalArgumentException e) {
                problem(
                        where,
                        "host_key",
                        "is not a usable OpenSSH public key line ('ssh-ed25519 AAAA… comment'): " + e.getMessage());
                return Optional.empty();
            }
        }
        Optional<Path> knownHosts =
                node.has("known_hosts") ? file(where, node, "known_hosts") : Optional.ofNullable(defaultKnownHosts);
        if (knownHosts.isEmpty()) {
            if (!node.has("known_hosts")) {
                problem(
                        where,
                        "host_key",
                        "is missing: pin the host's key with host_key (a line of its "
                                + "ssh_host_ed25519_key.pub) or known_hosts (a file); Testbed never trusts an unknown key");
            }
            return Optional.empty();
        }
        try {
            Optional<String> line = KnownHosts.find(knownHosts.get(), address, port);
            if (line.isEmpty()) {
                problem(
                        where,
                        "known_hosts",
                        knownHosts.get() + " has no key for '"
                                + KnownHosts.hostName(address, port) + "'; add one (ssh-keyscan -p " + port + " "
                                + address
                                + ", checked against the host's console) or set host_key");
                return Optional.empty();
            }
            return Optional.of(PinnedHostKey.parse(line.get()));
        } catch (IOException e) {
            problem(where, "known_hosts", knownHosts.get() + " cannot be read: " + e);
        } catch (IllegalArgumentException e) {
            problem(
                    where,
                    "known_hosts",
                    knownHosts.get() + " holds an unusable key for '" + KnownHosts.hostName(address, port) + "': "
                            + e.getMessage());
        }
        return Optional.empty();
    }

    /** The {@code private_key} file, if it exists and only its owner can read it. */
    Optional<Path> privateKey(String where, JsonNode node) {
        Optional<Path> file = file(where, node, "private_key");
        if (file.isEmpty()) {
            return file;
        }
        Path key = file.get();
        try {
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(key);
            Set<PosixFilePermission> open = Set.of(
                    PosixFilePermission.GROUP_READ,
                    PosixFilePermission.GROUP_WRITE,
                    PosixFilePermission.GROUP_EXECUTE,
                    PosixFilePermission.OTHERS_READ,
                    PosixFilePermission.OTHERS_WRITE,
                    PosixFilePermission.OTHERS_EXECUTE);
            if (mode.stream().anyMatch(open::contains)) {
                problem(
                        where,
                        "private_key",
                        key + " must be readable by its owner only (0600), was " + octal(mode) + " ("
                                + PosixFilePermissions.toString(mode) + "); run chmod 600 " + key);
                return Optional.empty();
            }
        } catch (UnsupportedOperationException e) {
            return file; // no POSIX permissions on this file system: nothing to check
        } catch (IOException e) {
            problem(where, "private_key", key + " cannot be inspected: " + e);
            return Optional.empty();
        }
        return file;
    }

    /** The regular file named by {@code field}, resolved, if it exists. */
    Optional<Path> file(String where, JsonNode node, String field) {
        Optional<String> text = scalar(where, node, field);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        String raw = text.get().strip();
        Path path = raw.equals("~") || raw.startsWith("~/")
                ? Path.of(System.getProperty("user.home")).resolve(raw.substring(Math.min(2, raw.length())))
                : baseDir.resolve(raw);
        path = path.normalize();
        if (!Files.exists(path)) {
            problem(
                    where,
                    field,
                    path + " does not exist"
                            + (raw.equals(path.toString()) ? "" : " ('" + raw + "' resolved against " + baseDir + ")"));
            return Optional.empty();
        }
        if (!Files.isRegularFile(path)) {
            problem(where, field, path + " is not a regular file");
            return Optional.empty();
        }
        return Optional.of(path);
    }

    private Optional<String> scalar(String where, JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null) {
            return Optional.empty();
        }
        if (!value.isValueNode() || value.isNull() || value.asText().isBlank()) {
            problem(where, field, "must be a non-empty string, was " + show(value));
            return Optional.empty();
        }
        return Optional.of(value.asText());
    }

    private static String octal(Set<PosixFilePermission> mode) {
        int bits = 0;
        for (PosixFilePermission p : mode) {
            bits |= 1 << (8 - p.ordinal());
        }
        return String.format("%04o", bits);
    }

    private static String show(JsonNode value) {
        return InventoryReader.show(value);
    }
}
