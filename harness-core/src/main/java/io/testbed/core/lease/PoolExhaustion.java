package io.testbed.core.lease;

import inet.ipaddr.IPAddress;
import io.testbed.core.spi.Owner;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The message of a pool without enough free subnets: who holds them, what the host uses, what to do. */
final class PoolExhaustion {

    private PoolExhaustion() {}

    /** A subnet the host uses, parsed. */
    record UsedSubnet(IPAddress subnet, String source) {}

    static LeaseException exception(
            SubnetPool pool, Owner owner, int count, int free, List<Lease> leases, List<UsedSubnet> hostUsed) {
        String nl = System.lineSeparator();
        StringBuilder message = new StringBuilder("Lease pool ")
                .append(pool)
                .append(" is exhausted: prefix ")
                .append(owner.prefixPath())
                .append(" needs ")
                .append(count)
                .append(" subnet")
                .append(count == 1 ? "" : "s")
                .append(" but ")
                .append(free)
                .append(free == 1 ? " is" : " are")
                .append(" free.");
        Map<String, List<Lease>> byHolder = new LinkedHashMap<>();
        leases.stream()
                .filter(lease -> pool.contains(Subnets.parse(lease.subnet())))
                .sorted(Comparator.comparing(Lease::acquired))
                .forEach(lease -> byHolder.computeIfAbsent(lease.prefixId(), k -> new ArrayList<>())
                        .add(lease));
        if (!byHolder.isEmpty()) {
            message.append(nl).append("Held by live prefixes:");
            byHolder.values()
                    .forEach(held -> message.append(nl)
                            .append("  - ")
                            .append(held.get(0).describeHolder())
                            .append(": ")
                            .append(held.stream().map(Lease::subnet).collect(Collectors.joining(", "))));
        }
        IPAddress poolBlock = Subnets.parse(pool.cidr());
        List<String> onHost = hostUsed.stream()
                .filter(used -> used.subnet().overlaps(poolBlock))
                .map(UsedSubnet::source)
                .distinct()
                .toList();
        if (!onHost.isEmpty()) {
            message.append(nl).append("Used by the host: ").append(String.join(", ", onHost));
        }
        message.append(nl)
                .append("Destroy prefixes you no longer need (or let their JVMs end), or configure a larger ")
                .append("pool with ")
                .append(SubnetPool.POOL_KEY)
                .append(" (default ")
                .append(SubnetPool.DEFAULT_CIDR)
                .append(") or longer subnets with ")
                .append(SubnetPool.SUBNET_LENGTH_KEY)
                .append('.');
        return new LeaseException(message.toString());
    }
}
