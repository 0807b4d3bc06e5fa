package io.testbed.core.spec;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.apiguardian.api.API;

/** Collects {@link SpecProblem}s so that every broken rule is reported at once. */
@API(status = API.Status.EXPERIMENTAL)
public final class Problems {

    /** Names are DNS labels short enough for libvirt, Docker and interface names derived from them. */
    public static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,30}");

    public static final String NAME_RULE = "must match [a-z][a-z0-9-]{0,30} (a lower-case DNS label)";

    private final List<SpecProblem> found = new ArrayList<>();

    public Problems add(String element, String attribute, String rule) {
        found.add(new SpecProblem(element, attribute, rule));
        return this;
    }

    public Problems addAll(List<SpecProblem> problems) {
        found.addAll(problems);
        return this;
    }

    /** Records a problem when {@code name} is not a valid element name. */
    public Problems checkName(String element, String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            add(element, "name", NAME_RULE + ", was " + quote(name));
        }
        return this;
    }

    public boolean isEmpty() {
        return found.isEmpty();
    }

    public List<SpecProblem> list() {
        return List.copyOf(found);
    }

    public void throwIfAny() {
        if (!found.isEmpty()) {
            throw new InvalidSpecException(found);
        }
    }

    public static String quote(Object value) {
        return value == null ? "null" : "'" + value + "'";
    }
}
