package io.testbed.images;

import io.testbed.core.ssh.SshKeys;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.apiguardian.api.API;

/** Collects and validates a {@link SeedIso}. Not thread-safe. */
@API(status = API.Status.INTERNAL)
public final class SeedIsoBuilder {
    String hostname;
    String instanceId;
    final List<String> authorizedKeys = new ArrayList<>();
    Path hostPrivateKeyFile;
    Path hostPublicKeyFile;
    String hostPrivateKey;
    String hostPublicKey;
    final List<SeedIso.Nic> nics = new ArrayList<>();
    final List<InetAddress> dnsServers = new ArrayList<>();

    SeedIsoBuilder() {}

    /** The hostname, lower-case DNS labels separated by dots ({@code web}, {@code db.lab}). */
    public SeedIsoBuilder hostname(String hostname) {
        if (hostname == null
                || hostname.length() > 253
                || !SeedIso.HOSTNAME.matcher(hostname).matches()) {
            throw new IllegalArgumentException("SeedIso hostname (" + hostname + ") must be lower-case DNS "
                    + "labels (a-z, 0-9, '-', not starting or ending with '-') separated by dots");
        }
        this.hostname = hostname;
        return this;
    }

    /** The cloud-init instance id; defaults to {@code iid-<hostname>-<hash of host key and NICs>}. */
    public SeedIsoBuilder instanceId(String instanceId) {
        if (instanceId == null || !SeedIso.INSTANCE_ID.matcher(instanceId).matches()) {
            throw new IllegalArgumentException("SeedIso instanceId (" + instanceId
                    + ") must be 1–128 characters from A-Z a-z 0-9 . _ - starting with a letter or digit");
        }
        this.instanceId = instanceId;
        return this;
    }

    /** Adds a public key line ({@code ssh-ed25519 AAAA… comment}) that may log in as root. */
    public SeedIsoBuilder authorizedKey(String publicKeyLine) {
        authorizedKeys.add(checkPublicLine("authorizedKey", publicKeyLine));
        return this;
    }

    /** The machine's SSH host key pair: an OpenSSH Ed25519 private key file and its {@code .pub} file. */
    public SeedIsoBuilder hostKey(Path privateKey, Path publicKey) {
        this.hostPrivateKeyFile = Objects.requireNonNull(privateKey, "privateKey");
        this.hostPublicKeyFile = Objects.requireNonNull(publicKey, "publicKey");
        return this;
    }

    /** The machine's SSH host key pair as written by {@link SshKeys#generate}. */
    public SeedIsoBuilder hostKey(SshKeys.KeyFiles keys) {
        return hostKey(keys.privateKey(), keys.publicKey());
    }

    /** Adds a NIC; NICs are named eth0, eth1, … in the order added. */
    public SeedIsoBuilder nic(SeedIso.Nic nic) {
        nics.add(Objects.requireNonNull(nic, "nic"));
        return this;
    }

    /** Adds NICs in order. */
    public SeedIsoBuilder nics(List<SeedIso.Nic> list) {
        list.forEach(this::nic);
        return this;
    }

    /** Adds a DNS server. */
    public SeedIsoBuilder dnsServer(InetAddress server) {
        dnsServers.add(Objects.requireNonNull(server, "server"));
        return this;
    }

    /** Adds DNS servers in order. */
    public SeedIsoBuilder dnsServers(List<InetAddress> servers) {
        servers.forEach(this::dnsServer);
        return this;
    }

    /**
     * Validates the whole seed and reads the host key files.
     *
     * @throws IllegalArgumentException naming the missing or inconsistent element
     * @throws TemplateException        when a key file cannot be read
     */
    public SeedIso build() {
        if (hostname == null) {
            throw new IllegalArgumentException("SeedIso: hostname is required; call hostname(...)");
        }
        if (authorizedKeys.isEmpty()) {
            throw new IllegalArgumentException("SeedIso " + hostname + ": at least one authorizedKey is "
                    + "required, otherwise nobody can log in");
        }
        if (hostPrivateKeyFile == null) {
            throw new IllegalArgumentException("SeedIso " + hostname + ": hostKey(privateKey, publicKey) is "
                    + "required so the host key can be pinned; generate one with SshKeys.generate");
        }
        Set<String> macs = new HashSet<>();
        long gateways = 0;
        for (SeedIso.Nic nic : nics) {
            if (!macs.add(nic.mac())) {
                throw new IllegalArgumentException("SeedIso " + hostname + ": two NICs have MAC " + nic.mac());
            }
            gateways += nic.gateway() != null ? 1 : 0;
        }
        if (gateways > 1) {
            throw new IllegalArgumentException("SeedIso " + hostname + ": " + gateways
                    + " NICs have a gateway; give the default gateway to at most one NIC");
        }
        try {
            hostPrivateKey = Files.readString(hostPrivateKeyFile, StandardCharsets.US_ASCII);
            hostPublicKey = Files.readString(hostPublicKeyFile, StandardCharsets.US_ASCII)
                    .strip();
        } catch (IOException e) {
            throw new TemplateException(
                    "SeedIso " + hostname + ": cannot read the host key pair " + hostPrivateKeyFile + " / "
                            + hostPublicKeyFile + ": " + e.getMessage(),
                    e);
        }
        if (!hostPrivateKey.strip().startsWith("-----BEGIN OPENSSH PRIVATE KEY-----")
                || !hostPrivateKey.strip().endsWith("-----END OPENSSH PRIVATE KEY-----")) {
            throw new IllegalArgumentException("SeedIso " + hostname + ": host private key " + hostPrivateKeyFile
                    + " must be in OpenSSH format (BEGIN OPENSSH PRIVATE KEY)");
        }
        checkPublicLine("host public key " + hostPublicKeyFile, hostPublicKey);
        if (!hostPublicKey.startsWith("ssh-ed25519 ")) {
            throw new IllegalArgumentException("SeedIso " + hostname + ": host public key " + hostPublicKeyFile
                    + " must be an ssh-ed25519 key, was " + hostPublicKey.split(" ")[0]);
        }
        return new SeedIso(this);
    }

    private static String checkPublicLine(String element, String line) {
        if (line == null || line.isBlank()) {
            throw new IllegalArgumentException("SeedIso " + element + " must not be blank");
        }
        String stripped = line.strip();
        if (stripped.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new IllegalArgumentException("SeedIso " + element + " must be one line without control characters");
        }
        if (!stripped.matches("(ssh-|ecdsa-|sk-)\\S+ [A-Za-z0-9+/=]+( .*)?")) {
            throw new IllegalArgumentException("SeedIso " + element + " (" + stripped
                    + ") must be an OpenSSH public key line such as 'ssh-ed25519 AAAA… comment'");
        }
        return stripped;
    }
}
