package io.testbed.cli;

import com.github.dockerjava.api.model.Version;
import io.testbed.core.config.TestbedConfig;
import io.testbed.core.internal.owner.Owners;
import io.testbed.core.internal.support.LocalCommand;
import io.testbed.core.lease.Lease;
import io.testbed.core.lease.LeaseStore;
import io.testbed.images.KvmProbe;
import io.testbed.images.Template;
import io.testbed.images.TemplateStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;
import org.testcontainers.DockerClientFactory;

/**
 * The host prerequisites {@code testbed doctor} checks besides the network: KVM (device and probe boot), the daemons
 * (libvirtd, dockerd, the test sshd), the lease store and the template cache. Each check asks the real thing the way
 * Testbed uses it — libvirt through libvirt-java, Docker through Testcontainers' client, KVM by {@link KvmProbe} — and
 * changes nothing.
 */
final class HostChecks {

    /** Where the project's SSH integration tests find their sshd. */
    static final String TEST_SSHD = "127.0.0.1:2222";

    static final String SETUP = "bash scripts/setup-host.sh";
    private static final Duration KVM_PROBE_TIMEOUT = Duration.ofSeconds(20);
    private static final long GIB = 1L << 30;

    private final TestbedConfig config;

    HostChecks(TestbedConfig config) {
        this.config = config;
    }

    /** {@code /dev/kvm}: absent is fine (TCG); present, it must be group kvm, mode 0660, and the QEMU user in kvm. */
    Check kvmDevice() {
        Path kvm = Path.of("/dev/kvm");
        if (!Files.exists(kvm)) {
            return Check.warn(
                    "/dev/kvm",
                    "absent: guests run under TCG (software emulation, several times slower)",
                    "use a host with hardware virtualization (or nested virtualization) for speed; nothing else to do");
        }
        try {
            PosixFileAttributes attributes = Files.readAttributes(kvm, PosixFileAttributes.class);
            String group = attributes.group().getName();
            Set<PosixFilePermission> modes = attributes.permissions();
            boolean groupRw =
                    modes.contains(PosixFilePermission.GROUP_READ) && modes.contains(PosixFilePermission.GROUP_WRITE);
            boolean worldRw =
                    modes.contains(PosixFilePermission.OTHERS_READ) && modes.contains(PosixFilePermission.OTHERS_WRITE);
            String state = "group " + group + ", mode " + java.nio.file.attribute.PosixFilePermissions.toString(modes);
            if (!worldRw && !(group.equals("kvm") && groupRw)) {
                return Check.fail(
                        "/dev/kvm",
                        state + ": libvirt probes QEMU as root, then finds KVM unusable for libvirt-qemu and throws its"
                                + " capability cache away on every call (defining a domain took 50-100 s)",
                        "chgrp kvm /dev/kvm && chmod 660 /dev/kvm (" + SETUP + " does it; without udev a reboot"
                                + " undoes it)");
            }
            LocalCommand.Result groups = LocalCommand.of("id", "-nG", "libvirt-qemu")
                    .timeout(Duration.ofSeconds(10))
                    .run();
            if (group.equals("kvm")
                    && !worldRw
                    && groups.succeeded()
                    && !List.of(groups.stdout().strip().split("\\s+")).contains("kvm")) {
                return Check.fail(
                        "/dev/kvm",
                        state + ", but libvirt-qemu is not in group kvm",
                        "usermod -a -G kvm libvirt-qemu (" + SETUP + " does it)");
            }
            return Check.pass("/dev/kvm", state + (groups.succeeded() ? ", libvirt-qemu in group kvm" : ""));
        } catch (IOException | RuntimeException e) {
            return Check.fail("/dev/kvm", "cannot read its owner and mode: " + e.getMessage(), "run as root");
        }
    }

    /** Whether a guest boots under KVM: the libvirt provider's own probe, with its answer cached per boot. */
    Check kvmProbe() {
        if (!Files.exists(Path.of("/dev/kvm"))) {
            return Check.pass("kvm probe", "not needed: no /dev/kvm, so the libvirt provider uses TCG");
        }
        TemplateStore store = TemplateStore.configured(config, line -> {});
        Optional<Template> tiny = store.cachedBuild(TemplateStore.TINY);
        if (tiny.isEmpty()) {
            return Check.warn(
                    "kvm probe",
                    "not run: the tiny template is not built yet in " + store.root(),
                    "nothing to do: the first VM builds it and probes KVM then (or run the README's first command)");
        }
        List<String> lines = new ArrayList<>();
        boolean usable = new KvmProbe(lines::add, store.root()).kvmUsable(tiny.get(), KVM_PROBE_TIMEOUT);
        String verdict = lines.isEmpty() ? "" : lines.get(lines.size() - 1).replaceFirst("^KVM probe: ", "");
        if (usable) {
            return Check.pass("kvm probe", "guests boot under KVM: " + verdict);
        }
        return Check.warn(
                "kvm probe",
                "a guest did not boot under KVM, so guests run under TCG (slower): " + verdict,
                "nothing to do for correctness; for speed use a host where KVM works (nested virtualization on), then"
                        + " delete " + store.root().resolve(KvmProbe.PROBE_FILE) + " to probe again");
    }

    /** libvirtd answers a read-write connection at {@code testbed.libvirt.uri}, as the provider opens it. */
    Check libvirtd() {
        String uri = config.libvirtUri();
        String item = "libvirtd";
        try {
            Connect.setErrorCallback((userData, error) -> {});
            Connect connect = new Connect(uri);
            try {
                long version = connect.getLibVersion();
                return Check.pass(
                        item,
                        "libvirt " + version / 1_000_000 + "." + version / 1000 % 1000 + "." + version % 1000
                                + " answers at " + uri);
            } finally {
                connect.close();
            }
        } catch (LibvirtException e) {
            return Check.fail(
                    item,
                    "no answer at " + uri + ": " + e.getMessage(),
                    "start virtlogd and libvirtd (" + SETUP + " does it); check with virsh -c " + uri + " version");
        } catch (UnsatisfiedLinkError e) {
            return Check.fail(item, "libvirt's C library is missing: " + e.getMessage(), "apt-get install libvirt0");
        }
    }

    /** dockerd answers Testcontainers' client, as the Docker provider reaches it. */
    Check dockerd() {
        try {
            DockerAccess.pinApiVersion();
            Version version =
                    DockerClientFactory.instance().client().versionCmd().exec();
            return Check.pass(
                    "dockerd",
                    "Docker " + version.getVersion() + " (API " + version.getApiVersion() + ") answers at "
                            + DockerClientFactory.instance()
                                    .getTransportConfig()
                                    .getDockerHost());
        } catch (RuntimeException e) {
            String host = Optional.ofNullable(System.getenv("DOCKER_HOST")).orElse("unix:///var/run/docker.sock");
            return Check.fail(
                    "dockerd",
                    "no answer at " + host + ": " + rootMessage(e),
                    "start dockerd (" + SETUP + " does it, with its addresses in 198.18.0.0/15); check with docker"
                            + " info");
        }
    }

    /** The test sshd answers with an SSH banner. */
    Check sshd(String hostAndPort) {
        String item = "test sshd";
        int colon = hostAndPort.lastIndexOf(':');
        if (colon < 1) {
            throw new IllegalArgumentException("--sshd must be HOST:PORT, was '" + hostAndPort + "'");
        }
        String host = hostAndPort.substring(0, colon);
        int port = Integer.parseInt(hostAndPort.substring(colon + 1));
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 3000);
            socket.setSoTimeout(3000);
            String banner = new BufferedReader(
                            new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
            if (banner != null && banner.startsWith("SSH-")) {
                return Check.pass(item, banner.strip() + " at " + hostAndPort);
            }
            return Check.fail(
                    item,
                    hostAndPort + " answers, but not with an SSH banner: " + banner,
                    "free the port for the test sshd (" + SETUP + ")");
        } catch (IOException e) {
            return Check.fail(
                    item,
                    "nothing answers at " + hostAndPort + " (" + e.getMessage() + ")",
                    SETUP + " starts it (/usr/sbin/sshd -f /etc/testbed/sshd/sshd_config); only the project's own SSH"
                            + " integration tests need it");
        }
    }

    /** The lease store: there, shared (mode 1777), readable; how many leases and how much of the pool is free. */
    Check leaseStore() {
        Path dir = config.leaseDir();
        String item = "lease store";
        String create = "install -d -m 1777 " + dir + " (" + SETUP + " creates it), or set testbed.lease.dir";
        if (!Files.isDirectory(dir)) {
            return Check.fail(item, dir + " does not exist", create);
        }
        if (!Files.isWritable(dir)) {
            return Check.fail(item, dir + " is not writable by this user", "chmod 1777 " + dir);
        }
        try {
            LeaseStore store = LeaseStore.fromConfiguration(config.asMap());
            List<Lease> leases = store.list();
            long stale = leases.stream()
                    .filter(lease -> LeaseStore.staleReason(lease).isPresent())
                    .count();
            int owners = Owners.besideLeases(dir).list().size();
            String detail = dir + ": " + leases.size() + " lease(s), " + stale + " of them stale; " + owners
                    + " registered owner(s); pool " + store.pool().cidr() + " of "
                    + store.pool().size() + " /"
                    + store.pool().subnetLength() + " subnets";
            int mode = (Integer) Files.getAttribute(dir, "unix:mode") & 07777;
            if (mode != 01777) {
                return Check.warn(
                        item,
                        detail + "; mode " + String.format(Locale.ROOT, "%04o", mode)
                                + ": other users' JVMs cannot lease here",
                        "chmod 1777 " + dir);
            }
            return Check.pass(item, detail + (stale == 0 ? "" : " (testbed janitor reclaims the stale ones)"));
        } catch (IOException | RuntimeException e) {
            return Check.fail(item, "unreadable: " + e.getMessage(), "move the file aside as the message says");
        }
    }

    /** The template cache: there, readable by the QEMU user, the tiny template built, enough free space. */
    Check templateCache() {
        String item = "template cache";
        TemplateStore store = TemplateStore.configured(config, line -> {});
        Path root = store.root();
        Path existing = root;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        try {
            long free = Files.getFileStore(existing).getUsableSpace();
            String space = String.format(Locale.ROOT, "%.1f GiB free", free / (double) GIB);
            Optional<Template> tiny = store.cachedBuild(TemplateStore.TINY);
            String built = tiny.map(t -> "tiny built " + t.manifest().builtAt())
                    .orElse("tiny not built yet (the first VM builds it, a few minutes)");
            String detail = root + ": " + built + "; " + space;
            if (free < GIB) {
                return Check.fail(
                        item,
                        detail,
                        "free space on " + existing + " (templates, and VM disks with snapshots"
                                + " of about 100 MB each in the prefixes)");
            }
            if (Files.isDirectory(root)
                    && !Files.getPosixFilePermissions(root).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                return Check.fail(item, detail + "; libvirt-qemu cannot enter it", "chmod 755 " + root);
            }
            if (free < 4 * GIB) {
                return Check.warn(item, detail, "free some space on " + existing + ": VMs with snapshots need it");
            }
            return Check.pass(item, detail);
        } catch (IOException | RuntimeException e) {
            return Check.fail(item, root + ": " + e.getMessage(), "create it: " + SETUP);
        }
    }

    static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + root.getMessage() + ")";
    }
}
