package io.testbed.provider.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import io.testbed.core.spec.NetworkMode;
import io.testbed.core.spi.NicPlan;
import io.testbed.core.spi.Owner;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class DomainXmlTest {

    private static DomainXml.Domain domain(String type) throws Exception {
        NicPlan nic = new NicPlan(
                "lan",
                "tb-1234-lan",
                "tb1234",
                "52:54:00:00:00:01",
                InetAddress.getByName("198.18.0.2"),
                24,
                InetAddress.getByName("198.18.0.1"),
                0,
                NetworkMode.ISOLATED);
        return new DomainXml.Domain(
                "tb-1234-vm1",
                type,
                256,
                1,
                new Owner("1234", "/tmp/prefix", 42),
                Optional.of(new DomainXml.KernelBoot(Path.of("/t/vmlinuz"), Path.of("/t/initrd.img"), "console=ttyS0")),
                List.of(
                        new DomainXml.DiskDevice(Path.of("/p/vm1.qcow2"), "qcow2", false, true),
                        new DomainXml.DiskDevice(Path.of("/p/seed.iso"), "raw", true, false)),
                List.of(nic),
                Path.of("/p/console.log"),
                false);
    }

    private static Document parse(String xml) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        return factory.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void masksTheCapabilityThatMakesLibvirtReadTheGuestCpuBackFeatureByFeature() throws Exception {
        for (String type : List.of("qemu", "kvm")) {
            Document doc = parse(DomainXml.render(domain(type)));

            NodeList capabilities = doc.getElementsByTagNameNS(DomainXml.QEMU_NS, "capabilities");
            assertThat(capabilities.getLength()).isEqualTo(1);
            assertThat(capabilities.item(0).getParentNode()).isEqualTo(doc.getDocumentElement());
            NodeList deleted = ((Element) capabilities.item(0)).getElementsByTagNameNS(DomainXml.QEMU_NS, "del");
            assertThat(deleted.getLength()).isEqualTo(1);
            assertThat(((Element) deleted.item(0)).getAttribute("capability")).isEqualTo("cpu-unavailable-features");
            assertThat(doc.getElementsByTagNameNS(DomainXml.QEMU_NS, "add").getLength())
                    .isZero();
        }
    }

    @Test
    void keepsTheDevicesAndTheOwnerLabel() throws Exception {
        Document doc = parse(DomainXml.render(domain("qemu")));
        Element root = doc.getDocumentElement();

        assertThat(root.getAttribute("type")).isEqualTo("qemu");
        Element owner = (Element)
                doc.getElementsByTagNameNS(DomainXml.OWNER_NS, "owner").item(0);
        assertThat(owner.getAttribute("prefix")).isEqualTo("1234");
        assertThat(owner.getAttribute("pid")).isEqualTo("42");
        assertThat(doc.getElementsByTagName("disk").getLength()).isEqualTo(2);
        assertThat(doc.getElementsByTagName("interface").getLength()).isEqualTo(1);
        assertThat(((Element) doc.getElementsByTagName("controller").item(0)).getAttribute("model"))
                .isEqualTo("none");
        assertThat(((Element) doc.getElementsByTagName("memballoon").item(0)).getAttribute("model"))
                .isEqualTo("none");
    }

    @Test
    void onlyWarmDomainsHaveTheIdentityChannelWhoseSocketLibvirtPlaces() throws Exception {
        assertThat(parse(DomainXml.render(domain("qemu")))
                        .getElementsByTagName("channel")
                        .getLength())
                .isZero();

        Document warm = parse(DomainXml.render(domain("qemu").withIdentityChannel(true)));

        NodeList channels = warm.getElementsByTagName("channel");
        assertThat(channels.getLength()).isEqualTo(1);
        Element channel = (Element) channels.item(0);
        assertThat(channel.getAttribute("type")).isEqualTo("unix");
        Element source = (Element) channel.getElementsByTagName("source").item(0);
        assertThat(source.getAttribute("mode")).isEqualTo("bind");
        assertThat(source.hasAttribute("path")).isFalse();
        Element target = (Element) channel.getElementsByTagName("target").item(0);
        assertThat(target.getAttribute("type")).isEqualTo("virtio");
        assertThat(target.getAttribute("name")).isEqualTo(DomainXml.IDENTITY_CHANNEL);
    }
}
