package io.testbed.core.internal.support;

import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;
import org.apiguardian.api.API;

/** "Did you mean" for misspelt names (configuration keys, inventory fields): the known name nearest by edit distance. */
@API(status = API.Status.INTERNAL)
public final class DidYouMean {

    private DidYouMean() {}

    /**
     * The known name nearest to {@code typed}, however far: the first of {@code known} (in its iteration order)
     * among those at the smallest distance. Empty only when {@code known} is.
     */
    public static Optional<String> nearest(String typed, Collection<String> known) {
        return known.stream().min(Comparator.comparingInt(name -> distance(name, typed)));
    }

    /**
     * The known name closest to {@code typed} if at most a third of its length (and at least 2) edits away; among
     * equally close names the alphabetically first.
     */
    public static Optional<String> closeEnough(String typed, Collection<String> known) {
        int limit = Math.max(2, typed.length() / 3);
        return known.stream()
                .min(Comparator.comparingInt((String name) -> distance(name, typed))
                        .thenComparing(name -> name))
                .filter(name -> distance(name, typed) <= limit);
    }

    /** The Levenshtein distance of two strings: insertions, deletions and substitutions. */
    public static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] swap = prev;
            prev = cur;
            cur = swap;
        }
        return prev[b.length()];
    }
}
