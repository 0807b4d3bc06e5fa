package io.testbed.provider.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.testbed.core.ssh.PinnedHostKey;
import io.testbed.core.ssh.SshKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InventoryTest {

    @TempDir
    Path dir;

    private String key1;
    private String key2;
    private String key3;

    @BeforeEach
    void keys() {
        SshKeys.generate(dir.resolve("keys/lab"), "client");
        key1 = SshKeys.generate(dir.resolve("hostkeys/h1"), "lab-1").publicLine();
        key2 = SshKeys.generate(dir.resolve("hostkeys/h2"), "lab-2").publicLine();
        key3 = SshKeys.generate(dir.resolve("hostkeys/h3"), "lab-3").publicLine();
    }

    private Inventory parse(String yaml) {
        return Inventory.parse("lab.yaml", yaml, dir);
    }

    private List<String> problems(String yaml) {
        try {
            parse(yaml);
        } catch (InventoryException e) {
            assertThat(e.getMessage()).isEqualTo(String.join(System.lineSeparator(), e.problems()));
            return e.problems();
        }
        throw new AssertionError("inventory was accepted:\n" + yaml);
    }

    private String host(String name, String extra) {
        return "  - name: " + name + "\n    address: 192.0.2.1\n    user: tb\n    private_key: keys/lab\n    host_key: "
                + key1 + "\n" + extra;
    }

    @Test
    void readsAFullInventoryWithDefaultsKnownHostsAndHashedEntries() throws Exception {
        Files.writeString(
                dir.resolve("known_hosts"),
                String.join(
                        "\n",
                        "# comment",
                        "@cert-authority *.lab " + key3,
                        "192.0.2.99,192.0.2.12 " + key2,
                        "[192.0.2.13]:2222 " + key3,
                        hashed("192.0.2.14") + " " + key1,
                        ""));
        Inventory inventory = parse("""
                defaults:
                  user: testbed
                  port: 2200
                  private_key: keys/lab
                  known_hosts: known_hosts
                hosts:
                  - name: lab-1
                    address: 192.0.2.11
                    port: 22
                    user: root
                    host_key: %s
                    roles: [web, frontend]
                    properties: {memory: 16 GiB, cpus: 8, arch: x86_64, rack: b3, ratio: 1.5}
                    nics:
                      - {name: eth1, network: lab-a}
                      - {name: eth2, network: lab-b}
                  - name: lab-2
                    address: 192.0.2.12
                    port: 22
                  - name: lab-3
                    address: 192.0.2.13
                    port: 2222
                  - name: lab-4
                    address: 192.0.2.14
                    port: "22"
                """.formatted(key1));
        assertThat(inventory.source()).isEqualTo("lab.yaml");
        assertThat(inventory.hosts())
                .extracting(InventoryHost::name)
                .containsExactly("lab-1", "lab-2", "lab-3", "lab-4");
        InventoryHost lab1 = inventory.host("lab-1").orElseThrow();
        assertThat(lab1.target()).isEqualTo("root@192.0.2.11:22");
        assertThat(lab1.privateKey()).isEqualTo(dir.resolve("keys/lab"));
        assertThat(lab1.hostKey().fingerprint())
                .isEqualTo(PinnedHostKey.parse(key1).fingerprint());
        assertThat(lab1.roles()).containsExactlyInAnyOrder("web", "frontend");
        assertThat(lab1.properties())
                .isEqualTo(Map.of("memory", "16 GiB", "cpus", "8", "arch", "x86_64", "rack", "b3", "ratio", "1.5"));
        assertThat(lab1.nics()).containsExactly(new InventoryNic("eth1", "lab-a"), new InventoryNic("eth2", "lab-b"));
        assertThat(lab1.networks()).containsExactly("lab-a", "lab-b");
        InventoryHost lab2 = inventory.host("lab-2").orElseThrow();
        assertThat(lab2.target()).isEqualTo("testbed@192.0.2.12:22");
        assertThat(lab2.hostKey().fingerprint())
                .isEqualTo(PinnedHostKey.parse(key2).fingerprint());
        assertThat(lab2.roles()).isEmpty();
        assertThat(inventory.host("lab-3").orElseThrow().hostKey().fingerprint())
                .isEqualTo(PinnedHostKey.parse(key3).fingerprint());
        assertThat(inventory.host("lab-4").orElseThrow().hostKey().fingerprint())
                .isEqualTo(PinnedHostKey.parse(key1).fingerprint());
        assertThat(inventory.host("lab-9")).isEmpty();
    }

    @Test
    void defaultsPortIs22AndLoadResolvesPathsAgainstTheFile() throws Exception {
        Path file = dir.resolve("lab.yaml");
        Files.writeString(file, "hosts:\n" + host("lab-1", ""));
        Inventory inventory = Inventory.load(file);
        assertThat(inventory.source()).isEqualTo(file.toString());
        assertThat(inventory.hosts().get(0).port()).isEqualTo(22);
        assertThat(inventory.hosts().get(0).privateKey()).isEqualTo(dir.resolve("keys/lab"));
    }

    @Test
    void reportsEveryProblemOfTheFileAtOnceNamingHostFieldRuleAndValue() {
        assertThat(problems("""
                hosts:
                  - name: lab-1
                    adress: 192.0.2.1
                    user: tb
                    private_key: keys/lab
                    host_key: %1$s
                  - name: lab-2
                    address: 192.0.2.2
                    port: 70000
                    user: tb
                    password: secret
                    private_key: keys/lab
                    host_key: %1$s
                    colour: blue
                  - name: lab-3
                    address: 192.0.2.3
                    port: ssh
                    user: tb
                    private_key: keys/missing
                    host_key: ssh-ed25519 notbase64!
                  - name: lab-1
                    address: 192.0.2.4
                    private_key: keys/lab
                  - address: 192.0.2.5
                    user: tb
                    private_key: keys/lab
                    host_key: %1$s
                """.formatted(key1)))
                .containsExactly(
                        "inventory lab.yaml: hosts[0] 'lab-1': unknown field 'adress'; did you mean 'address'?",
                        "inventory lab.yaml: hosts[0] 'lab-1': address is missing",
                        "inventory lab.yaml: hosts[1] 'lab-2': password is not accepted: Testbed logs in with keys only; remove "
                                + "it and set private_key to a key file (0600) whose public key is in the host's authorized_keys",
                        "inventory lab.yaml: hosts[1] 'lab-2': unknown field 'colour'; known fields: name, address, port, user, "
                                + "private_key, host_key, known_hosts, roles, properties, nics",
                        "inventory lab.yaml: hosts[1] 'lab-2': port must be 1-65535, was 70000",
                        "inventory lab.yaml: hosts[2] 'lab-3': port must be a whole number 1-65535, was 'ssh'",
                        "inventory lab.yaml: hosts[2] 'lab-3': private_key " + dir.resolve("keys/missing")
                                + " does not exist ('keys/missing' resolved against " + dir + ")",
                        "inventory lab.yaml: hosts[2] 'lab-3': host_key is not a usable OpenSSH public key line ('ssh-ed25519 "
                                + "AAAA… comment'): host key (ssh-ed25519 notbase64!) is not a readable OpenSSH public key: "
                                + "Illegal base64 character 21",
                        "inventory lab.yaml: hosts[3] 'lab-1': name 'lab-1' is already used by hosts[0]",
                        "inventory lab.yaml: hosts[3] 'lab-1': user is missing; set it on the host or under defaults",
                        "inventory lab.yaml: hosts[3] 'lab-1': host_key is missing: pin the host's key with host_key (a line of "
                                + "its ssh_host_ed25519_key.pub) or known_hosts (a file); Testbed never trusts an unknown key",
                        "inventory lab.yaml: hosts[4]: name is missing");
    }

    @Test
    void rejectsAKeyOthersCanRead() throws Exception {
        Path key = dir.resolve("keys/lab");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(problems("hosts:\n" + host("lab-1", "")))
                .containsExactly("inventory lab.yaml: hosts[0] 'lab-1': private_key " + key
                        + " must be readable by its owner only " + "(0600), was 0644 (rw-r--r--); run chmod 600 "
                        + key);
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("r--------"));
        assertThat(parse("hosts:\n" + host("lab-1", "")).hosts()).hasSize(1);
    }

    @Test
    void rejectsADirectoryAsKey() {
        assertThat(problems("hosts:\n" + host("lab-1", "").replace("keys/lab", "keys")))
                .containsExactly("inventory lab.yaml: hosts[0] 'lab-1': private_key " + dir.resolve("keys")
                        + " is not a regular file");
    }

    @Test
    void checksRolesPropertiesAndNics() {
        assertThat(problems("hosts:\n" + host("lab-1", """
                    roles: web
                    properties:
                      memory: 16
                      disk: 2 GiB B
                      cpus: four
                      port: 22
                      Rack: b3
                      tags: [a, b]
                      arch: x86_64
                    nics:
                      - {name: eth1, network: lab-a}
                      - {name: eth1, network: lab-b}
                      - {name: eth2}
                      - {name: eth3, network: "bad label", speed: 10}
                      - eth4
                """)))
                .containsExactly(
                        "inventory lab.yaml: hosts[0] 'lab-1': roles must be a list such as [web, db], was 'web'",
                        "inventory lab.yaml: hosts[0] 'lab-1': properties.memory is a size; give a unit: B, KB, KiB, MB, MiB, "
                                + "GB, GiB, TB, TiB (e.g. '16 GiB'), was '16'",
                        "inventory lab.yaml: hosts[0] 'lab-1': properties.disk is a size; give a unit: B, KB, KiB, MB, MiB, "
                                + "GB, GiB, TB, TiB (e.g. '16 GiB'), was '2 GiB B'",
                        "inventory lab.yaml: hosts[0] 'lab-1': properties.cpus is a count; expected a whole number, was 'four'",
                        "inventory lab.yaml: hosts[0] 'lab-1': properties.port is built in (the port field); remove it",
                        "inventory lab.yaml: hosts[0] 'lab-1': properties.Rack name must match [a-z][a-z0-9_.-]*",
                        "inventory lab.yaml: hosts[0] 'lab-1': properties.tags must be text or a number, was a list",
                        "inventory lab.yaml: hosts[0] 'lab-1': nics[1].name 'eth1' is listed twice",
                        "inventory lab.yaml: hosts[0] 'lab-1': nics[2].network is missing",
                        "inventory lab.yaml: hosts[0] 'lab-1': nics[3]: unknown field 'speed'; known fields: name, network",
                        "inventory lab.yaml: hosts[0] 'lab-1': nics[3].network must be a network label "
                                + "([A-Za-z0-9][A-Za-z0-9_.-]*), was 'bad label'",
                        "inventory lab.yaml: hosts[0] 'lab-1': nics[4] must be a mapping {name, network}, was 'eth4'");
    }

    @Test
    void rejectsBadRoleNames() {
        assertThat(problems("hosts:\n" + host("lab-1", "    roles: [web, Db]\n")))
                .containsExactly(
                        "inventory lab.yaml: hosts[0] 'lab-1': roles role 'Db' must match [a-z][a-z0-9-]{0,30} (a lower-case "
                                + "DNS label)");
    }

    @Test
    void knownHostsWithoutTheHostOrTogetherWithHostKeyIsAnError() throws Exception {
        Files.writeString(dir.resolve("known_hosts"), "192.0.2.1 " + key1 + "\n[192.0.2.1]:2222 " + key2 + "\n");
        assertThat(problems("""
                hosts:
                  - name: lab-1
                    address: 192.0.2.1
                    port: 2200
                    user: tb
                    private_key: keys/lab
                    known_hosts: known_hosts
                  - name: lab-2
                    address: 192.0.2.1
                    user: tb
                    private_key: keys/lab
                    known_hosts: known_hosts
                    host_key: %s
                  - name: lab-3
                    address: 192.0.2.1
                    user: tb
                    private_key: keys/lab
                    known_hosts: nowhere
                """.formatted(key1)))
                .containsExactly(
                        "inventory lab.yaml: hosts[0] 'lab-1': known_hosts " + dir.resolve("known_hosts")
                                + " has no key for "
                                + "'[192.0.2.1]:2200'; add one (ssh-keyscan -p 2200 192.0.2.1, checked against the host's "
                                + "console) or set host_key",
                        "inventory lab.yaml: hosts[1] 'lab-2': host_key and known_hosts are both set; keep one",
                        "inventory lab.yaml: hosts[2] 'lab-3': known_hosts " + dir.resolve("nowhere")
                                + " does not exist " + "('nowhere' resolved against " + dir + ")");
    }

    @Test
    void rejectsUnknownTopLevelAndDefaultFieldsWithSuggestions() {
        assertThat(problems("""
                default:
                  user: tb
                host:
                  - name: lab-1
                """))
                .containsExactly(
                        "inventory lab.yaml: unknown field 'default'; did you mean 'defaults'?",
                        "inventory lab.yaml: unknown field 'host'; did you mean 'hosts'?",
                        "inventory lab.yaml: hosts must list at least one host");
        assertThat(problems("defaults: {usr: tb, port: 0}\nhosts:\n" + host("lab-1", "")))
                .containsExactly(
                        "inventory lab.yaml: defaults: unknown field 'usr'; did you mean 'user'?",
                        "inventory lab.yaml: defaults: port must be 1-65535, was 0");
    }

    @Test
    void rejectsFilesThatAreNotInventories() {
        assertThat(problems("")).containsExactly("inventory lab.yaml: is empty; list machines under 'hosts:'");
        assertThat(problems("- a\n- b\n"))
                .containsExactly("inventory lab.yaml: must be a mapping with 'hosts:', was a list");
        assertThat(problems("hosts: lab-1\n"))
                .containsExactly("inventory lab.yaml: hosts must be a list of hosts, was 'lab-1'");
        assertThatThrownBy(() -> parse("hosts:\n  - name: a\n    name: b\n"))
                .isInstanceOf(InventoryException.class)
                .hasMessageStartingWith("inventory lab.yaml: not valid YAML: Duplicate field 'name'")
                .hasMessageContaining("(line 3, column");
        assertThatThrownBy(() -> parse("hosts: [a, b\n"))
                .isInstanceOf(InventoryException.class)
                .hasMessageStartingWith("inventory lab.yaml: not valid YAML: ");
        Path missing = dir.resolve("nope.yaml");
        assertThatThrownBy(() -> Inventory.load(missing))
                .isInstanceOf(InventoryException.class)
                .hasMessageStartingWith("inventory " + missing + ": cannot be read (java.nio.file.NoSuchFileException");
    }

    @Test
    void hostRecordValidatesItsOwnInvariants() {
        PinnedHostKey key = PinnedHostKey.parse(key1);
        assertThatThrownBy(() -> new InventoryHost("h", "a", 0, "u", dir, key, Set.of(), Map.of(), List.of()))
                .hasMessage("host 'h': port must be 1-65535, was 0");
        InventoryHost host = new InventoryHost("h", "fe80::1", 22, "u", dir, key, Set.of(), Map.of(), List.of());
        assertThat(host.target()).isEqualTo("u@[fe80::1]:22");
    }

    private static String hashed(String name) throws Exception {
        byte[] salt = new byte[20];
        new java.security.SecureRandom().nextBytes(salt);
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(salt, "HmacSHA1"));
        byte[] hash = mac.doFinal(name.getBytes(StandardCharsets.UTF_8));
        return "|1|" + Base64.getEncoder().encodeToString(salt) + "|"
                + Base64.getEncoder().encodeToString(hash);
    }
}
