package io.testbed.provider.ssh;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.testbed.core.internal.support.DidYouMean;
import io.testbed.core.spec.Problems;
import io.testbed.core.ssh.PinnedHostKey;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads inventory YAML into an {@link Inventory}, collecting every problem of the file before it throws. One
 * instance per read; not thread-safe.
 */
public final class InventoryReader {

    static final List<String> TOP_FIELDS = List.of("defaults", "hosts");
    static final List<String> DEFAULT_FIELDS = List.of("user", "port", "private_key", "known_hosts");
    static final List<String> HOST_FIELDS = List.of(
            "name", "address", "port", "user", "private_key", "host_key", "known_hosts", "roles", "properties", "nics");
    static final List<String> NIC_FIELDS = List.of("name", "network");
    /** Properties every host has from its own fields; declaring them again would be ambiguous. */
    static final Map<String, String> BUILT_IN = Map.of(
            "hostname",
            "the host's name",
            "address",
            "the address field",
            "port",
            "the port field",
            "user",
            "the user field",
            "nics",
            "the number of listed nics",
            "roles",
            "the roles field");

    private static final Pattern HOST_NAME = Pattern.compile("[a-z0-9][a-z0-9.-]{0,62}");
    private static final Pattern ADDRESS = Pattern.compile("[A-Za-z0-9._:%-]+");
    private static final Pattern USER = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]*");
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");
    private static final Pattern PROPERTY = Pattern.compile("[a-z][a-z0-9_.-]*");
    private static final YAMLMapper YAML = YAMLMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    private final String source;
    private final List<String> problems = new ArrayList<>();
    private final Map<String, Integer> names = new HashMap<>();
    private final InventoryFiles files;

    private InventoryReader(String source, Path baseDir) {
        this.source = source;
        this.files = new InventoryFiles(baseDir, this::problem);
    }

    /** See {@link Inventory#parse}. */
    public static Inventory read(String source, String yaml, Path baseDir) {
        return new InventoryReader(source, baseDir).read(yaml);
    }

    private Inventory read(String yaml) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            throw new InventoryException(
                    "inventory " + source + ": not valid YAML: " + e.getOriginalMessage() + location(e), e);
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            throw new InventoryException(List.of("inventory " + source + ": is empty; list machines under 'hosts:'"));
        }
        if (!root.isObject()) {
            throw new InventoryException(
                    List.of("inventory " + source + ": must be a mapping with 'hosts:', was " + kind(root)));
        }
        unknownFields("", root, TOP_FIELDS);
        Defaults defaults = defaults(root.get("defaults"));
        JsonNode hostsNode = root.get("hosts");
        List<InventoryHost> hosts = new ArrayList<>();
        if (hostsNode == null || hostsNode.isNull() || (hostsNode.isArray() && hostsNode.isEmpty())) {
            problem("", "hosts", "must list at least one host");
        } else if (!hostsNode.isArray()) {
            problem("", "hosts", "must be a list of hosts, was " + kind(hostsNode));
        } else {
            for (int i = 0; i < hostsNode.size(); i++) {
                host(i, hostsNode.get(i), defaults).ifPresent(hosts::add);
            }
        }
        if (!problems.isEmpty()) {
            throw new InventoryException(problems);
        }
        return new Inventory(source, hosts);
    }

    private record Defaults(String user, Integer port, Path privateKey, Path knownHosts) {}

    private Defaults defaults(JsonNode node) {
        if (node == null || node.isNull()) {
            return new Defaults(null, null, null, null);
        }
        if (!node.isObject()) {
            problem("", "defaults", "must be a mapping, was " + kind(node));
            return new Defaults(null, null, null, null);
        }
        unknownFields("defaults", node, DEFAULT_FIELDS);
        return new Defaults(
                text("defaults", node, "user", USER, "a user name").orElse(null),
                port("defaults", node).orElse(null),
                files.privateKey("defaults", node).orElse(null),
                files.file("defaults", node, "known_hosts").orElse(null));
    }

    private Optional<InventoryHost> host(int index, JsonNode node, Defaults defaults) {
        if (!node.isObject()) {
            problem("hosts[" + index + "]", "", "must be a mapping with name, address, …, was " + kind(node));
            return Optional.empty();
        }
        JsonNode nameNode = node.get("name");
        String name = nameNode != null && nameNode.isValueNode() ? nameNode.asText() : null;
        String where = "hosts[" + index + "]" + (name == null ? "" : " '" + name + "'");
        int before = problems.size();
        if (name == null) {
            problem(where, "name", "is missing");
        } else if (!HOST_NAME.matcher(name).matches()) {
            problem(where, "name", "must match " + HOST_NAME + ", was '" + name + "'");
        } else if (names.containsKey(name)) {
            problem(where, "name", "'" + name + "' is already used by hosts[" + names.get(name) + "]");
        } else {
            names.put(name, index);
        }
        if (node.has("password")) {
            problem(
                    where,
                    "password",
                    "is not accepted: Testbed logs in with keys only; remove it and set "
                            + "private_key to a key file (0600) whose public key is in the host's authorized_keys");
        }
        unknownFields(where, node, HOST_FIELDS, "password");
        Optional<String> address = text(where, node, "address", ADDRESS, "a host name or IP address");
        if (address.isEmpty() && !node.has("address")) {
            problem(where, "address", "is missing");
        }
        int port = port(where, node).orElse(defaults.port() == null ? 22 : defaults.port());
        Optional<String> user =
                text(where, node, "user", USER, "a user name").or(() -> Optional.ofNullable(defaults.user()));
        if (user.isEmpty() && !node.has("user")) {
            problem(where, "user", "is missing; set it on the host or under defaults");
        }
        Optional<Path> key = files.privateKey(where, node).or(() -> Optional.ofNullable(defaults.privateKey()));
        if (key.isEmpty() && !node.has("private_key")) {
            problem(
                    where,
                    "private_key",
                    "is missing; set it on the host or under defaults (passwords are not " + "accepted)");
        }
        Optional<PinnedHostKey> hostKey =
                address.flatMap(a -> files.hostKey(where, node, a, port, defaults.knownHosts()));
        Set<String> roles = roles(where, node);
        Map<String, String> properties = properties(where, node);
        List<InventoryNic> nics = nics(where, node);
        if (problems.size() > before || address.isEmpty() || user.isEmpty() || key.isEmpty() || hostKey.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new InventoryHost(
                name, address.get(), port, user.get(), key.get(), hostKey.get(), roles, properties, nics));
    }

    private Set<String> roles(String where, JsonNode node) {
        JsonNode roles = node.get("roles");
        Set<String> result = new LinkedHashSet<>();
        if (roles == null || roles.isNull()) {
            return result;
        }
        if (!roles.isArray()) {
            problem(where, "roles", "must be a list such as [web, db], was " + kind(roles));
            return result;
        }
        for (JsonNode role : roles) {
            if (!role.isValueNode() || !Problems.NAME.matcher(role.asText()).matches()) {
                problem(
                        where,
                        "roles",
                        "role " + (role.isValueNode() ? "'" + role.asText() + "'" : kind(role)) + " "
                                + Problems.NAME_RULE);
            } else {
                result.add(role.asText());
            }
        }
        return result;
    }

    private Map<String, String> properties(String where, JsonNode node) {
        JsonNode properties = node.get("properties");
        Map<String, String> result = new LinkedHashMap<>();
        if (properties == null || properties.isNull()) {
            return result;
        }
        if (!properties.isObject()) {
            problem(where, "properties", "must be a mapping of names to values, was " + kind(properties));
            return result;
        }
        properties.fields().forEachRemaining(entry -> {
            String field = "properties." + entry.getKey();
            JsonNode value = entry.getValue();
            if (!PROPERTY.matcher(entry.getKey()).matches()) {
                problem(where, field, "name must match " + PROPERTY);
            } else if (BUILT_IN.containsKey(entry.getKey())) {
                problem(where, field, "is built in (" + BUILT_IN.get(entry.getKey()) + "); remove it");
            } else if (!value.isValueNode() || value.isNull()) {
                problem(where, field, "must be text or a number, was " + kind(value));
            } else {
                PropertyKind.problem(entry.getKey(), value.asText())
                        .ifPresentOrElse(
                                rule -> problem(where, field, rule),
                                () -> result.put(entry.getKey(), value.asText().strip()));
            }
        });
        return result;
    }

    private List<InventoryNic> nics(String where, JsonNode node) {
        JsonNode nics = node.get("nics");
        List<InventoryNic> result = new ArrayList<>();
        if (nics == null || nics.isNull()) {
            return result;
        }
        if (!nics.isArray()) {
            problem(where, "nics", "must be a list of {name, network}, was " + kind(nics));
            return result;
        }
        Set<String> seen = new LinkedHashSet<>();
        for (int i = 0; i < nics.size(); i++) {
            JsonNode nic = nics.get(i);
            String field = "nics[" + i + "]";
            if (!nic.isObject()) {
                problem(where, field, "must be a mapping {name, network}, was " + kind(nic));
                continue;
            }
            unknownFields(where + ": " + field, nic, NIC_FIELDS);
            Optional<String> name = text(where, nic, "name", LABEL, "an interface name", field + ".");
            Optional<String> network = text(where, nic, "network", LABEL, "a network label", field + ".");
            for (String required : NIC_FIELDS) {
                if (!nic.has(required)) {
                    problem(where, field + "." + required, "is missing");
                }
            }
            if (name.isPresent() && !seen.add(name.get())) {
                problem(where, field + ".name", "'" + name.get() + "' is listed twice");
            } else if (name.isPresent() && network.isPresent()) {
                result.add(new InventoryNic(name.get(), network.get()));
            }
        }
        return result;
    }

    private Optional<Integer> port(String where, JsonNode node) {
        JsonNode port = node.get("port");
        if (port == null) {
            return Optional.empty();
        }
        if (!port.isIntegralNumber()
                && !(port.isTextual() && port.asText().strip().matches("[0-9]{1,9}"))) {
            problem(where, "port", "must be a whole number 1-65535, was " + show(port));
            return Optional.empty();
        }
        long value = port.isIntegralNumber()
                ? port.asLong()
                : Long.parseLong(port.asText().strip());
        if (value < 1 || value > 65535) {
            problem(where, "port", "must be 1-65535, was " + value);
            return Optional.empty();
        }
        return Optional.of((int) value);
    }

    private Optional<String> text(String where, JsonNode node, String field, Pattern rule, String what) {
        return text(where, node, field, rule, what, "");
    }

    private Optional<String> text(
            String where, JsonNode node, String field, Pattern rule, String what, String fieldPrefix) {
        JsonNode value = node.get(field);
        if (value == null) {
            return Optional.empty();
        }
        if (!value.isValueNode()
                || value.isNull()
                || !rule.matcher(value.asText()).matches()) {
            problem(where, fieldPrefix + field, "must be " + what + " (" + rule + "), was " + show(value));
            return Optional.empty();
        }
        return Optional.of(value.asText());
    }

    private void unknownFields(String where, JsonNode node, List<String> known, String... handled) {
        node.fieldNames().forEachRemaining(field -> {
            if (!known.contains(field) && !List.of(handled).contains(field)) {
                problem(
                        where,
                        "",
                        "unknown field '" + field + "'; "
                                + DidYouMean.closeEnough(field, known)
                                        .map(s -> "did you mean '" + s + "'?")
                                        .orElse("known fields: " + String.join(", ", known)));
            }
        });
    }

    private void problem(String where, String field, String rule) {
        StringBuilder line = new StringBuilder("inventory ").append(source).append(": ");
        if (!where.isEmpty()) {
            line.append(where).append(": ");
        }
        if (!field.isEmpty()) {
            line.append(field).append(' ');
        }
        problems.add(line.append(rule).toString());
    }

    static String show(JsonNode value) {
        return value.isValueNode() && !value.isNull()
                ? (value.isNumber() ? value.asText() : "'" + value.asText() + "'")
                : kind(value);
    }

    static String kind(JsonNode node) {
        if (node.isArray()) {
            return "a list";
        }
        if (node.isObject()) {
            return "a mapping";
        }
        return node.isNull() ? "empty" : "'" + node.asText() + "'";
    }

    private static String location(JsonProcessingException e) {
        return e.getLocation() == null
                ? ""
                : " (line " + e.getLocation().getLineNr() + ", column "
                        + e.getLocation().getColumnNr() + ")";
    }
}
