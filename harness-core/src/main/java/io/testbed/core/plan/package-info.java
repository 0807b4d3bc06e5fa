/**
 * Pure planning: {@link io.testbed.core.plan.AddressPlanner} turns a validated environment spec, a prefix id and
 * leased subnets into the addresses, MACs and object names providers create.
 */
package io.testbed.core.plan;
