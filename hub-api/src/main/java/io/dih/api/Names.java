package io.dih.api;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/** Rules for the names users give regions and columns: they become SQL identifiers and cache names. */
public final class Names {
    /** Longest accepted name; Ignite and the JDBC driver handle more, but keys and metrics stay readable. */
    public static final int MAX_LENGTH = 64;

    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /** Words H2 and Calcite reserve; a table or column with such a name breaks plain SQL. */
    private static final Set<String> RESERVED = Set.of(
            "ALL", "AND", "ANY", "ARRAY", "AS", "ASC", "BETWEEN", "BOTH", "BY", "CASE", "CAST", "CHECK",
            "CONSTRAINT", "CROSS", "CURRENT_DATE", "CURRENT_TIME", "CURRENT_TIMESTAMP", "CURRENT_USER",
            "DEFAULT", "DELETE", "DESC", "DISTINCT", "DROP", "ELSE", "END", "EXCEPT", "EXISTS", "FALSE",
            "FETCH", "FOR", "FOREIGN", "FROM", "FULL", "GROUP", "HAVING", "IF", "ILIKE", "IN", "INNER",
            "INSERT", "INTERSECT", "INTERVAL", "INTO", "IS", "JOIN", "KEY", "LEADING", "LEFT", "LIKE",
            "LIMIT", "MERGE", "MINUS", "NATURAL", "NOT", "NULL", "OFFSET", "ON", "OR", "ORDER", "OUTER",
            "PRIMARY", "QUALIFY", "REGEXP", "RIGHT", "ROW", "ROWNUM", "SELECT", "SET", "SYSDATE",
            "SYSTIME", "SYSTIMESTAMP", "TABLE", "THEN", "TO", "TODAY", "TOP", "TRAILING", "TRUE",
            "UNION", "UNIQUE", "UPDATE", "USING", "VALUES", "WHEN", "WHERE", "WINDOW", "WITH",
            "_KEY", "_VAL", "_VER");

    private Names() {
    }

    /**
     * Returns why {@code name} cannot be used as a region or column name, or {@code null} when it can.
     */
    public static String problem(String name) {
        if (name == null || name.isEmpty()) {
            return "must not be empty";
        }
        if (name.length() > MAX_LENGTH) {
            return "must be at most " + MAX_LENGTH + " characters";
        }
        if (!IDENTIFIER.matcher(name).matches()) {
            return "'" + name + "' is not a valid SQL identifier (letters, digits and '_', not starting with a digit)";
        }
        if (RESERVED.contains(name.toUpperCase(Locale.ROOT))) {
            return "'" + name + "' is a reserved SQL word";
        }
        return null;
    }
}
