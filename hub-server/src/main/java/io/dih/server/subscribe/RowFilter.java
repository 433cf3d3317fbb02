package io.dih.server.subscribe;

import static java.util.Objects.requireNonNull;

import io.dih.api.SqlType;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * A subscription's row filter ({@code ?filter=}): a SQL-like condition parsed once, type-checked against the region's
 * columns, and evaluated on each row in Java. Nothing of it is ever compiled into code or passed to SQL.
 *
 * <p>Grammar (keywords case-insensitive; {@code AND} binds tighter than {@code OR}):
 * <pre>
 * filter    := or
 * or        := and (OR and)*
 * and       := unary (AND unary)*
 * unary     := NOT unary | '(' or ')' | condition
 * condition := operand (= | &lt;&gt; | != | &lt; | &lt;= | &gt; | &gt;=) operand
 *            | column [NOT] IN '(' literal (',' literal)* ')'
 *            | column IS [NOT] NULL
 * operand   := column | literal         -- at least one side a column
 * column    := name | "Exact Name"      -- name: [A-Za-z_][A-Za-z0-9_]*, matched ignoring case
 * literal   := 'text' ('' for a quote) | -?digits[.digits] | TRUE | FALSE
 * </pre>
 * Numeric columns take numbers (compared numerically whatever the column's Java class); VARCHAR takes text; BOOLEAN
 * TRUE/FALSE (FALSE &lt; TRUE); DATE, TIME and TIMESTAMP take ISO-8601 text (a timestamp without offset is UTC);
 * UUID takes its text form and only {@code =}, {@code <>} and {@code IN}; BINARY only {@code IS [NOT] NULL}. Two
 * columns compare when their types are of one of these families. {@code = NULL} and NULL in an IN list are refused
 * (use {@code IS NULL}), as are comparisons of two literals.
 *
 * <p>Evaluation follows SQL's three-valued logic: a comparison with a null (or missing) value is unknown, so is
 * {@code NOT} unknown, and {@code x NOT IN (…)} when {@code x} is null; a row matches only when the whole filter is
 * true. A value of an unexpected class compares as unknown; {@link #test} never throws for it.
 *
 * <p>Hostile input is bounded: at most 4096 characters (checked before anything
 * else), 32 levels of parentheses and {@code NOT}, 100
 * conditions and 1000 values per IN list. Every refusal is an
 * {@link io.dih.spi.InvalidSpecException} for the field {@code filter} whose message starts with the 1-based position.
 */
public final class RowFilter {
    /** Matches every row; reads no column. */
    public static final RowFilter ALL = new RowFilter(new FilterNode.All());

    private final FilterNode root;
    private final Set<String> columns;
    private final String text;

    private RowFilter(FilterNode root) {
        this.root = root;
        Set<String> read = new LinkedHashSet<>();
        root.collect(read);
        this.columns = Collections.unmodifiableSet(read);
        StringBuilder sb = new StringBuilder();
        root.print(sb);
        this.text = sb.toString();
    }

    /**
     * Parses and type-checks a filter.
     *
     * @param text the filter; not blank (a request without one gets {@link #ALL})
     * @param columns the region's columns by stored name, with their types
     * @throws io.dih.spi.InvalidSpecException for field {@code filter}, whatever is wrong with the text
     */
    public static RowFilter parse(String text, Map<String, SqlType> columns) {
        requireNonNull(columns, "columns");
        return new RowFilter(FilterParser.parse(text, columns));
    }

    /** Whether the row (column name to value; a missing key is null) matches: true only when the filter is TRUE. */
    public boolean test(Map<String, Object> row) {
        requireNonNull(row, "row");
        return Boolean.TRUE.equals(root.eval(row));
    }

    /** The columns the filter reads, by stored name, in the order they first appear. */
    public Set<String> columns() {
        return columns;
    }

    /** The canonical text: stored column names, upper-case keywords, the column left of its operator. */
    @Override
    public String toString() {
        return text;
    }
}
