/**
 * Example integration tests a user would copy: each class is one real scenario on real VMs (libvirt, the built-in
 * {@code tiny} template, 128 MiB each), run by Failsafe in {@code mvn verify}.
 *
 * <ul>
 *   <li>{@link io.testbed.examples.TwoVmsTalkIT} — two VMs on a leased network: ping by address and by name, an
 *       HTTP server on one reached from the other;</li>
 *   <li>{@link io.testbed.examples.RevertBetweenTestsIT} — the baseline snapshot and the revert after every test,
 *       without a reboot; named snapshots within a test;</li>
 *   <li>{@link io.testbed.examples.TwoNodeLan} — a topology declared once as a meta-annotation, used by
 *       {@link io.testbed.examples.DataDiskIT} (an extra data disk: size, format, mount, revert) and
 *       {@link io.testbed.examples.BackgroundJobsIT} (a long job killed with its children, a job that finishes
 *       and passes);</li>
 *   <li>{@link io.testbed.examples.SettingsRestoredIT} — {@code setSysctl}/{@code writeSysfs} undone after the
 *       test, with reverts switched off;</li>
 *   <li>{@link io.testbed.examples.RemoteLibvirtIT} — a VM provisioned through a remote libvirt connection
 *       ({@code qemu+libssh://} to this host's test sshd, with a per-run key);</li>
 *   <li>{@link io.testbed.examples.ExistingHostIT} — an existing machine from the SSH inventory, asked for by
 *       requirements, next to a VM: the same machine API, its jobs killed between tests, never reverted.</li>
 * </ul>
 *
 * <p>{@code io.testbed.examples.ssh.ExistingHostsOnVmsIT} is not an example but the proof of the {@code ssh}
 * provider against real SSH servers: VMs listed in a generated inventory as existing hosts (matching, runs per
 * match, two JVMs competing for a host, a host that is down, a wrong host key).
 */
package io.testbed.examples;
