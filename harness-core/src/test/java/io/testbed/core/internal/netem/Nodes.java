package io.testbed.core.internal.netem;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/** Nodes for tests of pure logic: {@code node("web", "front", "lan=198.18.0.2")}. */
final class Nodes {

    private Nodes() {}

    static Node node(String name, Node.Kernel kernel, Set<String> roles, String... addresses) {
        Map<String, InetAddress> map = new LinkedHashMap<>();
        for (String entry : addresses) {
            String[] parts = entry.split("=");
            try {
                map.put(parts[0], InetAddress.getByName(parts[1]));
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException(e);
            }
        }
        return new Node(name, roles, map, kernel, Node.Restore.WITH_SNAPSHOT, null);
    }

    /** Groups by exact name, else by a single role. */
    static Function<String, List<String>> groups(List<Node> nodes) {
        return group -> nodes.stream()
                .filter(n -> n.name().equals(group) || n.roles().contains(group) || group.equals("*"))
                .map(Node::name)
                .toList();
    }
}
