package io.testbed.images;

import io.testbed.core.internal.support.LocalCommand;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The host's apt, used only through its ordinary clients: {@code apt-cache show} to learn the exact
 * candidate versions and .deb hashes (so a template's cache key is known before anything is
 * downloaded), {@code apt-get download} to fetch them, {@code dpkg-deb -x} to unpack them without
 * installing anything.
 */
final class DebianPackages {

    private static final Path APT_LISTS = Path.of("/var/lib/apt/lists");
    private static final Pattern APT_GET_LINE =
            Pattern.compile("^Get:\\d+ \\S+ \\S+ \\S+ (\\S+) \\S+ (\\S+) \\[(.+)]$");

    /** The candidate version of one package as apt would download it. */
    record Candidate(String name, String version, String sha256, long size, String depends) {
        TemplateInput asInput() {
            return new TemplateInput(name, version, sha256, size);
        }
    }

    private final Consumer<String> progress;

    DebianPackages(Consumer<String> progress) {
        this.progress = progress;
    }

    /** Runs {@code apt-get update} once when the package lists are empty (a fresh container or VM). */
    void ensurePackageLists() {
        if (hasPackageLists()) {
            return;
        }
        progress.accept("apt package lists are empty: running `apt-get update` once (needs root and network)");
        Programs.check(
                Programs.of("apt-get", "update", "-q").timeout(Duration.ofMinutes(5)), "update apt's package lists");
        if (!hasPackageLists()) {
            throw new TemplateException("`apt-get update` finished but " + APT_LISTS
                    + " still holds no package lists; check /etc/apt/sources.list and the network");
        }
    }

    /**
     * A fingerprint (SHA-256) of apt's package lists and configuration: names, sizes and modification times.
     * The candidate versions cannot change while it stays the same. Null when there are no lists yet.
     */
    String listsFingerprint() {
        if (!hasPackageLists()) {
            return null;
        }
        StringBuilder text = new StringBuilder();
        for (Path directory : List.of(
                APT_LISTS,
                Path.of("/etc/apt"),
                Path.of("/etc/apt/preferences.d"),
                Path.of("/etc/apt/sources.list.d"),
                Path.of("/etc/apt/apt.conf.d"),
                Path.of("/var/lib/dpkg/status"))) {
            try (Stream<Path> files = Files.isDirectory(directory) ? Files.list(directory) : Stream.of(directory)) {
                for (Path file : files.sorted().toList()) {
                    if (Files.isRegularFile(file)) {
                        text.append(file)
                                .append(' ')
                                .append(Files.size(file))
                                .append(' ')
                                .append(Files.getLastModifiedTime(file).toMillis())
                                .append('\n');
                    }
                }
            } catch (IOException e) {
                text.append(directory).append(" unreadable\n");
            }
        }
        return CacheKey.sha256Hex(text.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static boolean hasPackageLists() {
        try (Stream<Path> files = Files.list(APT_LISTS)) {
            return files.anyMatch(file -> file.getFileName().toString().contains("_Packages"));
        } catch (IOException e) {
            return false;
        }
    }

    /** The candidate versions of {@code names}, in the same order, with one {@code apt-cache} call. */
    List<Candidate> candidates(List<String> names) {
        List<String> command = new ArrayList<>(List.of("apt-cache", "show", "--no-all-versions"));
        command.addAll(names);
        LocalCommand.Result result = Programs.run(Programs.of(command));
        Map<String, Candidate> byName = parseShow(result.stdout());
        List<Candidate> ordered = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        for (String name : names) {
            Candidate candidate = byName.get(name);
            if (candidate == null) {
                missing.add(name);
            } else {
                ordered.add(candidate);
            }
        }
        if (!missing.isEmpty()) {
            throw new TemplateException("apt knows no installable version of " + missing
                    + " (`apt-cache show` exit code " + result.exitCode() + ": "
                    + LocalCommand.tail(result.stderr()) + "). Run `apt-get update` as root on a Debian 12 "
                    + "(bookworm) amd64 host whose sources include the main component.");
        }
        return ordered;
    }

    /** Parses {@code apt-cache show} stanzas; the first stanza per package wins. */
    static Map<String, Candidate> parseShow(String text) {
        Map<String, Candidate> byName = new LinkedHashMap<>();
        for (String stanza : text.split("\n\\s*\n")) {
            Map<String, String> fields = new LinkedHashMap<>();
            String last = null;
            for (String line : stanza.split("\n")) {
                if (line.startsWith(" ") && last != null) {
                    fields.merge(last, "\n" + line.strip(), String::concat);
                    continue;
                }
                int colon = line.indexOf(':');
                if (colon > 0) {
                    last = line.substring(0, colon);
                    fields.put(last, line.substring(colon + 1).strip());
                }
            }
            String name = fields.get("Package");
            if (name == null || fields.get("SHA256") == null || byName.containsKey(name)) {
                continue;
            }
            byName.put(
                    name,
                    new Candidate(
                            name,
                            fields.get("Version"),
                            fields.get("SHA256"),
                            Long.parseLong(fields.getOrDefault("Size", "0")),
                            fields.getOrDefault("Depends", "")));
        }
        return byName;
    }

    /**
     * Downloads the exact versions into {@code directory} with one {@code apt-get download} call, reporting
     * each fetched package, and checks every file's SHA-256 against apt's index.
     *
     * @return the .deb files by package name
     */
    Map<String, Path> download(List<Candidate> candidates, Path directory) {
        long total = candidates.stream().mapToLong(Candidate::size).sum();
        progress.accept(
                String.format("fetching %d packages (%.1f MB) with apt-get download", candidates.size(), total / 1e6));
        List<String> command = new ArrayList<>(List.of("apt-get", "download", "-q"));
        candidates.forEach(candidate -> command.add(candidate.name() + "=" + candidate.version()));
        Programs.check(
                Programs.of(command)
                        .in(directory)
                        .timeout(Duration.ofMinutes(10))
                        .onStdoutLine(line -> {
                            Matcher matcher = APT_GET_LINE.matcher(line.strip());
                            if (matcher.matches()) {
                                progress.accept("  fetched " + matcher.group(1) + " " + matcher.group(2) + " ("
                                        + matcher.group(3) + ")");
                            }
                        }),
                "download the packages");
        Map<String, Path> files = new LinkedHashMap<>();
        for (Candidate candidate : candidates) {
            Path deb = findDeb(directory, candidate);
            String actual = sha256(deb);
            if (!actual.equalsIgnoreCase(candidate.sha256())) {
                throw new TemplateException("Downloaded " + deb.getFileName() + " has SHA-256 " + actual
                        + " but apt's index says " + candidate.sha256()
                        + "; run `apt-get update` and try again (a mirror may be mid-sync)");
            }
            files.put(candidate.name(), deb);
        }
        return files;
    }

    private static Path findDeb(Path directory, Candidate candidate) {
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(file -> file.getFileName().toString().startsWith(candidate.name() + "_")
                            && file.getFileName().toString().endsWith(".deb"))
                    .findFirst()
                    .orElseThrow(() -> new TemplateException("`apt-get download " + candidate.name()
                            + "` reported success but left no " + candidate.name() + "_*.deb in " + directory));
        } catch (IOException e) {
            throw new TemplateException("Cannot list " + directory + ": " + e.getMessage(), e);
        }
    }

    /** Unpacks a .deb's files into {@code target} without running any maintainer script. */
    static void extract(Path deb, Path target) {
        Programs.check(Programs.of("dpkg-deb", "-x", deb.toString(), target.toString()), "unpack " + deb.getFileName());
    }

    static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            int read;
            while ((read = in.read(buffer)) > 0) {
                digest.update(buffer, 0, read);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new TemplateException("Cannot read " + file + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}
