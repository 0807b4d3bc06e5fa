/**
 * The Docker provider: containers as machines, Docker networks on leased subnets, commit-based snapshots and
 * recreate-based reverts, all through Testcontainers and its docker-java client. {@link
 * io.testbed.provider.docker.DockerProvider} is the only public type; it documents the images it accepts (local only,
 * never pulled), the container options it applies, how containers join other providers' networks, what a
 * revert keeps, and the Testcontainers settings needed without a registry.
 */
package io.testbed.provider.docker;
