package io.testbed.core.internal.netem;

import io.testbed.core.Links;
import java.util.List;
import org.apiguardian.api.API;

/**
 * What a cut drops: every packet between a machine of {@code a} and a machine of {@code b} of each side pair, both
 * directions, on {@code network} or on every network when it is empty.
 */
@API(status = API.Status.INTERNAL)
public record CutRule(Links.Cut cut, List<Sides> sides, String network) {

    public CutRule {
        sides = List.copyOf(sides);
    }

    /** Two groups of machines that no longer reach each other. */
    public record Sides(List<String> a, List<String> b) {
        public Sides {
            a = List.copyOf(a);
            b = List.copyOf(b);
        }
    }
}
