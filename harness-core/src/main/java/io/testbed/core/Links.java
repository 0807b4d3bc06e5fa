package io.testbed.core;

import java.util.List;
import org.apiguardian.api.API;

/**
 * The links between an environment's machines, changed at run time: constraints (delay, jitter, loss, rate) and
 * cuts (partitions, an isolated machine, a link down), as Jepsen's nemesis and the NixOS test driver's
 * {@code block()} give them. Reached through {@link Environment#links()}.
 *
 * <p>Lifecycle: the constraints declared with the environment are its baseline. What a test changes here is undone
 * after the test, like settings: the baseline constraints come back, run-time constraints and cuts are gone. A
 * {@link Environment#snapshot(String) snapshot} remembers the links as they are; a revert brings them back.
 *
 * <p>Where it happens: cuts and loss are rules of the host bridge the machines are plugged into (an nftables table
 * of the {@code bridge} family that Testbed owns); delay, jitter and rate are traffic control in the sending machine
 * (an HTB tree with one netem leaf per destination, EnOSlib's model) — inside the guest for a virtual machine,
 * in the container's network namespace (the host kernel) for a container. Cuts and constraints combine: a cut
 * while a delay is applied still cuts.
 *
 * <p>Errors: a group that names no machine and no role, or a constraint the machine's kernel cannot honour (a delay
 * on a container when the host kernel has no {@code sch_netem}) throws {@link IllegalArgumentException} before
 * anything changes; a failed command on the host or in a machine throws {@link TestbedException}.
 */
@API(status = API.Status.EXPERIMENTAL)
public interface Links {

    /** Adds a constraint; it wins over earlier ones for the pairs it covers, until the test ends. */
    void constrain(LinkConstraint constraint);

    /**
     * Cuts every machine of group {@code a} from every machine of group {@code b}, both directions, established
     * connections included (packets are dropped, so TCP stalls until {@link #heal}). Machines inside a group still
     * reach each other.
     *
     * @return the cut, for {@link #heal(Cut)}
     */
    Cut partition(String a, String b);

    /** Cuts {@code machine} from every other machine, on every network. */
    Cut isolate(String machine);

    /** Cuts the first half of the machines (declaration order, rounded down) from the rest. */
    Cut splitHalves();

    /**
     * Jepsen's bridge: the machines split in two halves around the middle machine, which still reaches both; the
     * halves do not reach each other. Needs at least three machines.
     */
    Cut bridge();

    /** Takes one machine's link on {@code network} down: no other machine reaches it there, nor it them. */
    Cut linkDown(String machine, String network);

    /** Brings a machine's link on {@code network} back up (heals the cut {@link #linkDown} made). */
    void linkUp(String machine, String network);

    /** Removes one cut; nothing happens when it is already healed. */
    void heal(Cut cut);

    /** Removes every cut (constraints stay). */
    void healAll();

    /** The cuts in force, oldest first. */
    List<Cut> cuts();

    /** The constraints in force, baseline first, in the order they apply. */
    List<LinkConstraint> constraints();

    /**
     * Measures every constrained pair with the default number of probes: see {@link #validate(int)}.
     */
    default LinkValidation validate() {
        return validate(LinkValidation.DEFAULT_PROBES);
    }

    /**
     * Measures every constrained pair: the round-trip time and loss with {@code probes} pings from the sender, and
     * the rate with a timed transfer where a rate is declared. The table of declared against measured values is
     * journaled and written to the prefix's logs, so it is published with the test.
     *
     * @throws IllegalArgumentException when {@code probes} is below 10
     */
    LinkValidation validate(int probes);

    /**
     * A cut in force.
     *
     * @param id          unique in its environment
     * @param kind        what made it
     * @param description for people: {@code paris | berlin}
     */
    @API(status = API.Status.EXPERIMENTAL)
    record Cut(int id, Kind kind, String description) {
        /** What made a cut. */
        public enum Kind {
            PARTITION,
            ISOLATE,
            SPLIT_HALVES,
            BRIDGE,
            LINK_DOWN
        }
    }
}
