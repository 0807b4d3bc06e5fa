/**
 * Network emulation behind {@link io.testbed.core.Links}: which ordered pairs of machines a set of constraints
 * shapes ({@link io.testbed.core.internal.netem.LinkTable}), the host's nftables table for cuts and loss
 * ({@link io.testbed.core.internal.netem.HostRules}), traffic control in the sending machine for delay, jitter and
 * rate ({@link io.testbed.core.internal.netem.Shaping}), measurements ({@link io.testbed.core.internal.netem.Probes})
 * and the state kept across tests and snapshots ({@link io.testbed.core.internal.netem.NetworkEmulation}).
 * Internal: changes without notice.
 */
package io.testbed.core.internal.netem;
