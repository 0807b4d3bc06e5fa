package io.testbed.core.engine;

import io.testbed.core.Machine;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apiguardian.api.API;

/**
 * EnOSlib-style set algebra on roles: {@code a}, {@code a|b} (union), {@code a&b} (intersection),
 * {@code !a} (every machine without role a, so {@code a&!b} is a difference), evaluated left to right;
 * {@code *} is every machine. Role names may contain {@code -}. Hand-written because the
 * grammar is four operators over names — a parser library would be larger than the feature.
 *
 * <p>Public for the JUnit extension, which evaluates the expressions of injection points on the declared
 * machines before anything is provisioned.
 */
@API(status = API.Status.INTERNAL)
public final class RoleExpression {

    private static final Pattern TOKEN = Pattern.compile("\\s*([|&]|!?(?:\\*|[a-z][a-z0-9-]*))\\s*");

    private RoleExpression() {}

    /**
     * The machines {@code expression} selects, in declaration order.
     *
     * @throws IllegalArgumentException naming the expression and what is wrong with it
     */
    public static List<Machine> select(String expression, List<Machine> machines) {
        return select(expression, machines, Machine::roles);
    }

    /**
     * The items {@code expression} selects, in their order, given each item's roles.
     *
     * @throws IllegalArgumentException naming the expression and what is wrong with it
     */
    public static <T> List<T> select(String expression, List<T> items, Function<T, Set<String>> roles) {
        if (expression == null || expression.isBlank()) {
            throw new IllegalArgumentException("role expression must not be blank; use '*' for every machine");
        }
        Matcher m = TOKEN.matcher(expression);
        Set<T> result = null;
        char pending = '|';
        int position = 0;
        boolean expectOperand = true;
        while (position < expression.length()) {
            if (!m.find(position) || m.start() != position) {
                throw new IllegalArgumentException(
                        "role expression '" + expression + "' is not valid at position " + position
                                + "; use role names joined by | (union) and & (intersection), ! before a name to negate");
            }
            String token = m.group(1);
            position = m.end();
            boolean isOperator = token.equals("|") || token.equals("&");
            if (isOperator == expectOperand) {
                throw new IllegalArgumentException("role expression '" + expression + "' has "
                        + (isOperator ? "an operator where a role was expected" : "two roles without an operator")
                        + " near '" + token + "'");
            }
            if (isOperator) {
                pending = token.charAt(0);
                expectOperand = true;
                continue;
            }
            boolean negated = token.startsWith("!");
            String role = negated ? token.substring(1) : token;
            Set<T> operand = new LinkedHashSet<>();
            for (T item : items) {
                if ((role.equals("*") || roles.apply(item).contains(role)) != negated) {
                    operand.add(item);
                }
            }
            if (result == null) {
                result = operand;
            } else {
                if (pending == '|') {
                    result.addAll(operand);
                } else {
                    result.retainAll(operand);
                }
            }
            expectOperand = false;
        }
        if (expectOperand) {
            throw new IllegalArgumentException("role expression '" + expression + "' ends with an operator");
        }
        // keep declaration order
        Set<T> selected = result;
        return items.stream().filter(selected::contains).toList();
    }
}
