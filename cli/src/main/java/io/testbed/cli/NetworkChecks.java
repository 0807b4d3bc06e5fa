package io.testbed.cli;

import inet.ipaddr.IPAddress;
import inet.ipaddr.IPAddressString;
import io.testbed.core.config.TestbedConfig;
import io.testbed.core.internal.support.LocalCommand;
import io.testbed.core.lease.Lease;
import io.testbed.core.lease.LeaseStore;
import io.testbed.core.lease.LocalSubnetProbe;
import io.testbed.core.lease.LocalSubnetProbe.LocalSubnet;
import io.testbed.core.lease.SubnetPool;
import io.testbed.core.lease.Subnets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The host's network as {@code testbed doctor} checks it: the kernel features Testbed's networks and their emulation
 * use, each tried for real in a throw-away network namespace ({@code unshare --net}, so the host is not touched), and
 * the addresses and routes inside the lease pool that Testbed does not own.
 */
final class NetworkChecks {

    /** Host bridges Testbed creates: {@code tb} and 10 hex characters (see the address planner). */
    private static final Pattern TESTBED_BRIDGE = Pattern.compile("tb[0-9a-f]{10}");
    /** Docker's default bridge and the bridges of its user-defined networks. */
    private static final Pattern DOCKER_BRIDGE = Pattern.compile("docker0|br-[0-9a-f]{12}");

    private NetworkChecks() {}

    /** A kernel feature and the commands that use it in a private network namespace. */
    private record Feature(String item, String script, Check.Status ifMissing, String without, String fix) {}

    private static final List<Feature> FEATURES = List.of(
            new Feature(
                    "kernel: bridge",
                    "ip link add tbprobe0 type bridge",
                    Check.Status.FAIL,
                    "networks need Linux bridges (libvirt networks, Docker networks)",
                    "a kernel with CONFIG_BRIDGE (modprobe bridge)"),
            new Feature(
                    "kernel: nftables bridge",
                    "nft add table bridge tbprobe",
                    Check.Status.WARN,
                    "partitions and loss between machines (rules on the bridge Testbed owns) are not available",
                    "a kernel with nf_tables and its bridge family (modprobe nft_chain_bridge... or nf_tables), and"
                            + " the nftables package"),
            new Feature(
                    "kernel: htb",
                    "tc qdisc add dev lo root htb",
                    Check.Status.WARN,
                    "rate limits on a machine's port are not available",
                    "a kernel with sch_htb (modprobe sch_htb) and iproute2's tc"),
            new Feature(
                    "kernel: netem",
                    "tc qdisc add dev lo root netem delay 1ms",
                    Check.Status.WARN,
                    "delay and jitter cannot be applied on the host side; they are applied inside VM guests instead"
                            + " (the tiny guest has sch_netem); containers get none",
                    "a kernel with sch_netem (modprobe sch_netem)"));

    /** One check per feature Testbed's networks use. */
    static List<Check> kernelFeatures() {
        List<Check> checks = new ArrayList<>();
        for (Feature feature : FEATURES) {
            checks.add(probe(feature));
        }
        return checks;
    }

    private static Check probe(Feature feature) {
        LocalCommand.Result result;
        try {
            result = LocalCommand.of("unshare", "--net", "sh", "-c", feature.script())
                    .timeout(Duration.ofSeconds(10))
                    .run();
        } catch (RuntimeException e) {
            return Check.warn(feature.item(), "cannot probe: " + e.getMessage(), "install util-linux (unshare)");
        }
        if (result.succeeded()) {
            return Check.pass(feature.item(), "works (" + feature.script() + ", in a private network namespace)");
        }
        String error = LocalCommand.tail(result.stderr());
        if (error.contains("unshare failed") || error.contains("Operation not permitted")) {
            return Check.warn(
                    feature.item(),
                    "cannot probe without root (unshare --net): " + error,
                    "run testbed doctor as root");
        }
        if (error.contains("not found")) {
            return Check.warn(feature.item(), "cannot probe: " + error, "apt-get install iproute2 nftables");
        }
        return new Check(
                feature.item(),
                feature.ifMissing(),
                "missing (" + feature.script() + ": " + error + "): " + feature.without(),
                feature.fix());
    }

    /**
     * Addresses and routes of the host inside the lease pool, and whose they are: one on exactly a live lease's subnet
     * belongs to that lease's holder; Docker's bridges are the set-up's choice (the lease store skips them); a bridge of a dead
     * environment is left over; anything else is someone else's. FAIL when something not Testbed's overlaps a live
     * lease (two networks on one subnet), WARN for leftovers, foreign users of the pool, and a Docker bridge outside
     * 198.18.0.0/15.
     */
    static List<Check> addressConflicts(TestbedConfig config) {
        SubnetPool pool = SubnetPool.fromConfiguration(config.asMap());
        // the host first, the leases second: a network created meanwhile had its lease taken before its bridge
        List<LocalSubnet> host = LocalSubnetProbe.system().subnetsInUse();
        List<Lease> leases = LeaseStore.fromConfiguration(config.asMap()).list();
        return classify(host, pool, leases);
    }

    /** {@link #addressConflicts} on given host subnets and leases. */
    static List<Check> classify(List<LocalSubnet> hostSubnets, SubnetPool pool, List<Lease> leases) {
        IPAddress poolBlock = Subnets.parse(pool.cidr());
        Set<String> conflicts = new LinkedHashSet<>();
        Set<String> leftovers = new LinkedHashSet<>();
        Set<String> unowned = new LinkedHashSet<>();
        Set<String> foreign = new LinkedHashSet<>();
        Set<String> docker = new LinkedHashSet<>();
        Set<String> dockerOutside = new LinkedHashSet<>();
        Set<String> testbeds = new LinkedHashSet<>();
        for (LocalSubnet used : hostSubnets) {
            IPAddress address =
                    used.cidr() == null ? null : new IPAddressString(used.cidr().strip()).getAddress();
            if (address == null || !address.isIPv4()) {
                continue;
            }
            IPAddress block = address.toPrefixBlock();
            String device = used.device() == null ? "" : used.device();
            // an interface's address and its route describe one use: name it once
            String what = Subnets.canonical(block) + " on " + (device.isEmpty() ? used.source() : device);
            if (!block.overlaps(poolBlock)) {
                if (device.equals("docker0")) {
                    dockerOutside.add(what);
                }
                continue;
            }
            Optional<Lease> same = leases.stream()
                    .filter(lease -> Subnets.parse(lease.subnet()).equals(block))
                    .findFirst();
            Optional<Lease> overlapped = leases.stream()
                    .filter(lease -> Subnets.parse(lease.subnet()).overlaps(block))
                    .findFirst();
            boolean ours = TESTBED_BRIDGE.matcher(device).matches();
            // exactly a leased subnet: the holder's own network (an environment's bridge, the bench's anchor bridge)
            if (same.isPresent()) {
                if (LeaseStore.staleReason(same.get()).isPresent()) {
                    leftovers.add(
                            what + " of the dead environment " + same.get().prefixPath());
                } else {
                    testbeds.add(device);
                }
            } else if (overlapped.isPresent()
                    && !ours
                    && LeaseStore.staleReason(overlapped.get()).isEmpty()) {
                conflicts.add(what + " overlaps " + overlapped.get().subnet() + ", leased to "
                        + overlapped.get().prefixPath());
            } else if (ours) {
                unowned.add(what);
            } else if (DOCKER_BRIDGE.matcher(device).matches()) {
                docker.add(what);
            } else {
                foreign.add(what);
            }
        }
        String item = "addresses in " + pool.cidr();
        List<Check> checks = new ArrayList<>();
        if (!conflicts.isEmpty()) {
            checks.add(Check.fail(
                    item,
                    "used twice: " + String.join("; ", conflicts),
                    "remove the other user of that subnet, or destroy the environment (testbed destroy)"));
        }
        if (!leftovers.isEmpty()) {
            checks.add(Check.warn(item, "left over: " + String.join("; ", leftovers), "testbed janitor"));
        }
        if (!unowned.isEmpty()) {
            checks.add(Check.warn(
                    item,
                    "Testbed bridges without a lease (a network being torn down right now, or one whose environment"
                            + " left no owner entry, which no reaper finds): " + String.join("; ", unowned),
                    "look again; if they stay, virsh -c qemu:///system net-list shows their networks (tb-<id>-<name>):"
                            + " net-destroy those whose id testbed ls does not show"));
        }
        if (!foreign.isEmpty()) {
            checks.add(Check.warn(
                    item,
                    "used by others (the lease store skips them, so the pool is smaller): "
                            + String.join("; ", foreign),
                    "move them out of " + pool.cidr() + ", the range Testbed leases from"));
        }
        if (!dockerOutside.isEmpty()) {
            checks.add(Check.warn(
                    "docker addresses",
                    "Docker's bridge lies outside 198.18.0.0/15: " + String.join("; ", dockerOutside),
                    "start dockerd with --bip 198.19.255.1/24 --default-address-pool base=198.19.248.0/21,size=24"
                            + " (" + HostChecks.SETUP + " does it; see the README's Troubleshooting)"));
        }
        if (checks.isEmpty()) {
            checks.add(Check.pass(
                    item,
                    testbeds.size() + " network(s) on live leases"
                            + (docker.isEmpty()
                                    ? ""
                                    : "; Docker's " + String.join(", ", docker)
                                            + " (the set-up's choice; the lease store skips them)")
                            + "; nothing else"));
        }
        return checks;
    }
}
