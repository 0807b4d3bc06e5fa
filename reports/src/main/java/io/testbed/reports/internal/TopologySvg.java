package io.testbed.reports.internal;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An environment's topology as inline SVG: machines as boxes in a row (VMs solid, containers dashed, SSH hosts
 * dotted; each with its provider, image, accelerator and roles), networks as buses below them (name, mode, subnet),
 * and a line from each machine to each network it is on, labelled with its address there.
 */
final class TopologySvg {

    private static final int BOX_WIDTH = 190;
    private static final int BOX_HEIGHT = 78;
    private static final int GAP = 24;
    private static final int MARGIN = 10;
    private static final int BUS_TOP = BOX_HEIGHT + 60;
    private static final int BUS_GAP = 46;

    private TopologySvg() {}

    static void write(Html html, EnvironmentModel environment) {
        List<MachineModel> machines = environment.machines();
        List<NetworkModel> networks = environment.networks();
        int width = Math.max(400, MARGIN * 2 + machines.size() * (BOX_WIDTH + GAP));
        int height = BUS_TOP + Math.max(1, networks.size()) * BUS_GAP;
        html.open(
                "svg",
                "class",
                "topology",
                "xmlns",
                "http://www.w3.org/2000/svg",
                "role",
                "img",
                "width",
                String.valueOf(width),
                "height",
                String.valueOf(height),
                "viewBox",
                "0 0 " + width + " " + height,
                "aria-label",
                "topology of " + environment.name());
        for (int n = 0; n < networks.size(); n++) {
            NetworkModel network = networks.get(n);
            int y = BUS_TOP + n * BUS_GAP;
            html.open("g", "class", "network", "data-network", network.name());
            html.empty(
                    "line",
                    "x1",
                    String.valueOf(MARGIN),
                    "y1",
                    String.valueOf(y),
                    "x2",
                    String.valueOf(width - MARGIN),
                    "y2",
                    String.valueOf(y),
                    "class",
                    "bus");
            html.element(
                    "text",
                    network.name() + " · " + network.subnet() + " · " + lower(network.mode()),
                    "x",
                    String.valueOf(MARGIN),
                    "y",
                    String.valueOf(y + 16),
                    "class",
                    "bus-label");
            html.close("g");
        }
        for (int i = 0; i < machines.size(); i++) {
            machine(html, machines.get(i), networks, MARGIN + i * (BOX_WIDTH + GAP));
        }
        html.close("svg");
    }

    private static void machine(Html html, MachineModel machine, List<NetworkModel> networks, int x) {
        String kind = machine.isContainer() ? "container" : "ssh".equals(machine.provider()) ? "ssh" : "vm";
        html.open("g", "class", "machine " + kind, "data-machine", machine.name());
        html.open("title").text(machine.kind() + " " + machine.name()).close("title");
        html.empty(
                "rect",
                "x",
                String.valueOf(x),
                "y",
                String.valueOf(MARGIN),
                "width",
                String.valueOf(BOX_WIDTH),
                "height",
                String.valueOf(BOX_HEIGHT),
                "rx",
                machine.isContainer() ? "2" : "8",
                "class",
                "box");
        int tx = x + 8;
        html.element(
                "text", machine.name(), "x", String.valueOf(tx), "y", String.valueOf(MARGIN + 18), "class", "name");
        html.element(
                "text",
                machine.kind().toUpperCase(Locale.ROOT),
                "x",
                String.valueOf(x + BOX_WIDTH - 8),
                "y",
                String.valueOf(MARGIN + 18),
                "class",
                "badge",
                "text-anchor",
                "end");
        html.element(
                "text",
                machine.provider() == null
                        ? "(not planned)"
                        : shorten(machine.provider() + " · " + machine.image(), 30),
                "x",
                String.valueOf(tx),
                "y",
                String.valueOf(MARGIN + 36),
                "class",
                "detail");
        if (machine.accelerator() != null) {
            html.element(
                    "text",
                    "accelerator " + machine.accelerator(),
                    "x",
                    String.valueOf(tx),
                    "y",
                    String.valueOf(MARGIN + 52),
                    "class",
                    "detail");
        }
        if (!machine.roles().isEmpty()) {
            html.element(
                    "text",
                    "roles "
                            + String.join(
                                    ", ", machine.roles().stream().sorted().toList()),
                    "x",
                    String.valueOf(tx),
                    "y",
                    String.valueOf(MARGIN + 68),
                    "class",
                    "detail");
        }
        int n = 0;
        for (int j = 0; j < networks.size(); j++) {
            NetworkModel network = networks.get(j);
            String address = machine.addresses().get(network.name());
            if (address == null) {
                continue;
            }
            int lx = x + 24 + (n++ % 3) * 56;
            int y = BUS_TOP + j * BUS_GAP;
            html.empty(
                    "line",
                    "x1",
                    String.valueOf(lx),
                    "y1",
                    String.valueOf(MARGIN + BOX_HEIGHT),
                    "x2",
                    String.valueOf(lx),
                    "y2",
                    String.valueOf(y),
                    "class",
                    "link");
            html.empty("circle", "cx", String.valueOf(lx), "cy", String.valueOf(y), "r", "3", "class", "port");
            html.element(
                    "text",
                    address,
                    "x",
                    String.valueOf(lx + 4),
                    "y",
                    String.valueOf(y - 5),
                    "class",
                    "address",
                    "data-network",
                    network.name());
        }
        for (Map.Entry<String, String> entry : machine.addresses().entrySet()) {
            if (networks.stream().noneMatch(net -> net.name().equals(entry.getKey()))) {
                html.element(
                        "text",
                        entry.getKey() + " " + entry.getValue(),
                        "x",
                        String.valueOf(tx),
                        "y",
                        String.valueOf(MARGIN + BOX_HEIGHT + 14 + 12 * n++),
                        "class",
                        "address");
            }
        }
        html.close("g");
    }

    /** {@code text} cut to {@code max} characters with an ellipsis: a box is narrow; the machines' table has it whole. */
    static String shorten(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }

    private static String lower(String text) {
        return text == null ? "" : text.toLowerCase(Locale.ROOT);
    }
}
