package io.dih.server.subscribe;

import io.dih.api.SqlType;
import io.dih.server.subscribe.FilterNode.Column;
import io.dih.server.subscribe.FilterNode.Op;
import io.dih.server.subscribe.FilterTokens.Kind;
import io.dih.server.subscribe.FilterTokens.Token;
import io.dih.server.subscribe.FilterValues.Family;
import io.dih.spi.InvalidSpecException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Recursive descent over {@link FilterTokens}, type-checking as it goes:
 * <pre>
 * filter    := or END
 * or        := and (OR and)*
 * and       := unary (AND unary)*
 * unary     := NOT unary | '(' or ')' | condition
 * condition := operand op operand | column [NOT] IN '(' literal (',' literal)* ')' | column IS [NOT] NULL
 * operand   := column | literal
 * </pre>
 * Recursion happens only through {@code NOT} and {@code (}, and each one counts against {@link #MAX_DEPTH}: the stack
 * a filter can use is bounded whatever the text.
 */
final class FilterParser {
    static final int MAX_LENGTH = 4096;
    static final int MAX_DEPTH = 32;
    static final int MAX_IN_ITEMS = 1000;
    static final int MAX_CONDITIONS = 100;

    /** An operand before it is known what it is compared with: a column, a literal token, or NULL. */
    private record Operand(Column column, Token literal, Token token) {
        boolean isNull() {
            return literal != null && literal.isKeyword("NULL");
        }
    }

    private final FilterTokens tokens;
    private final ColumnLookup lookup;
    private int depth;
    private int conditions;

    private FilterParser(String text, Map<String, SqlType> columns) {
        this.tokens = new FilterTokens(text);
        this.lookup = new ColumnLookup(columns);
    }

    static FilterNode parse(String text, Map<String, SqlType> columns) {
        if (text == null || text.isBlank()) {
            throw new InvalidSpecException("filter", "is empty; leave it out to receive every row");
        }
        if (text.length() > MAX_LENGTH) {
            throw new InvalidSpecException("filter", "is " + text.length() + " characters long; the limit is "
                    + MAX_LENGTH + " characters");
        }
        FilterParser parser = new FilterParser(text, columns);
        FilterNode node = parser.or();
        Token t = parser.tokens.next();
        if (t.kind() != Kind.END) {
            throw FilterTokens.error(t.position(), t.kind() == Kind.RIGHT
                    ? "')' has no matching '('"
                    : "expected AND, OR or the end of the filter, found " + t.describe());
        }
        return node;
    }

    private FilterNode or() {
        List<FilterNode> nodes = new ArrayList<>();
        nodes.add(and());
        while (tokens.peek().isKeyword("OR")) {
            tokens.next();
            nodes.add(and());
        }
        return FilterNode.Junction.of(false, nodes);
    }

    private FilterNode and() {
        List<FilterNode> nodes = new ArrayList<>();
        nodes.add(unary());
        while (tokens.peek().isKeyword("AND")) {
            tokens.next();
            nodes.add(unary());
        }
        return FilterNode.Junction.of(true, nodes);
    }

    private FilterNode unary() {
        Token t = tokens.peek();
        if (t.isKeyword("NOT")) {
            tokens.next();
            enter(t);
            FilterNode child = unary();
            depth--;
            return new FilterNode.Not(child);
        }
        if (t.kind() == Kind.LEFT) {
            tokens.next();
            enter(t);
            FilterNode inner = or();
            Token close = tokens.next();
            if (close.kind() != Kind.RIGHT) {
                throw FilterTokens.error(close.position(), "expected ')' to close the '(' at " + t.position()
                        + " (or AND, OR), found " + close.describe());
            }
            depth--;
            return inner;
        }
        return condition();
    }

    private void enter(Token t) {
        if (++depth > MAX_DEPTH) {
            throw FilterTokens.error(t.position(), "nested deeper than " + MAX_DEPTH + " levels (parentheses and NOT)");
        }
    }

    private FilterNode condition() {
        Token first = tokens.peek();
        Operand left = operand("a condition (a column, NOT or '(')");
        if (++conditions > MAX_CONDITIONS) {
            throw FilterTokens.error(first.position(), "more than " + MAX_CONDITIONS + " conditions; the limit is "
                    + MAX_CONDITIONS);
        }
        Token t = tokens.next();
        if (t.kind() == Kind.OPERATOR) {
            Operand right = operand("a value after '" + t.text() + "'");
            return compare(left, Op.of(t.text()), right, t);
        }
        if (t.isKeyword("IS")) {
            Column column = needColumn(left, "IS NULL");
            boolean negated = tokens.peek().isKeyword("NOT");
            if (negated) {
                tokens.next();
            }
            Token n = tokens.next();
            if (!n.isKeyword("NULL")) {
                throw FilterTokens.error(n.position(), "expected " + (negated ? "NULL after IS NOT" : "NULL or NOT NULL after IS")
                        + ", found " + n.describe());
            }
            return new FilterNode.IsNull(column, negated);
        }
        boolean negated = t.isKeyword("NOT");
        Token in = negated ? tokens.next() : t;
        if (in.isKeyword("IN")) {
            return in(needColumn(left, "IN"), negated);
        }
        if (negated) {
            throw FilterTokens.error(in.position(), "expected IN after NOT, found " + in.describe());
        }
        throw FilterTokens.error(t.position(), "expected =, <>, <, <=, >, >=, IN or IS after " + first.describe()
                + ", found " + t.describe());
    }

    private Operand operand(String expected) {
        Token t = tokens.next();
        switch (t.kind()) {
            case WORD:
                if (t.isKeyword("NULL") || t.isKeyword("TRUE") || t.isKeyword("FALSE")) {
                    return new Operand(null, t, t);
                }
                if (FilterTokens.KEYWORDS.contains(t.text().toUpperCase(Locale.ROOT))) {
                    break;
                }
                return new Operand(column(t, false), null, t);
            case QUOTED_NAME:
                return new Operand(column(t, true), null, t);
            case TEXT:
            case NUMBER:
                return new Operand(null, t, t);
            default:
                break;
        }
        throw FilterTokens.error(t.position(), "expected " + expected + ", found " + t.describe());
    }

    private Column column(Token t, boolean quoted) {
        String name;
        try {
            name = quoted ? lookup.exact(t.text()) : lookup.find(t.text());
        } catch (IllegalStateException e) {
            throw FilterTokens.error(t.position(), e.getMessage());
        }
        if (name == null) {
            throw FilterTokens.error(t.position(), lookup.unknown(t.text()));
        }
        SqlType type = lookup.type(name);
        return new Column(name, type, Family.of(type));
    }

    private static Column needColumn(Operand left, String what) {
        if (left.column == null) {
            throw FilterTokens.error(left.token.position(), what + " needs a column on its left, found "
                    + left.token.describe() + "; compare a column");
        }
        return left.column;
    }

    private FilterNode compare(Operand left, Op op, Operand right, Token opToken) {
        if (left.isNull() || right.isNull()) {
            Operand other = left.isNull() ? right : left;
            String column = other.column != null ? other.token.describe() + " " : "";
            Token at = left.isNull() ? left.token : right.token;
            throw FilterTokens.error(at.position(), "a comparison with NULL is never true; write " + column
                    + (op == Op.NE ? "IS NOT NULL" : "IS NULL"));
        }
        if (left.column == null && right.column == null) {
            throw FilterTokens.error(left.token.position(), left.token.describe() + " " + op.text + " "
                    + right.token.describe() + " compares two values; compare a column with a value or another column");
        }
        if (left.column != null && right.column != null) {
            Column a = left.column;
            Column b = right.column;
            if (a.family() != b.family()) {
                throw FilterTokens.error(right.token.position(), "cannot compare column '" + a.name() + "' (" + a.type()
                        + ") with column '" + b.name() + "' (" + b.type() + ")");
            }
            checkOperator(a, op, left.token);
            checkOperator(b, op, right.token);
            return new FilterNode.CompareColumns(a, op, b);
        }
        if (left.column != null) {
            checkOperator(left.column, op, left.token);
            return new FilterNode.CompareValue(left.column, op, literal(left.column, right.literal));
        }
        checkOperator(right.column, op, right.token);
        return new FilterNode.CompareValue(right.column, op.flip(), literal(right.column, left.literal));
    }

    private static void checkOperator(Column c, Op op, Token at) {
        if (c.family() == Family.BINARY) {
            throw FilterTokens.error(at.position(), "column '" + c.name()
                    + "' is BINARY; it can only be tested with IS NULL or IS NOT NULL");
        }
        if (!c.family().ordered() && op != Op.EQ && op != Op.NE) {
            throw FilterTokens.error(at.position(), "column '" + c.name() + "' is " + c.type() + "; only =, <>, IN and "
                    + "IS NULL apply to it, not '" + op.text + "'");
        }
    }

    private FilterNode in(Column column, boolean negated) {
        if (column.family() == Family.BINARY) {
            checkOperator(column, Op.EQ, tokens.peek());
        }
        Token open = tokens.next();
        if (open.kind() != Kind.LEFT) {
            throw FilterTokens.error(open.position(), "expected '(' after IN, found " + open.describe());
        }
        List<Object> literals = new ArrayList<>();
        while (true) {
            Token t = tokens.next();
            if (t.isKeyword("NULL")) {
                throw FilterTokens.error(t.position(), "NULL in an IN list never matches; test '" + column.name()
                        + "' with IS NULL instead");
            }
            if (t.kind() != Kind.TEXT && t.kind() != Kind.NUMBER && !t.isKeyword("TRUE") && !t.isKeyword("FALSE")) {
                throw FilterTokens.error(t.position(), "expected a value in the IN list, found " + t.describe());
            }
            if (literals.size() == MAX_IN_ITEMS) {
                throw FilterTokens.error(t.position(), "an IN list holds at most " + MAX_IN_ITEMS + " values");
            }
            literals.add(literal(column, t));
            Token sep = tokens.next();
            if (sep.kind() == Kind.RIGHT) {
                return new FilterNode.In(column, List.copyOf(literals), negated);
            }
            if (sep.kind() != Kind.COMMA) {
                throw FilterTokens.error(sep.position(), "expected ',' or ')' in the IN list, found " + sep.describe());
            }
        }
    }

    /** The literal in the column family's form, or a 400 naming the column, its type and what it takes. */
    private static Object literal(Column c, Token t) {
        Family f = c.family();
        Object value = null;
        if (f == Family.NUMBER && t.kind() == Kind.NUMBER) {
            value = new BigDecimal(t.text());
        } else if (f == Family.BOOLEAN && (t.isKeyword("TRUE") || t.isKeyword("FALSE"))) {
            value = t.isKeyword("TRUE");
        } else if (t.kind() == Kind.TEXT && f != Family.NUMBER && f != Family.BOOLEAN) {
            value = FilterValues.parseText(f, t.text());
        }
        if (value == null) {
            String what = switch (f) {
                case NUMBER -> " is not a number";
                case DATE, TIME, TIMESTAMP, UUID -> t.kind() == Kind.TEXT ? " is not a valid " + c.type() : " is not text";
                case TEXT -> " is not text; write it between single quotes";
                default -> " does not fit";
            };
            String expected = f == Family.NUMBER || f == Family.TEXT ? "" : " (expected " + f.expected + ")";
            throw FilterTokens.error(t.position(), "column '" + c.name() + "' is " + c.type() + "; "
                    + t.describe() + what + expected);
        }
        return value;
    }
}
