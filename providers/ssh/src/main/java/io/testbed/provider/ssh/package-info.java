/**
 * Existing machines as test hosts: an inventory of hosts reached over SSH, requirements that pick hosts for the
 * machines a test asks for, and exclusive leases so that parallel test runs never share a host.
 *
 * <h2>Pieces and how they fit</h2>
 * <ol>
 *   <li>{@link io.testbed.provider.ssh.Inventory#load} reads and checks the YAML inventory (every problem at once,
 *       {@link io.testbed.provider.ssh.InventoryException}).</li>
 *   <li>{@link io.testbed.provider.ssh.MachineRequest}s say what each machine needs:
 *       {@link io.testbed.provider.ssh.Requirement}s ({@code memory >= 4 GiB}), roles and network labels.</li>
 *   <li>{@link io.testbed.provider.ssh.HostMatcher} assigns distinct hosts, probing facts through an optional
 *       {@link io.testbed.provider.ssh.FactProbe} (cached by {@link io.testbed.provider.ssh.FactCache}), or explains
 *       why it cannot ({@link io.testbed.provider.ssh.NoMatchException}).</li>
 *   <li>{@link io.testbed.provider.ssh.HostLeaseStore#reserve} leases a match of free hosts across JVMs, waiting
 *       while they are busy; the environment releases its leases by prefix id at teardown.</li>
 *   <li>{@link io.testbed.provider.ssh.SshProvider} is the provider ({@code ssh}) behind {@code @SshHost}: it
 *       validates and matches before anything is provisioned, leases in its session's {@code prepare}, and hands each
 *       leased host out as a machine ({@code ExistingHostMachine}) that is never started, stopped or
 *       snapshotted.</li>
 * </ol>
 *
 * <p>Each {@link io.testbed.provider.ssh.Match.Placement} carries what an {@link io.testbed.core.ssh.SshTransport}
 * needs (address, port, user, private key, pinned host key) and the host NICs that serve the requested networks.
 * Existing hosts are never snapshotted, rebooted or reinstalled.
 *
 * <p>Everything in {@code io.testbed.provider.ssh.internal} is implementation and may change without notice.
 */
package io.testbed.provider.ssh;
