package io.testbed.images;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The three NoCloud files of a {@link SeedIso} as cloud-init reads them, written with a YAML library: every
 * string value double-quoted (so a MAC such as {@code 52:54:00:12:34:56} never reads as a YAML 1.1 base-60
 * number), multi-line values (the host's private key) as literal blocks.
 */
final class CloudInitFiles {

    private static final YAMLMapper YAML = YAMLMapper.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
            .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
            .build();

    private CloudInitFiles() {}

    /** {@code meta-data}: instance id and hostname. */
    static String metaData(SeedIso seed) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("instance-id", seed.instanceId());
        data.put("local-hostname", seed.hostname());
        return yaml(data);
    }

    /** {@code user-data}: {@code #cloud-config} with the keys for root and the host key pair, no passwords. */
    static String userData(SeedIso seed) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("disable_root", false);
        data.put("ssh_pwauth", false);
        data.put("ssh_deletekeys", true);
        data.put("ssh_genkeytypes", List.of());
        data.put("ssh_authorized_keys", seed.authorizedKeys());
        Map<String, Object> keys = new LinkedHashMap<>();
        keys.put("ed25519_private", seed.hostPrivateKey());
        keys.put("ed25519_public", seed.hostPublicKey());
        data.put("ssh_keys", keys);
        return "#cloud-config\n" + yaml(data);
    }

    /** {@code network-config} version 2: NICs matched by MAC, static address, MTU, default route, name servers. */
    static String networkConfig(SeedIso seed) {
        Map<String, Object> ethernets = new LinkedHashMap<>();
        List<SeedIso.Nic> nics = seed.nics();
        for (int i = 0; i < nics.size(); i++) {
            SeedIso.Nic nic = nics.get(i);
            String name = SeedIso.interfaceName(i);
            Map<String, Object> ethernet = new LinkedHashMap<>();
            ethernet.put("match", Map.of("macaddress", nic.mac()));
            ethernet.put("set-name", name);
            ethernet.put("addresses", List.of(nic.cidr()));
            if (nic.mtu() != 0) {
                ethernet.put("mtu", nic.mtu());
            }
            if (nic.gateway() != null) {
                Map<String, Object> route = new LinkedHashMap<>();
                route.put("to", nic.address() instanceof Inet4Address ? "0.0.0.0/0" : "::/0");
                route.put("via", SeedIso.format(nic.gateway()));
                ethernet.put("routes", List.of(route));
            }
            if (i == 0 && !seed.dnsServers().isEmpty()) {
                List<String> servers = new ArrayList<>();
                seed.dnsServers().forEach(server -> servers.add(SeedIso.format(server)));
                ethernet.put("nameservers", Map.of("addresses", servers));
            }
            ethernets.put(name, ethernet);
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("version", 2);
        data.put("ethernets", ethernets);
        return yaml(data);
    }

    private static String yaml(Map<String, Object> data) {
        try {
            return YAML.writeValueAsString(data);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write seed YAML from plain maps and strings: " + e, e);
        }
    }
}
