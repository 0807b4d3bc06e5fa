package io.testbed.images;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The shared libraries a set of ELF programs needs, transitively ({@code DT_NEEDED}), found in the library
 * directories of an unpacked staging tree — what {@code ldd} would say inside the guest, without running anything.
 */
final class LibraryClosure {

    /** Where Debian (bookworm, or merged /usr) puts amd64 libraries, relative to the staging root. */
    static final List<String> LIBRARY_DIRECTORIES =
            List.of("lib/x86_64-linux-gnu", "usr/lib/x86_64-linux-gnu", "lib64", "usr/lib64");

    private final Path staging;

    LibraryClosure(Path staging) {
        this.staging = staging;
    }

    /**
     * Soname → the library file in the staging tree, for every library {@code programs} need.
     *
     * @throws TemplateException naming a library (and who needs it) that no recipe package provides
     */
    Map<String, Path> of(List<Path> programs) {
        Map<String, Path> found = new TreeMap<>();
        Deque<Path> todo = new ArrayDeque<>(programs);
        Map<String, String> neededBy = new LinkedHashMap<>();
        while (!todo.isEmpty()) {
            Path file = todo.pop();
            for (String soname : ElfFile.read(file).neededLibraries()) {
                if (found.containsKey(soname)) {
                    continue;
                }
                neededBy.putIfAbsent(soname, staging.relativize(file).toString());
                Path library = find(soname);
                if (library == null) {
                    throw new TemplateException("Library " + soname + " (needed by /" + neededBy.get(soname)
                            + ") is in none of the recipe's packages; add the package that provides it to "
                            + "TinyTemplateRecipe.PACKAGES");
                }
                found.put(soname, library);
                todo.push(library);
            }
        }
        return found;
    }

    private Path find(String soname) {
        for (String directory : LIBRARY_DIRECTORIES) {
            Path candidate = staging.resolve(directory).resolve(soname);
            Path real = resolveInStaging(candidate);
            if (real != null && Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
                return real;
            }
        }
        return null;
    }

    /** Follows symbolic links inside the staging tree (absolute targets are relative to the staging root). */
    private Path resolveInStaging(Path path) {
        Path current = path;
        for (int hops = 0; hops < 16; hops++) {
            if (!Files.exists(current, LinkOption.NOFOLLOW_LINKS)) {
                return null;
            }
            if (!Files.isSymbolicLink(current)) {
                return current;
            }
            try {
                Path target = Files.readSymbolicLink(current);
                current = target.isAbsolute()
                        ? staging.resolve(target.toString().substring(1))
                        : current.getParent().resolve(target).normalize();
            } catch (IOException e) {
                return null;
            }
        }
        return null;
    }
}
