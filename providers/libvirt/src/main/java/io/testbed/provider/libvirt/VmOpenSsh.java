package io.testbed.provider.libvirt;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apiguardian.api.API;

/**
 * How OpenSSH's {@code ssh} reaches a VM of a prefix as {@code root}: with the prefix's key only, trusting exactly
 * the host key Testbed generated and pinned for the VM ({@link LibvirtProvider#hostKeyFile}) through a known-hosts
 * file that holds only that key, without the user's configuration, without prompts and without adding anything to
 * {@code ~/.ssh}. {@code testbed ssh} and the benchmark's OpenSSH anchor both build their command lines here.
 */
@API(status = API.Status.INTERNAL)
public final class VmOpenSsh {

    private VmOpenSsh() {}

    /**
     * The options that come after {@code ssh} and before the destination.
     *
     * @param privateKey the prefix's private key ({@code Prefix.keyFile()})
     * @param knownHosts the file {@link #writeKnownHosts} wrote
     */
    public static List<String> options(Path privateKey, Path knownHosts) {
        return List.of(
                "-F",
                "/dev/null",
                "-i",
                privateKey.toString(),
                "-o",
                "IdentitiesOnly=yes",
                "-o",
                "UserKnownHostsFile=" + knownHosts,
                "-o",
                "GlobalKnownHostsFile=/dev/null",
                "-o",
                "StrictHostKeyChecking=yes",
                "-o",
                "HostKeyAlgorithms=ssh-ed25519",
                "-o",
                "BatchMode=yes",
                "-o",
                "ConnectTimeout=10",
                "-o",
                "LogLevel=ERROR");
    }

    /** The destination: {@code root@<address>}. */
    public static String destination(String address) {
        return "root@" + address;
    }

    /**
     * Writes a known-hosts file that accepts exactly the host key pinned for {@code machine} of the prefix in
     * {@code prefixDir}, at {@code address}.
     *
     * @throws IllegalArgumentException when the prefix holds no host key for the machine
     * @throws IOException              when the file cannot be written
     */
    public static void writeKnownHosts(Path prefixDir, String machine, String address, Path file) throws IOException {
        Path publicKey = Path.of(LibvirtProvider.hostKeyFile(prefixDir, machine) + ".pub");
        String line;
        try {
            line = Files.readString(publicKey, StandardCharsets.US_ASCII).strip();
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "no pinned host key for machine " + machine + " (" + publicKey
                            + " is missing or unreadable): no other key is trusted",
                    e);
        }
        String[] key = line.split("\\s+");
        if (key.length < 2) {
            throw new IllegalArgumentException("the pinned host key of machine " + machine + " (" + publicKey
                    + ") is not an OpenSSH public key line: '" + line + "'");
        }
        Files.writeString(file, address + " " + key[0] + " " + key[1] + "\n", StandardCharsets.US_ASCII);
    }
}
