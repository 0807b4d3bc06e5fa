package io.testbed.images;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
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

    private SeedIsoBuilder web() throws IOException {
        return SeedIso.builder()
                .hostname("web")
                .instanceId("iid-web-1")
                .authorizedKey(CLIENT_PUBLIC)
                .hostKey(privateKey, publicKey);
    }

    private static InetAddress ip(String address) throws IOException {
        return InetAddress.getByName(address);
    }

    private static JsonNode yaml(String text) throws IOException {
        return new YAMLMapper().readTree(text);
    }

    private SeedIso twoNics() throws IOException {
        return web().nic(new SeedIso.Nic("52:54:00:AB:00:01", ip("198.18.4.10"), 24, ip("198.18.4.1"), 1400))
                .nic(new SeedIso.Nic("52:54:00:12:34:56", ip("198.18.5.10"), 25, null, 0))
                .dnsServer(ip("198.18.4.1"))
                .dnsServer(ip("198.18.4.2"))
                .build();
    }

    @Test
    void metaDataHoldsInstanceIdAndHostname() throws IOException {
        JsonNode metaData = yaml(web().build().metaData());
        assertThat(metaData.get("instance-id").textValue()).isEqualTo("iid-web-1");
        assertThat(metaData.get("local-hostname").textValue()).isEqualTo("web");
    }

    @Test
    void userDataHoldsRootKeysAndTheHostKeyPairWithoutPasswords() throws IOException {
        String text = web().build().userData();
        assertThat(text).startsWith("#cloud-config\n");
        JsonNode userData = yaml(text);
        assertThat(userData.get("disable_root").booleanValue()).isFalse();
        assertThat(userData.get("ssh_pwauth").booleanValue()).isFalse();
        assertThat(userData.get("ssh_deletekeys").booleanValue()).isTrue();
        assertThat(userData.get("ssh_genkeytypes").isEmpty()).isTrue();
        assertThat(userData.get("ssh_authorized_keys").size()).isOne();
        assertThat(userData.get("ssh_authorized_keys").get(0).textValue()).isEqualTo(CLIENT_PUBLIC);
        assertThat(userData.at("/ssh_keys/ed25519_private").textValue()).isEqualTo(PRIVATE_KEY);
        assertThat(userData.at("/ssh_keys/ed25519_public").textValue()).isEqualTo(HOST_PUBLIC);
    }

    @Test
    void networkConfigMatchesNicsByMacWithStaticAddressesRoutesMtuAndNameservers() throws IOException {
        String text = twoNics().networkConfig();
        // a MAC of digits only must stay a string for YAML 1.1 readers (cloud-init), never a base-60 number
        assertThat(text).contains("macaddress: \"52:54:00:12:34:56\"");
        JsonNode config = yaml(text);
        assertThat(config.get("version").intValue()).isEqualTo(2);
        JsonNode eth0 = config.at("/ethernets/eth0");
        assertThat(eth0.at("/match/macaddress").textValue()).isEqualTo("52:54:00:ab:00:01");
        assertThat(eth0.get("set-name").textValue()).isEqualTo("eth0");
        assertThat(eth0.at("/addresses/0").textValue()).isEqualTo("198.18.4.10/24");
        assertThat(eth0.get("mtu").intValue()).isEqualTo(1400);
        assertThat(eth0.at("/routes/0/to").textValue()).isEqualTo("0.0.0.0/0");
        assertThat(eth0.at("/routes/0/via").textValue()).isEqualTo("198.18.4.1");
        assertThat(eth0.at("/nameservers/addresses").toString()).isEqualTo("[\"198.18.4.1\",\"198.18.4.2\"]");
        JsonNode eth1 = config.at("/ethernets/eth1");
        assertThat(eth1.at("/match/macaddress").textValue()).isEqualTo("52:54:00:12:34:56");
        assertThat(eth1.get("set-name").textValue()).isEqualTo("eth1");
        assertThat(eth1.at("/addresses/0").textValue()).isEqualTo("198.18.5.10/25");
        assertThat(eth1.has("mtu")).isFalse();
        assertThat(eth1.has("routes")).isFalse();
        assertThat(eth1.has("nameservers")).isFalse();
    }

    @Test
    void networkConfigWithoutNicsIsStillValid() throws IOException {
        JsonNode config = yaml(web().build().networkConfig());
        assertThat(config.get("version").intValue()).isEqualTo(2);
        assertThat(config.get("ethernets").isObject()).isTrue();
        assertThat(config.get("ethernets").isEmpty()).isTrue();
    }

    @Test
    void shellFileReadByARealShellYieldsTheSameIdentity() throws IOException, InterruptedException {
        String awkward = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOther it's $HOME `id` \\n; rm -rf /tmp/x";
        SeedIso seed = SeedIso.builder()
                .hostname("web")
                .instanceId("iid-web-1")
                .authorizedKey(CLIENT_PUBLIC)
                .authorizedKey(awkward)
                .hostKey(privateKey, publicKey)
                .nic(new SeedIso.Nic("52:54:00:AB:00:01", ip("198.18.4.10"), 24, ip("198.18.4.1"), 1400))
                .nic(new SeedIso.Nic("52:54:00:12:34:56", ip("198.18.5.10"), 25, null, 0))
                .dnsServer(ip("198.18.4.1"))
                .dnsServer(ip("198.18.4.2"))
                .build();
        Path file = Files.writeString(directory.resolve("testbed.env"), seed.shellFile());
        String script = """
                . "$1"
                for name in seed_hostname seed_instance_id seed_authorized_keys seed_host_public_key \\
                        seed_host_private_key seed_nic_count seed_nic0_mac seed_nic0_name seed_nic0_address \\
                        seed_nic0_mtu seed_nic0_gateway seed_nic1_mac seed_nic1_name seed_nic1_address \\
                        seed_nic1_mtu seed_nic1_gateway seed_nameservers; do
                    eval "value=\\$$name"
                    printf '%s=[%s]\\n' "$name" "$value"
                done
                """;
        Process shell = new ProcessBuilder("/bin/sh", "-c", script, "sh", file.toString())
                .redirectErrorStream(true)
                .start();
        String output = new String(shell.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(shell.waitFor()).as(output).isZero();
        assertThat(output)
                .isEqualTo("seed_hostname=[web]\n"
                        + "seed_instance_id=[iid-web-1]\n"
                        + "seed_authorized_keys=[" + CLIENT_PUBLIC + "\n" + awkward + "]\n"
                        + "seed_host_public_key=[" + HOST_PUBLIC + "]\n"
                        + "seed_host_private_key=[" + PRIVATE_KEY.strip() + "]\n"
                        + "seed_nic_count=[2]\n"
                        + "seed_nic0_mac=[52:54:00:ab:00:01]\n"
                        + "seed_nic0_name=[eth0]\n"
                        + "seed_nic0_address=[198.18.4.10/24]\n"
                        + "seed_nic0_mtu=[1400]\n"
                        + "seed_nic0_gateway=[198.18.4.1]\n"
                        + "seed_nic1_mac=[52:54:00:12:34:56]\n"
                        + "seed_nic1_name=[eth1]\n"
                        + "seed_nic1_address=[198.18.5.10/25]\n"
                        + "seed_nic1_mtu=[]\n"
                        + "seed_nic1_gateway=[]\n"
                        + "seed_nameservers=[198.18.4.1 198.18.4.2]\n");
    }

    @Test
    void defaultInstanceIdIsDerivedFromHostnameAndHostKey() throws IOException {
        SeedIso seed = SeedIso.builder()
                .hostname("db")
                .authorizedKey(CLIENT_PUBLIC)
                .hostKey(privateKey, publicKey)
                .build();
        assertThat(yaml(seed.metaData()).get("instance-id").textValue()).matches("iid-db-[0-9a-f]{12}");
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
        SeedIsoBuilder builder = web().nic(
                        new SeedIso.Nic("52:54:00:ab:00:01", ip("198.18.4.10"), 24, ip("198.18.4.1"), 0))
                .nic(new SeedIso.Nic("52:54:00:ab:00:02", ip("198.18.5.10"), 24, ip("198.18.5.1"), 0));
        assertThatThrownBy(builder::build)
                .hasMessageContaining(
                        "SeedIso web: 2 NICs have a gateway; give the default gateway to at most one NIC");
    }

    @Test
    void rejectsDuplicateMacs() throws IOException {
        SeedIsoBuilder builder = web().nic(new SeedIso.Nic("52:54:00:ab:00:01", ip("198.18.4.10"), 24, null, 0))
                .nic(new SeedIso.Nic("52:54:00:AB:00:01", ip("198.18.5.10"), 24, null, 0));
        assertThatThrownBy(builder::build).hasMessageContaining("two NICs have MAC 52:54:00:ab:00:01");
    }

    @Test
    void requiresHostnameAuthorizedKeyAndHostKey() throws IOException {
        assertThatThrownBy(() -> SeedIso.builder().build()).hasMessageContaining("hostname is required");
        assertThatThrownBy(() -> SeedIso.builder()
                        .hostname("web")
                        .hostKey(privateKey, publicKey)
                        .build())
                .hasMessageContaining("at least one authorizedKey is required");
        assertThatThrownBy(() -> SeedIso.builder()
                        .hostname("web")
                        .authorizedKey(CLIENT_PUBLIC)
                        .build())
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
