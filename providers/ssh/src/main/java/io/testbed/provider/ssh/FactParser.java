package io.testbed.provider.ssh;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the sectioned output of {@link io.testbed.provider.ssh.FactProbe#COMMAND}. */
public final class FactParser {

    private static final List<String> SECTIONS = List.of("nproc", "meminfo", "uname", "nics", "end");
    private static final Pattern MEM_TOTAL = Pattern.compile("MemTotal:\\s+([0-9]+)\\s*kB");

    private FactParser() {}

    /** See {@link HostFacts#parse}. */
    public static HostFacts parse(String output) {
        Map<String, List<String>> sections = sections(output);
        for (String section : SECTIONS) {
            if (!sections.containsKey(section)) {
                throw new IllegalArgumentException("fact probe output lacks the section '--- " + section + "' (the "
                        + "command stopped early or is not the probe command); output was:" + System.lineSeparator()
                        + tail(output));
            }
        }
        List<String> nproc = sections.get("nproc");
        if (nproc.size() != 1 || !nproc.get(0).matches("[0-9]{1,5}") || Integer.parseInt(nproc.get(0)) < 1) {
            throw new IllegalArgumentException("fact probe: nproc printed " + nproc + ", expected one positive number");
        }
        long memory = -1;
        for (String line : sections.get("meminfo")) {
            Matcher m = MEM_TOTAL.matcher(line);
            if (m.matches()) {
                memory = Long.parseLong(m.group(1)) * 1024;
            }
        }
        if (memory <= 0) {
            throw new IllegalArgumentException("fact probe: /proc/meminfo has no 'MemTotal: <n> kB' line");
        }
        List<String> uname = sections.get("uname");
        if (uname.size() != 2 || uname.stream().anyMatch(s -> s.isBlank() || s.contains(" "))) {
            throw new IllegalArgumentException(
                    "fact probe: uname -r; uname -m printed " + uname + ", expected a release and an architecture");
        }
        List<HostFacts.Nic> nics = new ArrayList<>();
        for (String line : sections.get("nics")) {
            String[] parts = line.split(" ");
            if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
                throw new IllegalArgumentException("fact probe: NIC line '" + line + "' is not '<interface> <driver>'");
            }
            nics.add(new HostFacts.Nic(parts[0], parts[1]));
        }
        return new HostFacts(Integer.parseInt(nproc.get(0)), memory, uname.get(0), uname.get(1), nics);
    }

    private static Map<String, List<String>> sections(String output) {
        Map<String, List<String>> sections = new LinkedHashMap<>();
        List<String> current = null;
        for (String raw : output.split("\\R")) {
            String line = raw.strip();
            if (line.startsWith("--- ")) {
                current = new ArrayList<>();
                sections.put(line.substring(4).strip(), current);
            } else if (current != null && !line.isEmpty()) {
                current.add(line);
            }
        }
        return sections;
    }

    private static String tail(String output) {
        String[] lines = output.split("\\R");
        int from = Math.max(0, lines.length - 10);
        return String.join(
                System.lineSeparator(), java.util.Arrays.asList(lines).subList(from, lines.length));
    }
}
