package io.testbed.core.spec;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apiguardian.api.API;

/**
 * What an existing machine (provider {@value #PROVIDER}) asks of the inventory host it gets; the annotation
 * {@code @SshHost} maps its {@code requires} and {@code segments} here. The machine's roles
 * ({@link MachineSpec#roles()}) are roles the host must have in the inventory as well.
 *
 * <p>Validated on construction: requirements and segment labels must not be blank, labels are
 * {@code [A-Za-z0-9][A-Za-z0-9_.-]*}. Whether a requirement parses ({@code memory >= 4 GiB}) is the provider's check
 * (it owns the grammar), made before anything is provisioned.
 *
 * @param requirements what the host must meet, e.g. {@code memory >= 4 GiB}, {@code nics >= 2}, in checking order
 * @param segments     one entry per NIC the machine needs, by a label of the test's choosing: machines listing the
 *                     same label get hosts with NICs on one inventory network (one segment); a label listed twice
 *                     needs two NICs there
 * @param host         the inventory host this machine must get, when a choice was fixed beforehand (each run of a
 *                     class run once per match); empty: any host that meets the rest
 * @throws InvalidSpecException naming the attribute and the rule broken
 */
@API(status = API.Status.EXPERIMENTAL)
public record ExistingHostOptions(List<String> requirements, List<String> segments, Optional<String> host)
        implements ProviderOptions {

    /** The provider these options are for. */
    public static final String PROVIDER = "ssh";
    /** The element named in problems. */
    public static final String ELEMENT = "existing host options";

    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");

    public ExistingHostOptions {
        requirements = List.copyOf(requirements);
        segments = List.copyOf(segments);
        host = host == null ? Optional.empty() : host;
        Problems problems = new Problems();
        for (String requirement : requirements) {
            if (requirement.isBlank()) {
                problems.add(ELEMENT, "requires", "must not list a blank requirement; write e.g. 'memory >= 4 GiB'");
            }
        }
        for (String segment : segments) {
            if (!LABEL.matcher(segment).matches()) {
                problems.add(
                        ELEMENT,
                        "segments",
                        "label " + Problems.quote(segment) + " must match [A-Za-z0-9][A-Za-z0-9_.-]*");
            }
        }
        if (host.isPresent() && host.get().isBlank()) {
            problems.add(ELEMENT, "host", "must name an inventory host when present, was blank");
        }
        problems.throwIfAny();
    }

    /** Requirements and segments, any host that meets them. */
    public ExistingHostOptions(List<String> requirements, List<String> segments) {
        this(requirements, segments, Optional.empty());
    }

    /** A copy that must get the inventory host {@code name}. */
    public ExistingHostOptions withHost(String name) {
        return new ExistingHostOptions(requirements, segments, Optional.of(name));
    }

    @Override
    public String provider() {
        return PROVIDER;
    }
}
