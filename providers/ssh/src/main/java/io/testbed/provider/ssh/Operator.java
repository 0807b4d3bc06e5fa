package io.testbed.provider.ssh;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apiguardian.api.API;

/**
 * A comparison in a {@link Requirement}: equality, order, or a regular expression search.
 */
@API(status = API.Status.INTERNAL)
public enum Operator {
    EQ("="),
    NE("!="),
    LT("<"),
    LE("<="),
    GT(">"),
    GE(">="),
    MATCHES("~"),
    NOT_MATCHES("!~");

    /** Every symbol, for messages: {@code = != < <= > >= ~ !~}. */
    public static final String SYMBOLS =
            Arrays.stream(values()).map(Operator::symbol).collect(Collectors.joining(" "));

    private final String symbol;

    Operator(String symbol) {
        this.symbol = symbol;
    }

    /** How it is written. */
    public String symbol() {
        return symbol;
    }

    /** Whether it compares by order ({@code < <= > >=}). */
    public boolean ordering() {
        return this == LT || this == LE || this == GT || this == GE;
    }

    /** Whether it searches a regular expression ({@code ~ !~}). */
    public boolean regex() {
        return this == MATCHES || this == NOT_MATCHES;
    }

    /** The operator that holds when this one does not: the relation a failure message shows. */
    public Operator negation() {
        return switch (this) {
            case EQ -> NE;
            case NE -> EQ;
            case LT -> GE;
            case LE -> GT;
            case GT -> LE;
            case GE -> LT;
            case MATCHES -> NOT_MATCHES;
            case NOT_MATCHES -> MATCHES;
        };
    }

    /** Whether {@code comparison} (of actual to expected, as {@link Comparable#compareTo}) satisfies it. */
    public boolean holds(int comparison) {
        return switch (this) {
            case EQ, MATCHES -> comparison == 0;
            case NE, NOT_MATCHES -> comparison != 0;
            case LT -> comparison < 0;
            case LE -> comparison <= 0;
            case GT -> comparison > 0;
            case GE -> comparison >= 0;
        };
    }

    /** The operator written {@code symbol}. */
    public static Optional<Operator> ofSymbol(String symbol) {
        return Arrays.stream(values()).filter(op -> op.symbol.equals(symbol)).findFirst();
    }
}
