package io.testbed.core;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apiguardian.api.API;

/**
 * How the network behaves from one group of machines to another: one-way delay and jitter, loss and rate, as Enos's
 * {@code network_constraints} and EnOSlib's {@code Netem} declare them. A group is a machine name, a role or a role
 * expression ({@code "a|b"}, {@code "a&!b"}, {@code "*"}); every ordered pair of distinct machines (one from
 * {@code from}, one from {@code to}) that shares a network gets the constraint on that network, in the
 * {@code from → to} direction, and in both directions when {@code symmetric}. Pairs listed in {@code except} keep the
 * raw network. When two constraints cover the same pair and direction the later one wins, so a network-wide default
 * ({@code from = "*", to = "*"}) followed by specific constraints reads naturally.
 *
 * <p>Built with {@link #between(String, String)}, whose setters parse values strictly ({@code "20ms"},
 * {@code "0.5%"}, {@code "100mbit"}) and throw {@link IllegalArgumentException} naming the field, the rule and the
 * value ({@code delay must be …, was '20 ms'}).
 *
 * @param from              the sending group
 * @param to                the receiving group
 * @param network           the network it applies on, or empty for every network the pair shares
 * @param delay             one-way delay added to each packet, {@link Duration#ZERO} for none
 * @param jitter            variation of the delay (netem's jitter), {@link Duration#ZERO} for none
 * @param lossPercent       share of packets dropped, 0–100
 * @param rateBitsPerSecond the most the sender may send to the receiver, 0 for unlimited
 * @param symmetric         whether the constraint holds in the {@code to → from} direction too
 * @param except            pairs of machines (either order) that keep the raw network
 */
@API(status = API.Status.EXPERIMENTAL)
public record LinkConstraint(
        String from,
        String to,
        String network,
        Duration delay,
        Duration jitter,
        double lossPercent,
        long rateBitsPerSecond,
        boolean symmetric,
        List<Pair> except) {

    /** The largest delay or jitter accepted: longer ones are a typo, not a network. */
    public static final Duration MAX_DELAY = Duration.ofSeconds(60);
    /** The smallest rate accepted (HTB's precision ends there). */
    public static final long MIN_RATE_BITS = 8_000;

    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(us|ms|s)");
    private static final Pattern PERCENT = Pattern.compile("(\\d+(?:\\.\\d+)?)%");
    private static final Pattern RATE = Pattern.compile("(\\d+(?:\\.\\d+)?)(bit|kbit|mbit|gbit)");
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,30}");

    /** Two machines, in either order. */
    public record Pair(String first, String second) {
        public Pair {
            Objects.requireNonNull(first, "first");
            Objects.requireNonNull(second, "second");
        }

        /** Whether this pair is {@code a} and {@code b}, in either order. */
        public boolean matches(String a, String b) {
            return (first.equals(a) && second.equals(b)) || (first.equals(b) && second.equals(a));
        }

        @Override
        public String toString() {
            return first + ":" + second;
        }
    }

    public LinkConstraint {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(delay, "delay");
        Objects.requireNonNull(jitter, "jitter");
        except = List.copyOf(except);
        if (from.isBlank() || to.isBlank()) {
            throw new IllegalArgumentException("from and to must name a machine, a role or a role expression ('*' "
                    + "for every machine), were '" + from + "' and '" + to + "'");
        }
        if (delay.isNegative() || delay.compareTo(MAX_DELAY) > 0) {
            throw new IllegalArgumentException("delay must be between 0 and 60s, was " + delay);
        }
        if (jitter.isNegative() || jitter.compareTo(MAX_DELAY) > 0) {
            throw new IllegalArgumentException("jitter must be between 0 and 60s, was " + jitter);
        }
        if (!jitter.isZero() && delay.isZero()) {
            throw new IllegalArgumentException("jitter needs a delay to vary around: declare delay too");
        }
        if (!(lossPercent >= 0 && lossPercent <= 100)) {
            throw new IllegalArgumentException("loss must be between 0% and 100%, was " + lossPercent + "%");
        }
        if (rateBitsPerSecond != 0 && rateBitsPerSecond < MIN_RATE_BITS) {
            throw new IllegalArgumentException(
                    "rate must be 0 (unlimited) or at least 8kbit, was " + rateBitsPerSecond + "bit");
        }
        // fields are assigned after this constructor body: read the parameters, not shapes()
        if (delay.isZero() && rateBitsPerSecond == 0 && lossPercent == 0) {
            throw new IllegalArgumentException("declares no constraint: give a delay, a loss or a rate");
        }
    }

    /** Starts a constraint from {@code from} to {@code to} (groups: machine names, roles, role expressions). */
    public static Builder between(String from, String to) {
        return new Builder(from, to);
    }

    /** Whether the sender's traffic control has work: a delay or a rate (loss and cuts live on the host bridge). */
    public boolean shapes() {
        return !delay.isZero() || rateBitsPerSecond > 0;
    }

    /** Whether the pair {@code a}, {@code b} is excepted. */
    public boolean excepts(String a, String b) {
        return except.stream().anyMatch(p -> p.matches(a, b));
    }

    /** Short text for journals and tables: {@code delay=20ms jitter=2ms loss=0.5% rate=100mbit}. */
    public String describe() {
        StringBuilder b = new StringBuilder();
        if (!delay.isZero()) {
            b.append("delay=").append(formatDuration(delay));
        }
        if (!jitter.isZero()) {
            b.append(b.isEmpty() ? "" : " ").append("jitter=").append(formatDuration(jitter));
        }
        if (lossPercent > 0) {
            b.append(b.isEmpty() ? "" : " ").append("loss=").append(formatPercent(lossPercent));
        }
        if (rateBitsPerSecond > 0) {
            b.append(b.isEmpty() ? "" : " ").append("rate=").append(formatRate(rateBitsPerSecond));
        }
        return b.toString();
    }

    /** {@code 20ms}, {@code 1.5s}, {@code 250us}. */
    public static String formatDuration(Duration duration) {
        long micros = duration.toNanos() / 1000;
        if (micros % 1000 != 0) {
            return micros + "us";
        }
        long millis = micros / 1000;
        return millis >= 1000 && millis % 100 == 0
                ? BigDecimal.valueOf(millis, 3).stripTrailingZeros().toPlainString() + "s"
                : millis + "ms";
    }

    /** {@code 0.5%}. */
    public static String formatPercent(double percent) {
        return BigDecimal.valueOf(percent).stripTrailingZeros().toPlainString() + "%";
    }

    /** {@code 100mbit}, {@code 1.5mbit}, {@code 64kbit}. */
    public static String formatRate(long bits) {
        String[] units = {"gbit", "mbit", "kbit"};
        long[] scale = {1_000_000_000L, 1_000_000L, 1_000L};
        for (int i = 0; i < units.length; i++) {
            if (bits >= scale[i]) {
                return BigDecimal.valueOf(bits)
                                .divide(BigDecimal.valueOf(scale[i]))
                                .stripTrailingZeros()
                                .toPlainString()
                        + units[i];
            }
        }
        return bits + "bit";
    }

    /**
     * Builds a {@link LinkConstraint}; each setter parses its value at once and throws an
     * {@link IllegalArgumentException} whose message starts with the field's name.
     */
    public static final class Builder {
        private final String from;
        private final String to;
        private String network = "";
        private Duration delay = Duration.ZERO;
        private Duration jitter = Duration.ZERO;
        private double loss;
        private long rate;
        private boolean symmetric;
        private final List<Pair> except = new ArrayList<>();

        private Builder(String from, String to) {
            this.from = Objects.requireNonNull(from, "from");
            this.to = Objects.requireNonNull(to, "to");
        }

        /** Only on network {@code name} (default: every network the pair shares). */
        public Builder network(String name) {
            this.network = Objects.requireNonNull(name, "network");
            return this;
        }

        /** One-way delay: a number and {@code us}, {@code ms} or {@code s}, no space: {@code "20ms"}. */
        public Builder delay(String text) {
            this.delay = parseDuration("delay", text);
            return this;
        }

        /** Variation of the delay, written like it: {@code "2ms"}. */
        public Builder jitter(String text) {
            this.jitter = parseDuration("jitter", text);
            return this;
        }

        /** Share of packets dropped: {@code "0.5%"}, between 0% and 100%. */
        public Builder loss(String text) {
            this.loss = parseLoss(text);
            return this;
        }

        /** Most the sender may send: a positive number and {@code bit}, {@code kbit}, {@code mbit} or {@code gbit}. */
        public Builder rate(String text) {
            this.rate = parseRate(text);
            return this;
        }

        /** Whether the constraint holds in both directions. */
        public Builder symmetric(boolean symmetric) {
            this.symmetric = symmetric;
            return this;
        }

        /** The constraint holds in both directions. */
        public Builder symmetric() {
            return symmetric(true);
        }

        /** Pairs that keep the raw network, each {@code "a:b"} (machine names, either order). */
        public Builder except(String... pairs) {
            for (String pair : pairs) {
                String[] parts = pair.split(":", -1);
                if (parts.length != 2
                        || !NAME.matcher(parts[0]).matches()
                        || !NAME.matcher(parts[1]).matches()
                        || parts[0].equals(parts[1])) {
                    throw new IllegalArgumentException(
                            "except entry must be two different machine names joined by ':' (e.g. \"web:db\"), was '"
                                    + pair + "'");
                }
                except.add(new Pair(parts[0], parts[1]));
            }
            return this;
        }

        /**
         * The constraint.
         *
         * @throws IllegalArgumentException when it constrains nothing, or has a jitter without a delay
         */
        public LinkConstraint build() {
            return new LinkConstraint(from, to, network, delay, jitter, loss, rate, symmetric, except);
        }
    }

    static Duration parseDuration(String field, String text) {
        Matcher m = DURATION.matcher(text == null ? "" : text);
        if (!m.matches()) {
            throw new IllegalArgumentException(field + " must be a number followed by us, ms or s with no space "
                    + "(e.g. 20ms), was '" + text + "'");
        }
        BigDecimal amount = new BigDecimal(m.group(1));
        BigDecimal nanosPerUnit = BigDecimal.valueOf(
                switch (m.group(2)) {
                    case "us" -> 1_000L;
                    case "ms" -> 1_000_000L;
                    default -> 1_000_000_000L;
                });
        BigDecimal nanos = amount.multiply(nanosPerUnit);
        if (nanos.compareTo(BigDecimal.valueOf(MAX_DELAY.toNanos())) > 0) {
            throw new IllegalArgumentException(field + " must be at most 60s, was '" + text + "'");
        }
        // netem's resolution is a microsecond: finer values would be rounded silently
        if (nanos.remainder(BigDecimal.valueOf(1000)).signum() != 0) {
            throw new IllegalArgumentException(field + " must be a whole number of microseconds, was '" + text + "'");
        }
        return Duration.ofNanos(nanos.longValueExact());
    }

    static double parseLoss(String text) {
        Matcher m = PERCENT.matcher(text == null ? "" : text);
        if (!m.matches() || new BigDecimal(m.group(1)).compareTo(BigDecimal.valueOf(100)) > 0) {
            throw new IllegalArgumentException(
                    "loss must be a percentage between 0% and 100% (e.g. 0.5%), was '" + text + "'");
        }
        BigDecimal percent = new BigDecimal(m.group(1));
        if (percent.scale() > 2) {
            throw new IllegalArgumentException("loss must have at most two decimals (0.01% steps), was '" + text + "'");
        }
        return percent.doubleValue();
    }

    static long parseRate(String text) {
        Matcher m = RATE.matcher(text == null ? "" : text);
        if (!m.matches() || new BigDecimal(m.group(1)).signum() <= 0) {
            throw new IllegalArgumentException("rate must be a positive number followed by bit, kbit, mbit or gbit "
                    + "(e.g. 100mbit), was '" + text + "'");
        }
        long scale = switch (m.group(2)) {
            case "bit" -> 1L;
            case "kbit" -> 1_000L;
            case "mbit" -> 1_000_000L;
            default -> 1_000_000_000L;
        };
        long bits =
                new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(scale)).longValue();
        if (bits < MIN_RATE_BITS) {
            throw new IllegalArgumentException("rate must be at least 8kbit, was '" + text + "'");
        }
        return bits;
    }
}
