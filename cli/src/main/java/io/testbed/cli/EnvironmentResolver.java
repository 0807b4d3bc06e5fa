package io.testbed.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Finds the environment a command's {@code ENV} argument means, among those on this host: its prefix directory (a
 * path), that directory's name ({@code cluster-3f2a9c1e}), the environment's name, or a unique beginning of its id —
 * tried in that order. No match, or more than one, is an error that lists the candidates.
 */
final class EnvironmentResolver {

    private EnvironmentResolver() {}

    /** Why an argument names no single environment; the message lists the candidates. */
    static final class ResolutionException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        ResolutionException(String message) {
            super(message);
        }
    }

    /**
     * The environment {@code argument} names.
     *
     * @param environments every environment on this host ({@link HostEnvironments#list})
     * @param workingDir   what a relative path is resolved against
     * @throws ResolutionException when nothing or more than one environment matches
     */
    static EnvironmentInfo resolve(String argument, List<EnvironmentInfo> environments, Path workingDir) {
        String wanted = argument.strip();
        if (wanted.isEmpty()) {
            throw new ResolutionException("ENV must not be empty: give an environment's name, its prefix directory"
                    + " or the beginning of its id" + candidates(environments));
        }
        if (wanted.contains("/")) {
            Path path = workingDir.resolve(wanted).toAbsolutePath().normalize();
            Optional<EnvironmentInfo> atPath = environments.stream()
                    .filter(e -> samePath(Path.of(e.prefix()), path))
                    .findFirst();
            if (atPath.isPresent()) {
                return atPath.get();
            }
            return HostEnvironments.fromPrefixDirectory(path)
                    .orElseThrow(() -> new ResolutionException("'" + argument + "' is no Testbed prefix directory"
                            + " (no prefix.json in " + path + ") and no environment on this host lives there"
                            + candidates(environments)));
        }
        List<EnvironmentInfo> byDirectory = environments.stream()
                .filter(e -> Path.of(e.prefix()).getFileName().toString().equals(wanted))
                .toList();
        if (byDirectory.size() == 1) {
            return byDirectory.get(0);
        }
        List<EnvironmentInfo> byName =
                environments.stream().filter(e -> e.name().equals(wanted)).toList();
        if (byName.size() == 1) {
            return byName.get(0);
        }
        if (byName.size() > 1) {
            throw new ResolutionException("'" + argument + "' names " + byName.size() + " environments; give the "
                    + "beginning of the id or the prefix directory instead:" + list(byName));
        }
        String lower = wanted.toLowerCase(Locale.ROOT);
        if (lower.matches("[0-9a-f-]+")) {
            List<EnvironmentInfo> byId =
                    environments.stream().filter(e -> e.id().startsWith(lower)).toList();
            if (byId.size() == 1) {
                return byId.get(0);
            }
            if (byId.size() > 1) {
                throw new ResolutionException("'" + argument + "' begins the ids of " + byId.size()
                        + " environments; give more of the id:" + list(byId));
            }
        }
        throw new ResolutionException(
                "no environment on this host is named '" + argument + "', lives in a directory of that name or has an"
                        + " id beginning with it" + candidates(environments));
    }

    private static boolean samePath(Path a, Path b) {
        if (a.equals(b)) {
            return true;
        }
        try {
            return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static String candidates(List<EnvironmentInfo> environments) {
        return environments.isEmpty()
                ? "; there is no environment on this host (testbed ls)"
                : "; environments on this host:" + list(environments);
    }

    private static String list(List<EnvironmentInfo> environments) {
        return environments.stream()
                .map(e -> "\n  " + e.name() + "  id " + e.id() + "  " + e.prefix())
                .collect(Collectors.joining());
    }
}
