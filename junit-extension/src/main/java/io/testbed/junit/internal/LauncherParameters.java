package io.testbed.junit.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.platform.launcher.LauncherDiscoveryListener;
import org.junit.platform.launcher.LauncherDiscoveryRequest;

/**
 * Remembers the {@code testbed.*} keys of the configuration parameters each launcher request carries (Failsafe's
 * and Surefire's {@code <configurationParameters>}, an IDE's, {@code --config} of the console launcher), which an
 * extension cannot list through {@code ExtensionContext}. {@link ConfigurationReader} reads every remembered key
 * through the extension context again, so a key of another request in the same JVM counts only when this
 * request has it too.
 *
 * <p>Registered with the launcher through {@code META-INF/services}; the launcher is then on the class path, and
 * nothing else refers to this class.
 */
public final class LauncherParameters implements LauncherDiscoveryListener {

    private static final Set<String> KEYS = ConcurrentHashMap.newKeySet();

    /** Called by the launcher's service loader. */
    public LauncherParameters() {}

    @Override
    public void launcherDiscoveryStarted(LauncherDiscoveryRequest request) {
        request.getConfigurationParameters().keySet().stream()
                .filter(key -> key.startsWith("testbed."))
                .forEach(KEYS::add);
    }

    /** The {@code testbed.*} keys of launcher requests seen so far in this JVM. */
    static Set<String> keys() {
        return Set.copyOf(KEYS);
    }
}
