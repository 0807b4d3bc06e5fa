package io.testbed.core.ssh;

import io.testbed.core.TestbedException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import net.schmizz.sshj.common.Buffer;
import net.schmizz.sshj.common.KeyType;
import net.schmizz.sshj.transport.verification.HostKeyVerifier;
import org.apiguardian.api.API;

/**
 * The one host key an SSH server is allowed to present, from an OpenSSH public key line
 * ({@code ssh-ed25519 AAAA… comment}, as in {@code ssh_host_ed25519_key.pub}). There is no "accept any key"
 * mode: the key is known when the machine is made (generated for the guest, or listed in the inventory).
 */
@API(status = API.Status.INTERNAL)
public final class PinnedHostKey {

    private final String type;
    private final byte[] blob;

    private PinnedHostKey(String type, byte[] blob) {
        this.type = type;
        this.blob = blob;
    }

    /**
     * Parses an OpenSSH public key line.
     *
     * @throws IllegalArgumentException showing the line when it is not {@code <type> <base64> [comment]} with a key
     *                                  sshj can read
     */
    public static PinnedHostKey parse(String publicKeyLine) {
        Objects.requireNonNull(publicKeyLine, "publicKeyLine");
        String[] parts = publicKeyLine.strip().split("\\s+");
        if (parts.length < 2) {
            throw new IllegalArgumentException("host key (" + publicKeyLine + ") must be an OpenSSH public key line"
                    + " such as 'ssh-ed25519 AAAAC3Nza… comment' (the content of ssh_host_ed25519_key.pub)");
        }
        byte[] blob;
        PublicKey key;
        try {
            blob = Base64.getDecoder().decode(parts[1]);
            key = new Buffer.PlainBuffer(blob).readPublicKey();
        } catch (IllegalArgumentException | Buffer.BufferException e) {
            throw new IllegalArgumentException(
                    "host key (" + publicKeyLine + ") is not a readable OpenSSH public key: " + e.getMessage(), e);
        }
        String actualType = KeyType.fromKey(key).toString();
        if (!actualType.equals(parts[0])) {
            throw new IllegalArgumentException(
                    "host key (" + publicKeyLine + ") says type " + parts[0] + " but holds a " + actualType + " key");
        }
        return new PinnedHostKey(actualType, blob);
    }

    /**
     * Reads the public key line from a file such as {@code /etc/ssh/ssh_host_ed25519_key.pub}.
     *
     * @throws TestbedException naming the file when it cannot be read
     * @throws IllegalArgumentException when its content is not a public key line
     */
    public static PinnedHostKey read(Path publicKeyFile) {
        try {
            return parse(Files.readString(publicKeyFile, StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new TestbedException("Cannot read pinned host key " + publicKeyFile + ": " + e, e);
        }
    }

    /** The key type, e.g. {@code ssh-ed25519}. */
    public String type() {
        return type;
    }

    /** The OpenSSH SHA-256 fingerprint, {@code SHA256:…} as {@code ssh-keygen -lf} prints it. */
    public String fingerprint() {
        return fingerprint(blob);
    }

    /** The OpenSSH SHA-256 fingerprint of any public key. */
    public static String fingerprint(PublicKey key) {
        return fingerprint(blobOf(key));
    }

    /** Whether {@code key} is this key. */
    public boolean matches(PublicKey key) {
        return Arrays.equals(blob, blobOf(key));
    }

    @Override
    public String toString() {
        return type + " " + fingerprint();
    }

    /** A fresh sshj verifier for one connection attempt that accepts only this key; it remembers a key it refused. */
    public Verifier verifier() {
        return new Verifier();
    }

    private static byte[] blobOf(PublicKey key) {
        return new Buffer.PlainBuffer().putPublicKey(key).getCompactData();
    }

    private static String fingerprint(byte[] blob) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(blob);
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** Accepts only the pinned key and asks the server for that key type first. */
    public final class Verifier implements HostKeyVerifier {
        private volatile PublicKey refused;

        @Override
        public boolean verify(String hostname, int port, PublicKey key) {
            if (matches(key)) {
                return true;
            }
            refused = key;
            return false;
        }

        @Override
        public List<String> findExistingAlgorithms(String hostname, int port) {
            return List.of(type);
        }

        /** The key the server presented and this verifier refused, or {@code null}. */
        public PublicKey refused() {
            return refused;
        }
    }
}
