package io.testbed.provider.libvirt;

import io.testbed.core.spec.NetworkMode;
import io.testbed.core.spi.NetworkPlan;

/** The libvirt network document of a planned network. */
final class NetworkXml {

    private NetworkXml() {}

    /**
     * An isolated (no {@code <forward>}) or NAT network on the planned bridge and subnet, with the gateway on
     * the host side, DHCP host entries mac→ip (when DHCP is on) and DNS names for every machine.
     */
    static String render(NetworkPlan plan, String dnsDomain) {
        Xml xml = new Xml("network");
        xml.text("name", plan.objectName());
        xml.empty("bridge", "name", plan.bridgeName(), "stp", "off", "delay", "0");
        if (plan.spec().mtu() > 0) {
            xml.empty("mtu", "size", String.valueOf(plan.spec().mtu()));
        }
        if (plan.spec().mode() == NetworkMode.NAT) {
            xml.open("forward", "mode", "nat")
                    .open("nat")
                    .empty("port", "start", "1024", "end", "65535")
                    .close()
                    .close();
        }
        xml.empty("domain", "name", dnsDomain, "localOnly", "yes");
        xml.open("dns", "enable", "yes");
        for (NetworkPlan.Member member : plan.members()) {
            xml.open("host", "ip", member.address().getHostAddress())
                    .text("hostname", member.name())
                    .text("hostname", member.name() + "." + dnsDomain)
                    .close();
        }
        xml.close();
        xml.open("ip", "address", plan.gateway().getHostAddress(), "prefix", String.valueOf(plan.prefixLength()));
        if (plan.spec().dhcp() && !plan.members().isEmpty()) {
            xml.open("dhcp");
            for (NetworkPlan.Member member : plan.members()) {
                xml.empty(
                        "host",
                        "mac",
                        member.mac(),
                        "name",
                        member.name(),
                        "ip",
                        member.address().getHostAddress());
            }
            xml.close();
        }
        xml.close();
        return xml.render();
    }
}
