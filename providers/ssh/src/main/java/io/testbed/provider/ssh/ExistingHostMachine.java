package io.testbed.provider.ssh;

import io.testbed.core.Machine;
import io.testbed.core.TestbedException;
import io.testbed.core.config.TestbedConfig;
import io.testbed.core.internal.support.ShellQuoting;
import io.testbed.core.journal.Journal;
import io.testbed.core.machine.TransportMachine;
import io.testbed.core.spi.MachinePlan;
import io.testbed.core.spi.MachineResource;
import io.testbed.core.ssh.HostKeyMismatchException;
import io.testbed.core.ssh.SshTransport;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apiguardian.api.API;

/**
 * A leased inventory host as a machine of the environment. It is already running and stays so: {@link #start} and
 * {@link #stop} do nothing, there are no snapshots, and {@link #destroy} only ends what the tests left (jobs,
 * changed settings) and closes the connection — the harness never reboots or reinstalls an existing host.
 *
 * <p>The machine's addresses are those of the NICs the inventory lists, read with {@code ip} when it becomes ready,
 * under their inventory network's name and, for the NICs serving its segments, under the segment label;
 * {@code waitForPort} connects to the inventory address.
 */
@API(status = API.Status.INTERNAL)
final class ExistingHostMachine implements MachineResource {

    private static final Pattern INET = Pattern.compile("\\binet ([0-9]{1,3}(?:\\.[0-9]{1,3}){3})/");

    private final MachinePlan plan;
    private final Match.Placement placement;
    private final Journal journal;
    private final Duration connectTimeout;
    private final SshTransport transport;
    private volatile TransportMachine machine;

    ExistingHostMachine(MachinePlan plan, Match.Placement placement, Journal journal, Duration connectTimeout) {
        this.plan = plan;
        this.placement = placement;
        this.journal = journal;
        this.connectTimeout = connectTimeout;
        this.transport = HostShell.transport(placement.host(), connectTimeout);
    }

    private InventoryHost host() {
        return placement.host();
    }

    @Override
    public String providerId() {
        return host().name();
    }

    /** Nothing to start: an existing host is running (and is never booted by the harness). */
    @Override
    public void start() {}

    /**
     * Connects (within the shorter of {@code timeout} and {@value TestbedConfig#SSH_CONNECT_TIMEOUT})
     * and reads the addresses of the host's NICs.
     *
     * @throws TestbedException naming the machine, the inventory host and its target when it does not answer, or at
     *                          once when it presents another host key than the inventory pins
     */
    @Override
    public Machine awaitReady(Duration timeout) {
        Duration wait = timeout.compareTo(connectTimeout) < 0 ? timeout : connectTimeout;
        try {
            transport.awaitReady(wait);
        } catch (HostKeyMismatchException e) {
            throw new TestbedException(
                    "machine '" + plan.name() + "': inventory host " + host() + " presented another"
                            + " host key than the inventory pins; refusing to log in. If the host was reinstalled, update its "
                            + "host_key or known_hosts entry in the inventory. " + e.getMessage(),
                    e);
        } catch (TestbedException e) {
            throw new TestbedException(
                    "machine '" + plan.name() + "': inventory host " + host() + " did not answer SSH"
                            + " within " + wait.toSeconds() + " s (" + TestbedConfig.SSH_CONNECT_TIMEOUT
                            + "); is it up and reachable? " + e.getMessage(),
                    e);
        }
        Map<String, String> properties = new LinkedHashMap<>(host().properties());
        properties.put("hostname", host().name());
        properties.putAll(plan.spec().properties());
        TransportMachine built = TransportMachine.builder(plan.name(), transport)
                .roles(plan.spec().roles())
                .properties(properties)
                .addresses(addresses())
                .probeAddress(inetAddress(host().address()))
                .journal(journal)
                .build();
        machine = built;
        return built;
    }

    /**
     * The IPv4 address of each NIC the inventory lists, under its inventory network's name, and under the segment
     * label each NIC serving a requested segment serves; NICs without an address are left out.
     */
    private Map<String, InetAddress> addresses() {
        Map<String, InetAddress> addresses = new LinkedHashMap<>();
        if (host().nics().isEmpty()) {
            return addresses;
        }
        Map<String, InetAddress> byNic = nicAddresses(host().nics());
        List<InventoryNic> serving = placement.nics();
        List<String> segments = Requests.options(plan.spec()).segments();
        for (int i = 0; i < serving.size() && i < segments.size(); i++) {
            InetAddress address = byNic.get(serving.get(i).name());
            if (address != null) {
                addresses.putIfAbsent(segments.get(i), address);
            }
        }
        for (InventoryNic nic : host().nics()) {
            InetAddress address = byNic.get(nic.name());
            if (address != null) {
                addresses.putIfAbsent(nic.network(), address);
            }
        }
        return addresses;
    }

    /** Each NIC's first IPv4 address, read with {@code ip -4 addr show dev NAME} in one command. */
    private Map<String, InetAddress> nicAddresses(List<InventoryNic> nics) {
        StringBuilder command = new StringBuilder();
        for (InventoryNic nic : nics) {
            String quoted = ShellQuoting.quote(nic.name());
            command.append("echo \"--- \"")
                    .append(quoted)
                    .append("; ip -4 addr show dev ")
                    .append(quoted)
                    .append(" 2>/dev/null || true; ");
        }
        String output = HostShell.output(transport, command.toString(), connectTimeout, "reading NIC addresses");
        Map<String, InetAddress> byNic = new LinkedHashMap<>();
        String current = null;
        for (String line : output.split("\\R")) {
            if (line.startsWith("--- ")) {
                current = line.substring(4).strip();
                continue;
            }
            Matcher m = INET.matcher(line);
            if (current != null && m.find() && !byNic.containsKey(current)) {
                byNic.put(current, inetAddress(m.group(1)));
            }
        }
        return byNic;
    }

    private static InetAddress inetAddress(String address) {
        try {
            return InetAddress.getByName(address);
        } catch (UnknownHostException e) {
            throw new TestbedException("Cannot resolve '" + address + "': " + e.getMessage(), e);
        }
    }

    /** Nothing to stop: the harness never powers an existing host off. */
    @Override
    public void stop() {}

    /** Ends the jobs the tests left running, restores changed settings and closes the connection. Idempotent. */
    @Override
    public void destroy() {
        TransportMachine live = machine;
        if (live == null) {
            transport.close();
            return;
        }
        try {
            live.killJobs();
            live.restoreSettings();
        } finally {
            live.close();
        }
    }

    @Override
    public String consoleTail(int lines) {
        return "(existing host " + host() + " has no console Testbed reads; its commands are in the prefix's "
                + "logs/commands.log)";
    }
}
