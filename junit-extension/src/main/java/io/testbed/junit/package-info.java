/**
 * Testbed for JUnit Jupiter: annotations that turn a test class into a real, isolated test environment.
 *
 * <pre>{@code
 * @Prefix(name = "cluster", revert = Revert.AFTER_EACH_TEST)
 * @Network(name = "lan")
 * @VM(name = "web", networks = "lan", roles = "frontend")
 * @VM(name = "db", networks = "lan", disks = @Disk(name = "data", sizeMb = 64))
 * class ClusterIT {
 *     @Test
 *     void webReachesDb(@Host("web") Machine web, @Host("db") Machine db, TestNetwork lan) {
 *         assertThat(web).canReach(db, lan);
 *     }
 * }
 * }</pre>
 *
 * <p>Declare machines with {@link io.testbed.junit.VM @VM} and networks with {@link io.testbed.junit.Network
 * @Network} (repeatable, inherited, usable as meta-annotations); name the environment and choose its revert and
 * keep policies with {@link io.testbed.junit.Prefix @Prefix}. Inject machines with {@link io.testbed.junit.Host
 * @Host} or {@link io.testbed.junit.Role @Role}, networks with {@link io.testbed.junit.Net @Net}, or either by type
 * when there is one; {@link io.testbed.core.Environment} is injected by type. Assert with
 * {@link io.testbed.junit.TestbedAssertions}.
 *
 * <p>Configuration parameters ({@code junit-platform.properties}, system properties or launcher parameters), all
 * listed by {@link io.testbed.core.config.TestbedConfig#knownKeys()}: {@code testbed.provider.default},
 * {@code testbed.template.default}, {@code testbed.keep}, {@code testbed.progress}, {@code testbed.prefix.root},
 * {@code testbed.lease.dir}, {@code testbed.lease.pool}, {@code testbed.boot.timeout}, … An unknown
 * {@code testbed.*} key in system properties or {@code junit-platform.properties} is an error naming the closest
 * known key.
 */
package io.testbed.junit;
