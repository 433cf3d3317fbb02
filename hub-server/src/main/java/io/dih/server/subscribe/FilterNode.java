package io.dih.server.subscribe;

import io.dih.api.SqlType;
import io.dih.server.subscribe.FilterValues.Family;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A node of a parsed filter, evaluated in SQL's three-valued logic: {@link Boolean#TRUE}, {@link Boolean#FALSE}, or
 * {@code null} for unknown. Nodes are immutable; their depth is bounded by the parser's limits, so the recursion
 * of {@link #eval} and {@link #print} is too.
 */
sealed interface FilterNode {
    /** TRUE, FALSE or null (unknown) for the row; never throws. */
    Boolean eval(Map<String, Object> row);

    /** Appends the canonical text. */
    void print(StringBuilder out);

    /** Adds the columns the node reads. */
    void collect(Set<String> columns);

    /** Binding strength when printed: OR 1, AND 2, NOT 3, a single condition 4. */
    default int precedence() {
        return 4;
    }

    /** Prints {@code node}, in parentheses when it binds less tightly than {@code min}. */
    static void print(StringBuilder out, FilterNode node, int min) {
        if (node.precedence() < min) {
            out.append('(');
            node.print(out);
            out.append(')');
        } else {
            node.print(out);
        }
    }

    /** A column of the region, with how its values compare. */
    record Column(String name, SqlType type, Family family) {
        Object value(Map<String, Object> row) {
            return FilterValues.fromRow(family, row.get(name));
        }

        void print(StringBuilder out) {
            boolean plain = !name.isEmpty() && FilterTokens.isNameStart(name.charAt(0)) && name.equals(name.toLowerCase(Locale.ROOT))
                    && name.chars().allMatch(c -> FilterTokens.isNamePart((char) c))
                    && !FilterTokens.KEYWORDS.contains(name.toUpperCase(Locale.ROOT));
            out.append(plain ? name : "\"" + name.replace("\"", "\"\"") + "\"");
        }
    }

    /** A comparison operator. */
    enum Op {
        EQ("="), NE("<>"), LT("<"), LE("<="), GT(">"), GE(">=");

        final String text;

        Op(String text) {
            this.text = text;
        }

        static Op of(String text) {
            for (Op op : values()) {
                if (op.text.equals(text)) {
                    return op;
                }
            }
            throw new IllegalArgumentException(text);
        }

        /** The operator with its operands swapped: {@code 5 < a} is {@code a > 5}. */
        Op flip() {
            return switch (this) {
                case LT -> GT;
                case LE -> GE;
                case GT -> LT;
                case GE -> LE;
                default -> this;
            };
        }

        boolean test(int cmp) {
            return switch (this) {
                case EQ -> cmp == 0;
                case NE -> cmp != 0;
                case LT -> cmp < 0;
                case LE -> cmp <= 0;
                case GT -> cmp > 0;
                case GE -> cmp >= 0;
            };
        }
    }

    /** Matches every row. */
    record All() implements FilterNode {
        @Override
        public Boolean eval(Map<String, Object> row) {
            return Boolean.TRUE;
        }

        @Override
        public void print(StringBuilder out) {
            out.append("TRUE");
        }

        @Override
        public void collect(Set<String> columns) {
        }
    }

    /** {@code column op literal}: the literal is already in the column family's form. */
    record CompareValue(Column column, Op op, Object literal) implements FilterNode {
        @Override
        public Boolean eval(Map<String, Object> row) {
            Object v = column.value(row);
            return v == null || v == FilterValues.INCOMPARABLE ? null : compare(v, op, literal);
        }

        @Override
        public void print(StringBuilder out) {
            column.print(out);
            out.append(' ').append(op.text).append(' ').append(FilterValues.format(literal));
        }

        @Override
        public void collect(Set<String> columns) {
            columns.add(column.name);
        }
    }

    /** {@code column op column}, both of one family. */
    record CompareColumns(Column left, Op op, Column right) implements FilterNode {
        @Override
        public Boolean eval(Map<String, Object> row) {
            Object a = left.value(row);
            Object b = right.value(row);
            if (a == null || b == null || a == FilterValues.INCOMPARABLE || b == FilterValues.INCOMPARABLE) {
                return null;
            }
            return compare(a, op, b);
        }

        @Override
        public void print(StringBuilder out) {
            left.print(out);
            out.append(' ').append(op.text).append(' ');
            right.print(out);
        }

        @Override
        public void collect(Set<String> columns) {
            columns.add(left.name);
            columns.add(right.name);
        }
    }

    private static Boolean compare(Object a, Op op, Object b) {
        try {
            return op.test(FilterValues.compare(a, b));
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** {@code column [NOT] IN (literal, …)}; the list holds no nulls. */
    record In(Column column, List<Object> literals, boolean negated) implements FilterNode {
        @Override
        public Boolean eval(Map<String, Object> row) {
            Object v = column.value(row);
            if (v == null || v == FilterValues.INCOMPARABLE) {
                return null;
            }
            for (Object literal : literals) {
                Boolean eq = compare(v, Op.EQ, literal);
                if (eq == null) {
                    return null;
                }
                if (eq) {
                    return !negated;
                }
            }
            return negated;
        }

        @Override
        public void print(StringBuilder out) {
            column.print(out);
            out.append(negated ? " NOT IN (" : " IN (");
            for (int i = 0; i < literals.size(); i++) {
                out.append(i == 0 ? "" : ", ").append(FilterValues.format(literals.get(i)));
            }
            out.append(')');
        }

        @Override
        public void collect(Set<String> columns) {
            columns.add(column.name);
        }
    }

    /** {@code column IS [NOT] NULL}; a missing key is null. */
    record IsNull(Column column, boolean negated) implements FilterNode {
        @Override
        public Boolean eval(Map<String, Object> row) {
            return (row.get(column.name) == null) != negated;
        }

        @Override
        public void print(StringBuilder out) {
            column.print(out);
            out.append(negated ? " IS NOT NULL" : " IS NULL");
        }

        @Override
        public void collect(Set<String> columns) {
            columns.add(column.name);
        }
    }

    /** {@code NOT child}: unknown stays unknown. */
    record Not(FilterNode child) implements FilterNode {
        @Override
        public Boolean eval(Map<String, Object> row) {
            Boolean b = child.eval(row);
            return b == null ? null : !b;
        }

        @Override
        public void print(StringBuilder out) {
            out.append("NOT ");
            FilterNode.print(out, child, 3);
        }

        @Override
        public void collect(Set<String> columns) {
            child.collect(columns);
        }

        @Override
        public int precedence() {
            return 3;
        }
    }

    /** {@code a AND b AND …} ({@code and == true}) or {@code a OR b OR …}, per SQL's truth tables. */
    record Junction(boolean and, List<FilterNode> children) implements FilterNode {
        /** The junction of the nodes, nested junctions of the same kind merged; a single node stands for itself. */
        static FilterNode of(boolean and, List<FilterNode> nodes) {
            if (nodes.size() == 1) {
                return nodes.get(0);
            }
            List<FilterNode> flat = new ArrayList<>();
            for (FilterNode n : nodes) {
                if (n instanceof Junction j && j.and == and) {
                    flat.addAll(j.children);
                } else {
                    flat.add(n);
                }
            }
            return new Junction(and, List.copyOf(flat));
        }

        @Override
        public Boolean eval(Map<String, Object> row) {
            boolean unknown = false;
            for (FilterNode child : children) {
                Boolean b = child.eval(row);
                if (b == null) {
                    unknown = true;
                } else if (b != and) {
                    return b; // FALSE decides an AND, TRUE an OR
                }
            }
            return unknown ? null : and;
        }

        @Override
        public void print(StringBuilder out) {
            for (int i = 0; i < children.size(); i++) {
                out.append(i == 0 ? "" : and ? " AND " : " OR ");
                FilterNode.print(out, children.get(i), and ? 3 : 2);
            }
        }

        @Override
        public void collect(Set<String> columns) {
            children.forEach(c -> c.collect(columns));
        }

        @Override
        public int precedence() {
            return and ? 2 : 1;
        }
    }
}
