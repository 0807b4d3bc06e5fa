package io.testbed.core.ssh;

import io.testbed.core.TestbedException;
import io.testbed.core.internal.support.FileModes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import org.apiguardian.api.API;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.generators.Ed25519KeyPairGenerator;
import org.bouncycastle.crypto.params.Ed25519KeyGenerationParameters;
import org.bouncycastle.crypto.util.OpenSSHPrivateKeyUtil;
import org.bouncycastle.crypto.util.OpenSSHPublicKeyUtil;

/**
 * Ed25519 key pairs in OpenSSH file formats, so that both sshj and the {@code ssh} command line can use
 * them. Private keys are written with mode 0600 and never logged.
 */
@API(status = API.Status.INTERNAL)
public final class SshKeys {

    private SshKeys() {}

    /** A key pair on disk: the private key file and the {@code ssh-ed25519 AAAA… comment} public line. */
    public record KeyFiles(Path privateKey, Path publicKey, String publicLine) {}

    /**
     * Generates an Ed25519 key pair and writes {@code <base>} (private, 0600) and {@code <base>.pub}.
     *
     * @throws TestbedException when a file cannot be written or already exists
     */
    public static KeyFiles generate(Path base, String comment) {
        Ed25519KeyPairGenerator generator = new Ed25519KeyPairGenerator();
        generator.init(new Ed25519KeyGenerationParameters(new SecureRandom()));
        AsymmetricCipherKeyPair pair = generator.generateKeyPair();
        Path publicKey = base.resolveSibling(base.getFileName() + ".pub");
        String publicLine;
        try {
            String privatePem = "-----BEGIN OPENSSH PRIVATE KEY-----\n"
                    + Base64.getMimeEncoder(70, new byte[] {'\n'})
                            .encodeToString(OpenSSHPrivateKeyUtil.encodePrivateKey(pair.getPrivate()))
                    + "\n-----END OPENSSH PRIVATE KEY-----\n";
            publicLine = "ssh-ed25519 "
                    + Base64.getEncoder().encodeToString(OpenSSHPublicKeyUtil.encodePublicKey(pair.getPublic()))
                    + " " + comment;
            Files.createDirectories(base.getParent());
            Files.createFile(base, PosixFilePermissions.asFileAttribute(FileModes.OWNER_ONLY_FILE));
            Files.writeString(base, privatePem, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
            Files.writeString(publicKey, publicLine + "\n", StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new TestbedException("Cannot write SSH key pair " + base + ": " + e, e);
        }
        return new KeyFiles(base, publicKey, publicLine);
    }

    /** Reads an existing pair written by {@link #generate}. */
    public static KeyFiles read(Path base) {
        Path publicKey = base.resolveSibling(base.getFileName() + ".pub");
        try {
            return new KeyFiles(
                    base,
                    publicKey,
                    Files.readString(publicKey, StandardCharsets.US_ASCII).strip());
        } catch (IOException e) {
            throw new TestbedException("Cannot read SSH public key " + publicKey + ": " + e, e);
        }
    }
}
