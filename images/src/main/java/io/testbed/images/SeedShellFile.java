package io.testbed.images;

import io.testbed.core.internal.support.ShellQuoting;
import java.util.List;

/**
 * The seed's {@value #FILE_NAME} for guests without cloud-init (the tiny template's {@code rcS}): the same
 * identity as the cloud-init files, as POSIX shell variable assignments the guest reads with {@code .} — no YAML
 * parser in the guest. Every value is one single-quoted word (a {@code '} inside becomes {@code '\''}), so sourcing
 * the file only assigns variables, whatever the values hold.
 *
 * <p>Variables: {@code seed_hostname}, {@code seed_instance_id}, {@code seed_authorized_keys} (one key per
 * line), {@code seed_host_public_key}, {@code seed_host_private_key} (OpenSSH format, several lines),
 * {@code seed_host_dropbear_key} (the same key in dropbear's format, octal escapes for {@code printf '%b'}),
 * {@code seed_nic_count} and per NIC {@code N} from 0: {@code seed_nicN_mac}, {@code seed_nicN_name},
 * {@code seed_nicN_address} (CIDR), {@code seed_nicN_mtu} and {@code seed_nicN_gateway} (empty for the default /
 * none); {@code seed_nameservers} (separated by spaces).
 */
final class SeedShellFile {

    /** The file's name on the seed ISO. */
    static final String FILE_NAME = "testbed.env";

    private SeedShellFile() {}

    static String render(SeedIso seed) {
        StringBuilder text = new StringBuilder("# Testbed seed for guests without cloud-init; read with `. ")
                .append(FILE_NAME)
                .append("`\n");
        assign(text, "seed_hostname", seed.hostname());
        assign(text, "seed_instance_id", seed.instanceId());
        assign(text, "seed_authorized_keys", String.join("\n", seed.authorizedKeys()));
        assign(text, "seed_host_public_key", seed.hostPublicKey());
        assign(text, "seed_host_private_key", seed.hostPrivateKey().strip());
        assign(text, "seed_host_dropbear_key", dropbearKey(seed.hostPrivateKey()));
        List<SeedIso.Nic> nics = seed.nics();
        assign(text, "seed_nic_count", String.valueOf(nics.size()));
        for (int i = 0; i < nics.size(); i++) {
            SeedIso.Nic nic = nics.get(i);
            String prefix = "seed_nic" + i + "_";
            assign(text, prefix + "mac", nic.mac());
            assign(text, prefix + "name", SeedIso.interfaceName(i));
            assign(text, prefix + "address", nic.cidr());
            assign(text, prefix + "mtu", nic.mtu() == 0 ? "" : String.valueOf(nic.mtu()));
            assign(text, prefix + "gateway", nic.gateway() == null ? "" : SeedIso.format(nic.gateway()));
        }
        assign(
                text,
                "seed_nameservers",
                String.join(" ", seed.dnsServers().stream().map(SeedIso::format).toList()));
        return text.toString();
    }

    /** The key for {@code printf '%b'}, or empty (the guest then converts the OpenSSH key) when not Ed25519. */
    private static String dropbearKey(String openSshPrivateKey) {
        try {
            return DropbearHostKey.printfEscaped(DropbearHostKey.fromOpenSsh(openSshPrivateKey));
        } catch (IllegalArgumentException notEd25519) {
            return "";
        }
    }

    private static void assign(StringBuilder text, String name, String value) {
        text.append(name).append('=').append(ShellQuoting.quote(value)).append('\n');
    }
}
