package io.testbed.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SeedIsoTest {

    private static final String PRIVATE_KEY = """
            -----BEGIN OPENSSH PRIVATE KEY-----
            b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gt
            ZWQyNTUxOQAAACArcL6GUsH4Yx3sxPj4uUeVBf5oMQ1bBySiUCSbi0mSzwAAAIi2r/Ud
            -----END OPENSSH PRIVATE KEY-----
            """;
    private static final String HOST_PUBLIC = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICtwvoZSwfhjHezE host";
    private static final String CLIENT_PUBLIC = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILHZp6iHnvgc client \"quoted\"";

    @TempDir
    Path directory;
    private Path privateKey;
    private Path publicKey;

    @BeforeEach
    void writeKeys() throws IOException {
        privateKey = Files.writeString(directory.resolve("host"), PRIVATE_KEY);
        publicKey = Files.writeString(directory.resolve("host.pub"), HOST_PUBLIC + "\n");
    }

    private SeedIso.Builder web() throws IOException {
        return SeedIso.builder()
                .hostname("web")
                .instanceId("iid-web-1")
                .authorizedKey(CLIENT_PUBLIC)
                .hostKey(privateKey, publicKey);
    }

    private static InetAddress ip(String address) throws IOException {
        return InetAddress.getByName(address);
    }

    @Test
    void metaDataHoldsInstanceIdAndHostname() throws IOException {
        assertThat(web().build().metaData()).isEqualTo("""
                instance-id: iid-web-1
                local-hostname: web
                """);
    }

    @Test
    void userDataHoldsRootKeysAndTheHostKeyPairWithoutPasswords() throws IOException {
        assertThat(web().build().userData()).isEqualTo("""
                #cloud-config
                disable_root: false
                ssh_pwauth: false
                ssh_deletekeys: true
                ssh_genkeytypes: []
                ssh_authorized_keys:
                  - "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILHZp6iHnvgc client \\"quoted\\""
                ssh_keys:
                  ed25519_private: |
                    -----BEGIN OPENSSH PRIVATE KEY-----
                    b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gt
                    ZWQyNTUxOQAAACArcL6GUsH4Yx3sxPj4uUeVBf5oMQ1bBySiUCSbi0mSzwAAAIi2r/Ud
                    -----END OPENSSH PRIVATE KEY-----
                  ed25519_public: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICtwvoZSwfhjHezE host"
                """);
    }

    @Test
    void networkConfigMatchesNicsByMacWithStaticAddressesRoutesMtuAndNameservers() throws IOException {
        SeedIso seed = web()
                .nic(new SeedIso.Nic("52:54:00:AB:00:01", ip("198.18.4.10"), 24, ip("198.18.4.1"), 1400))
                .nic(new SeedIso.Nic("52:54:00:ab:00:02", ip("198.18.5.10"), 25, null, 0))
                .dnsServer(ip("198.18.4.1"))
                .dnsServer(ip("198.18.4.2"))
                .build();
        assertThat(seed.networkConfig()).isEqualTo("""
                version: 2
                ethernets:
                  eth0:
                    match:
                      macaddress: "52:54:00:ab:00:01"
                    set-name: eth0
                    addresses:
                      - 198.18.4.10/24
                    mtu: 1400
                    routes:
                      - to: 0.0.0.0/0
                        via: 198.18.4.1
                    nameservers:
                      addresses:
                        - 198.18.4.1
                        - 198.18.4.2
                  eth1:
                    match:
                      macaddress: "52:54:00:ab:00:02"
                    set-name: eth1
                    addresses:
                      - 198.18.5.10/25
                """);
    }

    @Test
    void networkConfigWithoutNicsIsStillValid() throws IOException {
        assertThat(web().build().networkConfig()).isEqualTo("version: 2\nethernets: {}\n");
    }

    @Test
    void defaultInstanceIdIsDerivedFromHostnameAndHostKey() throws IOException {
        SeedIso seed = SeedIso.builder().hostname("db").authorizedKey(CLIENT_PUBLIC).hostKey(privateKey, publicKey)
                .build();
        assertThat(seed.metaData()).matches("instance-id: iid-db-[0-9a-f]{12}\nlocal-hostname: db\n");
        assertThat(seed.hostPublicKey()).isEqualTo(HOST_PUBLIC);
    }

    @Test
    void rejectsBadHostname() {
        assertThatThrownBy(() -> SeedIso.builder().hostname("Web_1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("SeedIso hostname (Web_1) must be lower-case DNS labels");
    }

    @Test
    void rejectsMalformedAndMulticastMacs() {
        assertThatThrownBy(() -> new SeedIso.Nic("52:54:00:ab:00", ip("198.18.4.10"), 24, null, 0))
                .hasMessageContaining("mac (52:54:00:ab:00) must be six colon-separated hex bytes");
        assertThatThrownBy(() -> new SeedIso.Nic("53:54:00:ab:00:01", ip("198.18.4.10"), 24, null, 0))
                .hasMessageContaining("must be a unicast address");
    }

    @Test
    void rejectsGatewayOutsideTheSubnet() {
        assertThatThrownBy(() -> new SeedIso.Nic("52:54:00:ab:00:01", ip("198.18.4.10"), 24, ip("198.18.5.1"), 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("gateway (198.18.5.1) must be another address inside 198.18.4.0/24");
    }

    @Test
    void rejectsBadPrefixAndMtu() {
        assertThatThrownBy(() -> new SeedIso.Nic("52:54:00:ab:00:01", ip("198.18.4.10"), 33, null, 0))
                .hasMessageContaining("prefixLength (33) must be between 1 and 32");
        assertThatThrownBy(() -> new SeedIso.Nic("52:54:00:ab:00:01", ip("198.18.4.10"), 24, null, 40))
                .hasMessageContaining("mtu (40) must be 0 (default) or 68–65535");
    }

    @Test
    void rejectsTwoDefaultGateways() throws IOException {
        SeedIso.Builder builder = web()
                .nic(new SeedIso.Nic("52:54:00:ab:00:01", ip("198.18.4.10"), 24, ip("198.18.4.1"), 0))
                .nic(new SeedIso.Nic("52:54:00:ab:00:02", ip("198.18.5.10"), 24, ip("198.18.5.1"), 0));
        assertThatThrownBy(builder::build)
                .hasMessageContaining("SeedIso web: 2 NICs have a gateway; give the default gateway to at most one NIC");
    }

    @Test
    void rejectsDuplicateMacs() throws IOException {
        SeedIso.Builder builder = web()
                .nic(new SeedIso.Nic("52:54:00:ab:00:01", ip("198.18.4.10"), 24, null, 0))
                .nic(new SeedIso.Nic("52:54:00:AB:00:01", ip("198.18.5.10"), 24, null, 0));
        assertThatThrownBy(builder::build).hasMessageContaining("two NICs have MAC 52:54:00:ab:00:01");
    }

    @Test
    void requiresHostnameAuthorizedKeyAndHostKey() throws IOException {
        assertThatThrownBy(() -> SeedIso.builder().build()).hasMessageContaining("hostname is required");
        assertThatThrownBy(() -> SeedIso.builder().hostname("web").hostKey(privateKey, publicKey).build())
                .hasMessageContaining("at least one authorizedKey is required");
        assertThatThrownBy(() -> SeedIso.builder().hostname("web").authorizedKey(CLIENT_PUBLIC).build())
                .hasMessageContaining("hostKey(privateKey, publicKey) is required");
    }

    @Test
    void rejectsMultiLineOrMalformedAuthorizedKeys() {
        assertThatThrownBy(() -> SeedIso.builder().authorizedKey("ssh-ed25519 AAAA\nssh-rsa BBBB"))
                .hasMessageContaining("must be one line without control characters");
        assertThatThrownBy(() -> SeedIso.builder().authorizedKey("not a key"))
                .hasMessageContaining("must be an OpenSSH public key line");
    }

    @Test
    void rejectsNonEd25519OrNonOpenSshHostKeys() throws IOException {
        Files.writeString(publicKey, "ssh-rsa AAAAB3NzaC1yc2E host\n");
        assertThatThrownBy(() -> web().build()).hasMessageContaining("must be an ssh-ed25519 key, was ssh-rsa");
        Files.writeString(publicKey, HOST_PUBLIC);
        Files.writeString(privateKey, "-----BEGIN RSA PRIVATE KEY-----\nx\n-----END RSA PRIVATE KEY-----\n");
        assertThatThrownBy(() -> web().build()).hasMessageContaining("must be in OpenSSH format");
    }

    @Test
    void missingKeyFileIsReportedWithItsPath() throws IOException {
        Files.delete(privateKey);
        assertThatThrownBy(() -> web().build())
                .isInstanceOf(TemplateException.class)
                .hasMessageContaining("cannot read the host key pair " + privateKey);
    }
}
