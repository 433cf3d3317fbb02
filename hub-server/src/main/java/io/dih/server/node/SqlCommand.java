package io.dih.server.node;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code java -jar hub-server.jar sql "SELECT …"}: runs SQL through the JDBC thin driver (the same path any JDBC
 * tool takes) and prints the rows as a table.
 */
@Command(name = "sql", mixinStandardHelpOptions = true,
        description = "Runs SQL statements against a hub through the JDBC thin driver and prints the results.")
final class SqlCommand implements Callable<Integer> {
    @Option(names = "--url", defaultValue = "jdbc:ignite:thin://127.0.0.1:10800",
            description = "JDBC URL: a hub node (default ${DEFAULT-VALUE}), or any database whose driver the jar carries (PostgreSQL, MariaDB)")
    String url;

    @Option(names = "--max-rows", defaultValue = "1000", description = "print at most this many rows per query (default ${DEFAULT-VALUE})")
    int maxRows;

    @Parameters(arity = "1..*", paramLabel = "STATEMENT", description = "one or more SQL statements")
    List<String> statements;

    @Override
    public Integer call() {
        try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
            st.setMaxRows(maxRows);
            for (String sql : statements) {
                if (st.execute(sql)) {
                    try (ResultSet rs = st.getResultSet()) {
                        print(rs);
                    }
                } else {
                    System.out.println(st.getUpdateCount() + " row(s) changed");
                }
            }
            return 0;
        } catch (SQLException e) {
            System.err.println("SQL failed: " + e.getMessage());
            return 1;
        }
    }

    private static void print(ResultSet rs) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        int n = md.getColumnCount();
        List<String[]> rows = new ArrayList<>();
        String[] header = new String[n];
        int[] width = new int[n];
        for (int i = 0; i < n; i++) {
            header[i] = md.getColumnLabel(i + 1);
            width[i] = header[i].length();
        }
        while (rs.next()) {
            String[] row = new String[n];
            for (int i = 0; i < n; i++) {
                Object v = rs.getObject(i + 1);
                row[i] = v == null ? "NULL" : v.toString();
                width[i] = Math.max(width[i], row[i].length());
            }
            rows.add(row);
        }
        line(header, width);
        StringBuilder sep = new StringBuilder();
        for (int w : width) {
            sep.append(sep.length() == 0 ? "" : "-+-").append("-".repeat(w));
        }
        System.out.println(sep);
        rows.forEach(r -> line(r, width));
        System.out.println("(" + rows.size() + " row" + (rows.size() == 1 ? "" : "s") + ")");
    }

    private static void line(String[] cells, int[] width) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            sb.append(i == 0 ? "" : " | ").append(String.format("%-" + width[i] + "s", cells[i]));
        }
        System.out.println(sb.toString().stripTrailing());
    }
}
