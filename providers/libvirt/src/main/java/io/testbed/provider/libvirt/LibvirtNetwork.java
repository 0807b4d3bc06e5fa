package io.testbed.provider.libvirt;

import io.testbed.core.TestNetwork;
import io.testbed.core.spi.NetworkPlan;
import io.testbed.core.spi.NetworkResource;
import org.libvirt.LibvirtException;
import org.libvirt.Network;

/** A transient libvirt network: it exists while it runs, so destroying it also removes its definition. */
final class LibvirtNetwork implements NetworkResource {

    private final LibvirtConnection libvirt;
    private final NetworkPlan plan;

    private LibvirtNetwork(LibvirtConnection libvirt, NetworkPlan plan) {
        this.libvirt = libvirt;
        this.plan = plan;
    }

    static LibvirtNetwork create(LibvirtConnection libvirt, NetworkPlan plan, String dnsDomain) {
        String xml = NetworkXml.render(plan, dnsDomain);
        libvirt.call("create network " + plan.objectName() + " on " + plan.cidr(), c -> c.networkCreateXML(xml));
        return new LibvirtNetwork(libvirt, plan);
    }

    @Override
    public String providerId() {
        return plan.objectName();
    }

    @Override
    public TestNetwork network() {
        return plan.testNetwork();
    }

    @Override
    public void destroy() {
        destroy(libvirt, plan.objectName());
    }

    /** Destroys (and, if persistent, undefines) the named network; nothing when it is gone already. */
    static void destroy(LibvirtConnection libvirt, String name) {
        libvirt.call("destroy network " + name, c -> {
            Network network;
            try {
                network = c.networkLookupByName(name);
            } catch (LibvirtException e) {
                if (LibvirtConnection.notFound(e)) {
                    return null; // gone already
                }
                throw e; // e.g. libvirtd stopped answering: the object may well still be there
            }
            if (network.isActive() == 1) {
                network.destroy();
            }
            if (isPersistent(network)) {
                network.undefine();
            }
            return null;
        });
    }

    private static boolean isPersistent(Network network) {
        try {
            return network.isPersistent() == 1;
        } catch (LibvirtException transientAndGone) {
            return false;
        }
    }
}
