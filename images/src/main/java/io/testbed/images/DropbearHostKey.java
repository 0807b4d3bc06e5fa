package io.testbed.images;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * An Ed25519 host key in dropbear's own key file format, from the OpenSSH private key Testbed generates, so that the
 * tiny guest writes its host key with the shell's {@code printf} instead of starting {@code dropbearconvert} (tens of
 * milliseconds of its only vCPU under TCG, on every cold boot and warm start).
 *
 * <p>Dropbear's format ({@code buf_put_ed25519_priv_key}): the string {@code ssh-ed25519}, then a 64-byte string of
 * the 32-byte private seed followed by the 32-byte public key. OpenSSH's unencrypted {@code openssh-key-v1} holds
 * exactly those 64 bytes as the private key's value.
 */
final class DropbearHostKey {

    private static final byte[] MAGIC = "openssh-key-v1\0".getBytes(StandardCharsets.US_ASCII);
    private static final String TYPE = "ssh-ed25519";

    private DropbearHostKey() {}

    /**
     * The dropbear key file's bytes.
     *
     * @throws IllegalArgumentException when the text is not an unencrypted OpenSSH Ed25519 private key
     */
    static byte[] fromOpenSsh(String privateKey) {
        try {
            return parse(privateKey);
        } catch (java.nio.BufferUnderflowException | NegativeArraySizeException truncated) {
            throw new IllegalArgumentException("not an openssh-key-v1 private key: it ends too early", truncated);
        }
    }

    private static byte[] parse(String privateKey) {
        String body = privateKey.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        ByteBuffer in = ByteBuffer.wrap(Base64.getDecoder().decode(body));
        byte[] magic = new byte[MAGIC.length];
        in.get(magic);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new IllegalArgumentException("not an openssh-key-v1 private key");
        }
        String cipher = text(in);
        String kdf = text(in);
        bytes(in); // kdf options
        if (!"none".equals(cipher) || !"none".equals(kdf) || in.getInt() != 1) {
            throw new IllegalArgumentException("an encrypted key or several keys (cipher " + cipher + ")");
        }
        bytes(in); // the public key blob
        ByteBuffer secret = ByteBuffer.wrap(bytes(in));
        if (secret.getInt() != secret.getInt()) {
            throw new IllegalArgumentException("the private section's check numbers differ");
        }
        String type = text(secret);
        if (!TYPE.equals(type)) {
            throw new IllegalArgumentException("a " + type + " key, not " + TYPE);
        }
        bytes(secret); // the public key (also the last 32 bytes of the next)
        byte[] seedAndPublic = bytes(secret);
        if (seedAndPublic.length != 64) {
            throw new IllegalArgumentException("the Ed25519 private value has " + seedAndPublic.length + " bytes");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        put(out, TYPE.getBytes(StandardCharsets.US_ASCII));
        put(out, seedAndPublic);
        return out.toByteArray();
    }

    /** {@code bytes} for the argument of a shell's {@code printf '%b'}: every byte as an octal escape. */
    static String printfEscaped(byte[] bytes) {
        StringBuilder text = new StringBuilder(bytes.length * 5);
        for (byte b : bytes) {
            text.append(String.format("\\0%03o", b & 0xff));
        }
        return text.toString();
    }

    private static byte[] bytes(ByteBuffer in) {
        byte[] value = new byte[in.getInt()];
        in.get(value);
        return value;
    }

    private static String text(ByteBuffer in) {
        return new String(bytes(in), StandardCharsets.US_ASCII);
    }

    private static void put(ByteArrayOutputStream out, byte[] value) {
        out.write(value.length >>> 24);
        out.write(value.length >>> 16);
        out.write(value.length >>> 8);
        out.write(value.length);
        out.write(value, 0, value.length);
    }
}
