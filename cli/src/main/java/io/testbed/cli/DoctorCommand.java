package io.testbed.cli;

import io.testbed.core.config.TestbedConfig;
import io.testbed.core.internal.json.Json;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code testbed doctor}: every host prerequisite with PASS, WARN or FAIL and the fix. */
@Command(
        mixinStandardHelpOptions = true,
        name = "doctor",
        description = "Checks every host prerequisite of Testbed and says PASS, WARN or FAIL with the fix: KVM (by a"
                + " real probe boot), /dev/kvm, libvirtd, dockerd, the test sshd, the lease store, the template cache"
                + " and its free space, the kernel's bridge, nftables, htb and netem, and addresses in the"
                + " 198.18.0.0/15 pool used by others. Changes nothing. Exit status 1 when something FAILs.")
final class DoctorCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions options;

    @Option(names = "--json", description = "Writes the checks as JSON.")
    boolean json;

    @Option(
            names = "--sshd",
            paramLabel = "HOST:PORT",
            description = "The test sshd the project's SSH integration tests log in to (default 127.0.0.1:2222).")
    String sshd = HostChecks.TEST_SSHD;

    @Option(
            names = "--no-kvm-probe",
            description = "Skips the probe boot under KVM (up to 20 s when no earlier answer is cached).")
    boolean noKvmProbe;

    @Override
    public Integer call() throws Exception {
        TestbedConfig config = options.config();
        List<Check> checks = new ArrayList<>();
        HostChecks host = new HostChecks(config);
        checks.add(host.kvmDevice());
        checks.add(noKvmProbe ? Check.warn("kvm probe", "skipped (--no-kvm-probe)", null) : host.kvmProbe());
        checks.add(host.libvirtd());
        checks.add(host.dockerd());
        checks.add(host.sshd(sshd));
        checks.add(host.leaseStore());
        checks.add(host.templateCache());
        checks.addAll(NetworkChecks.kernelFeatures());
        checks.addAll(NetworkChecks.addressConflicts(config));
        long failed =
                checks.stream().filter(c -> c.status() == Check.Status.FAIL).count();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> document = new LinkedHashMap<>();
            document.put("checks", checks);
            document.put("failed", failed);
            out.println(Json.pretty().writeValueAsString(document));
        } else {
            render(checks).forEach(out::println);
        }
        out.flush();
        return failed == 0 ? 0 : TestbedCli.FAILED;
    }

    /** The text of the checks: a line each, the fix below, and a summary line. */
    static List<String> render(List<Check> checks) {
        int width = checks.stream().mapToInt(c -> c.item().length()).max().orElse(0);
        List<String> lines = new ArrayList<>();
        for (Check check : checks) {
            lines.add(String.format(
                    Locale.ROOT, "%-4s  %-" + width + "s  %s", check.status(), check.item(), check.detail()));
            if (check.fix() != null) {
                lines.add(" ".repeat(6 + width + 2) + "fix: " + check.fix());
            }
        }
        Map<Check.Status, Long> counts = new LinkedHashMap<>();
        for (Check.Status status : Check.Status.values()) {
            counts.put(status, checks.stream().filter(c -> c.status() == status).count());
        }
        lines.add("doctor: " + counts.get(Check.Status.PASS) + " passed, " + counts.get(Check.Status.WARN)
                + " warning(s), " + counts.get(Check.Status.FAIL) + " failed");
        return lines;
    }
}
