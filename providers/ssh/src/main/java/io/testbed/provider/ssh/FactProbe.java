package io.testbed.provider.ssh;

import org.apiguardian.api.API;

/**
 * Finds out what an inventory host really has, by running {@link #COMMAND} on it over SSH and parsing the output
 * with {@link HostFacts#parse}. The {@link HostMatcher} calls it only for hosts that are still candidates and only
 * when a requirement names a property the inventory does not declare; wrap it in a {@link FactCache} so that
 * several classes do not probe one host again and again.
 *
 * <p>Implementations must be thread-safe, bound the time they take (connect and command timeouts), and throw a
 * {@link io.testbed.core.TestbedException} naming the host when it cannot be probed; they must not log the key.
 */
@API(status = API.Status.INTERNAL)
@FunctionalInterface
public interface FactProbe {

    /**
     * One POSIX shell command (busybox sh is enough) that prints every fact, in sections {@code --- nproc},
     * {@code --- meminfo}, {@code --- uname}, {@code --- nics} and {@code --- end}.
     */
    String COMMAND = String.join(
            "\n",
            "echo '--- nproc'; nproc 2>/dev/null || grep -c '^processor' /proc/cpuinfo",
            "echo '--- meminfo'; cat /proc/meminfo",
            "echo '--- uname'; uname -r; uname -m",
            "echo '--- nics'; for d in /sys/class/net/*/device/driver; do [ -e \"$d\" ] || continue;"
                    + " n=${d#/sys/class/net/}; echo \"${n%%/*} $(basename \"$(readlink \"$d\")\")\"; done",
            "echo '--- end'");

    /**
     * Probes {@code host}.
     *
     * @throws io.testbed.core.TestbedException naming the host when it cannot be reached or its output is unusable
     */
    HostFacts probe(InventoryHost host);
}
