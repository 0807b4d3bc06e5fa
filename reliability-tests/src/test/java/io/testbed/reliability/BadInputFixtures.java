package io.testbed.reliability;

import io.testbed.core.Machine;
import io.testbed.core.TestNetwork;
import io.testbed.junit.Disk;
import io.testbed.junit.DockerHost;
import io.testbed.junit.Host;
import io.testbed.junit.Net;
import io.testbed.junit.Network;
import io.testbed.junit.Prefix;
import io.testbed.junit.Role;
import io.testbed.junit.VM;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The misused test classes of {@code bad-inputs.csv}, one per row that needs its own annotations (rows about
 * configuration use {@link Valid}). {@link BadInputIT} runs each through the Jupiter engine against the real
 * providers. Every test body is empty: none may ever run.
 */
@SuppressWarnings("unused")
final class BadInputFixtures {

    private BadInputFixtures() {}

    /** A valid environment, for the rows whose misuse is in the configuration. */
    @Network(name = "lan")
    @VM(name = "web", networks = "lan")
    static class Valid {
        @Test
        void test() {}
    }

    @Network(name = "lan")
    @VM(name = "web", networks = "lan")
    @VM(name = "web", networks = "lan", memoryMb = 128)
    static class DuplicateMachine {
        @Test
        void test() {}
    }

    @Network(name = "lan")
    @Network(name = "lan", mtu = 1400)
    @VM(name = "web", networks = "lan")
    static class DuplicateNetwork {
        @Test
        void test() {}
    }

    @Network(name = "lan")
    @VM(
            name = "web",
            networks = {"lan", "wan"})
    static class UndeclaredNetwork {
        @Test
        void test() {}
    }

    @Network(name = "lan")
    @VM(
            name = "web",
            networks = {"lan", "lan"})
    static class NetworkListedTwice {
        @Test
        void test() {}
    }

    @Network(name = "lan")
    @VM(name = "web", networks = "lan", memoryMb = 0)
    static class ZeroMemory {
        @Test
        void test() {}
    }

    @Network(name = "lan")
    @VM(name = "web", networks = "lan", memoryMb = 64)
    static class TooLittleMemoryForTiny {
        @Test
        void test() {}
    }

    @Network(name = "lan")
    @VM(name = "web", networks = "lan", cpus = -1)
    static class NegativeCpus {
        @Test
        void test() {}
    }

    @Network(name = "lan")
    @VM(name = "web", networks = "lan", cpus = 65)
    static class TooManyCpus {
        @Test
        void test() {}
    }

    @Network(name = "lan")
    @VM(name = "db", networks = "lan", disks = @Disk(name = "data", sizeMb = 0))
    static class EmptyDisk {
        @Test
        void test() {}
    }

    @Network(name = "lan")
    @VM(name = "db", networks = "lan", disks = @Disk(name = "data", sizeMb = 2_000_000))
    static class HugeDisk {
        @Test
        void test() {}
    }

    @Network(name = "lan")
    @VM(
            name = "db",
            networks = "lan",
            disks = {@Disk(name = "data", sizeMb = 64), @Disk(name = "data", sizeMb = 32)})
    static class DuplicateDisk {
        @Test
        void test() {}
    }

    @Network(name = "lan")
    @VM(name = "db", networks = "lan", disks = @Disk(name = "Data 1", sizeMb = 64))
    static class BadDiskName {
        @Test
        void test() {}
    }

    @Network(name = "1lan")
    @VM(name = "web", networks = "1lan")
    static class BadNetworkName {
        @Test
        void test() {}
    }

    @Network(name = "lan")
    @VM(name = "Web_1", networks = "lan")
    static class BadMachineName {
        @Test
        void test() {}
    }

    @Network(name = "lan")
    @VM(name = "a-machine-name-longer-than-a-dns-label-allows", networks = "lan")
    static class TooLongMachineName {
        @Test
        void test() {}
    }

    @Prefix(name = "My Env")
    @Network(name = "lan")
    @VM(name = "web", networks = "lan")
    static class BadPrefixName {
        @Test
        void test() {}
    }

    @Network(name = "lan")
    @VM(name = "web", networks = "lan", roles = "Back End")
    static class BadRoleName {
        @Test
        void test() {}
    }

    @Network(name = "lan", subnet = "203.0.113.0/24")
    @VM(name = "web", networks = "lan")
    static class SubnetOutsidePool {
        @Test
        void test() {}
    }

    @Network(name = "lan", subnet = "10.1.2.0/24")
    @VM(name = "web", networks = "lan")
    static class PrivateSubnet {
        @Test
        void test() {}
    }

    @Network(name = "lan", subnet = "198.18.44.1/24")
    @VM(name = "web", networks = "lan")
    static class SubnetWithHostBits {
        @Test
        void test() {}
    }

    @Network(name = "lan", subnet = "198.18.x.0/24")
    @VM(name = "web", networks = "lan")
    static class SubnetNotCidr {
        @Test
        void test() {}
    }

    @Network(name = "lan", subnet = "198.18.44.0/30")
    @VM(name = "a", networks = "lan")
    @VM(name = "b", networks = "lan")
    @VM(name = "c", networks = "lan")
    static class SubnetTooSmall {
        @Test
        void test() {}
    }

    @Network(name = "lan", subnet = "198.18.44.0/24")
    @Network(name = "wan", subnet = "198.18.44.0/25")
    @VM(
            name = "web",
            networks = {"lan", "wan"})
    static class OverlappingSubnets {
        @Test
        void test() {}
    }

    @Network(name = "lan", mtu = 100)
    @VM(name = "web", networks = "lan")
    static class TinyMtu {
        @Test
        void test() {}
    }

    @Prefix(name = "empty")
    @Network(name = "lan")
    static class NoMachines {
        @Test
        void test() {}
    }

    @VM(name = "web")
    static class VmWithoutNetwork {
        @Test
        void test() {}
    }

    @Network(name = "lan")
    @VM(name = "web", networks = "lan", template = "/nonexistent/disk.qcow2")
    static class MissingTemplateFile {
        @Test
        void test() {}
    }

    @Network(name = "lan")
    @VM(name = "web", networks = "lan", template = "/etc/passwd")
    static class TemplateNotADiskImage {
        @Test
        void test() {}
    }

    @Network(name = "lan")
    @VM(name = "web", networks = "lan", template = "centos")
    static class UnknownTemplateName {
        @Test
        void test() {}
    }

    @Prefix(provider = "vmware")
    @Network(name = "lan")
    @VM(name = "web", networks = "lan")
    static class UnknownProvider {
        @Test
        void test() {}
    }

    @Network(name = "lan")
    @VM(
            name = "web",
            networks = "lan",
            properties = {"novalue"})
    static class PropertyWithoutValue {
        @Test
        void test() {}
    }

    @Network(name = "lan")
    @VM(
            name = "web",
            networks = "lan",
            properties = {"a=1", "a=2"})
    static class DuplicateProperty {
        @Test
        void test() {}
    }

    @Network(name = "lan")
    @VM(name = "web", networks = "lan", collect = "var/log/messages")
    static class RelativeCollectPath {
        @Test
        void test() {}
    }

    @Network(name = "lan")
    @DockerHost(name = "api", networks = "lan", env = "BROKEN")
    static class EnvWithoutValue {
        @Test
        void test() {}
    }

    @Network(name = "lan")
    @DockerHost(name = "api", networks = "lan", env = "1X=2")
    static class BadEnvName {
        @Test
        void test() {}
    }

    @Network(name = "lan")
    @DockerHost(name = "api", networks = "lan", image = "testbed-no-such-image:1")
    static class MissingImage {
        @Test
        void test() {}
    }

    @Network(name = "lan")
    @DockerHost(name = "api", networks = "lan", memoryMb = 0)
    static class ContainerWithoutMemory {
        @Test
        void test() {}
    }

    @Network(name = "lan")
    @DockerHost(name = "api", networks = "lan", capabilities = "NET_FLY")
    static class UnknownCapability {
        @Test
        void test() {}
    }

    @Network(name = "lan")
    @DockerHost(
            name = "api",
            networks = "lan",
            env = {"MODE=a", "MODE=b"})
    static class DuplicateEnv {
        @Test
        void test() {}
    }

    @Network(name = "lan")
    @VM(name = "web", networks = "lan")
    static class UnknownHost {
        @Test
        void test(@Host("db") Machine db) {}
    }

    @Network(name = "lan")
    @VM(name = "web", networks = "lan")
    @VM(name = "db", networks = "lan")
    static class AmbiguousMachine {
        @Test
        void test(Machine machine) {}
    }

    @Network(name = "lan")
    @VM(name = "web", networks = "lan")
    static class FinalField {
        @Host("web")
        final Machine web = null;

        @Test
        void test() {}
    }

    @Network(name = "lan")
    @VM(name = "web", networks = "lan")
    static class WrongFieldType {
        @Host("web")
        String web;

        @Test
        void test() {}
    }

    @Network(name = "lan")
    @VM(name = "web", networks = "lan", roles = "frontend")
    static class MalformedRoleExpression {
        @Test
        void test(@Role("frontend &") List<Machine> machines) {}
    }

    @Network(name = "lan")
    @VM(name = "web", networks = "lan", roles = "frontend")
    static class RoleMatchingNothing {
        @Test
        void test(@Role("backend") Machine backend) {}
    }

    @Network(name = "lan")
    @VM(name = "web", networks = "lan")
    static class UnknownNet {
        @Test
        void test(@Net("dmz") TestNetwork dmz) {}
    }

    @Network(name = "a")
    @Network(name = "b")
    @Network(name = "c")
    @VM(
            name = "web",
            networks = {"a", "b", "c"})
    static class ThreeNetworks {
        @Test
        void test() {}
    }
}
