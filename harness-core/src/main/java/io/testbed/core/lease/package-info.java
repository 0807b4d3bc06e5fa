/**
 * Subnet leases: the {@link io.testbed.core.lease.SubnetPool} Testbed takes networks from (198.18.0.0/15 in /24s
 * by default) and the host-wide, file-locked {@link io.testbed.core.lease.LeaseStore} that hands its subnets out
 * to prefixes, one holder at a time, across every JVM on the host.
 */
package io.testbed.core.lease;
