package io.testbed.provider.ssh;

import java.util.Collection;
import java.util.Comparator;
import java.util.Optional;

/** "Did you mean" for misspelt names: the closest known name by edit distance, when it is close enough. */
public final class Suggestions {

    private Suggestions() {}

    /**
     * The known name closest to {@code typed}, if at most a third of its length (and at least 2) edits away.
     */
    public static Optional<String> closest(String typed, Collection<String> known) {
        int limit = Math.max(2, typed.length() / 3);
        return known.stream().min(Comparator.comparingInt((String k) -> distance(k, typed)).thenComparing(k -> k))
                .filter(k -> distance(k, typed) <= limit);
    }

    /** The Levenshtein distance of two strings. */
    static int distance(String a, String b) {
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
