/**
 * Who owns provider objects and leases, and whether that owner still lives: the host-wide registry of live
 * prefixes ({@link io.testbed.core.internal.owner.Owners}) and the liveness rules the reaper and the lease store
 * apply ({@link io.testbed.core.internal.owner.OwnerLiveness}). Internal.
 */
package io.testbed.core.internal.owner;
