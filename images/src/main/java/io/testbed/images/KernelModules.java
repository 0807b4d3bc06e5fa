package io.testbed.images;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The modules of the one kernel unpacked in a staging tree: which exist (by name, {@code -} read as {@code _}),
 * which are built in, and the closure of a wanted set with every dependency (read from each module's
 * {@code .modinfo}), dependencies first — the order {@code insmod} needs.
 */
final class KernelModules {

    private final String kernelVersion;
    private final Path directory;
    private final Map<String, String> index;
    private final Set<String> builtin;

    private KernelModules(String kernelVersion, Path directory, Map<String, String> index, Set<String> builtin) {
        this.kernelVersion = kernelVersion;
        this.directory = directory;
        this.index = index;
        this.builtin = builtin;
    }

    /**
     * Finds the kernel under {@code staging}'s {@code lib/modules} (or {@code usr/lib/modules}) and indexes its
     * modules.
     *
     * @throws TemplateException when there is not exactly one kernel, or it has no {@code boot/vmlinuz}
     */
    static KernelModules find(Path staging) throws IOException {
        Path modules = staging.resolve("lib/modules");
        if (!Files.isDirectory(modules)) {
            modules = staging.resolve("usr/lib/modules");
        }
        Path directory;
        try (Stream<Path> versions = Files.list(modules)) {
            List<Path> found = versions.filter(Files::isDirectory).toList();
            if (found.size() != 1) {
                throw new TemplateException("Expected exactly one kernel in the staging tree, found " + found);
            }
            directory = found.get(0);
        }
        String kernelVersion = directory.getFileName().toString();
        if (!Files.isRegularFile(staging.resolve("boot/vmlinuz-" + kernelVersion))) {
            throw new TemplateException("The kernel package holds no boot/vmlinuz-" + kernelVersion);
        }
        Map<String, String> index = new TreeMap<>();
        try (Stream<Path> files = Files.walk(directory.resolve("kernel"))) {
            files.filter(file -> file.getFileName().toString().endsWith(".ko"))
                    .forEach(file -> index.put(
                            moduleName(file), directory.relativize(file).toString()));
        }
        Set<String> builtin = new HashSet<>();
        Path builtinList = directory.resolve("modules.builtin");
        if (Files.isRegularFile(builtinList)) {
            for (String line : Files.readAllLines(builtinList)) {
                builtin.add(moduleName(Path.of(line.strip())));
            }
        }
        return new KernelModules(kernelVersion, directory, index, builtin);
    }

    String kernelVersion() {
        return kernelVersion;
    }

    /** The kernel's {@code lib/modules/VERSION} directory in the staging tree. */
    Path directory() {
        return directory;
    }

    /** Module name → path relative to {@link #directory()}, sorted by name. */
    Map<String, String> index() {
        return index;
    }

    /** The file of module {@code name}. */
    Path file(String name) {
        return directory.resolve(index.get(name));
    }

    /**
     * The modules with all their dependencies, dependencies first; built-in modules are left out.
     *
     * @throws TemplateException naming a module the kernel has neither as file nor built in
     */
    List<String> closure(List<String> wanted) {
        Set<String> ordered = new LinkedHashSet<>();
        for (String module : wanted) {
            visit(module.replace('-', '_'), ordered, new ArrayDeque<>());
        }
        return List.copyOf(ordered);
    }

    private void visit(String module, Set<String> ordered, Deque<String> path) {
        if (ordered.contains(module) || path.contains(module)) {
            return;
        }
        String relative = index.get(module);
        if (relative == null) {
            if (builtin.contains(module)) {
                return;
            }
            throw new TemplateException("Kernel " + kernelVersion + " has no module " + module
                    + (path.isEmpty() ? "" : " (needed by " + path.peek() + ")")
                    + "; update the module lists in TinyTemplateRecipe for this kernel");
        }
        path.push(module);
        for (String dependency : ElfFile.read(directory.resolve(relative)).moduleDependencies()) {
            visit(dependency.replace('-', '_'), ordered, path);
        }
        path.pop();
        ordered.add(module);
    }

    private static String moduleName(Path file) {
        String name = file.getFileName().toString();
        int dot = name.indexOf('.');
        return (dot < 0 ? name : name.substring(0, dot)).replace('-', '_');
    }
}
