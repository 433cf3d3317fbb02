package io.dih.server.node;

import static java.util.Objects.requireNonNull;

import java.io.PrintStream;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code java -jar hub-server.jar sql "SELECT …"}: runs SQL through the JDBC thin driver (the same path any JDBC
 * tool takes) and prints the rows as a table. Without {@code --url} it connects to the hub on this machine, on the
 * thin-client port the node takes from the environment ({@code DIH_THIN_CLIENT_PORT}, else 10800).
 */
@Command(name = "sql", mixinStandardHelpOptions = true,
        description = "Runs SQL statements against a hub through the JDBC thin driver and prints the results.")
final class SqlCommand implements Callable<Integer> {
    /** The environment variable a node takes its thin-client (JDBC) port from. */
    static final String PORT_ENV = "DIH_THIN_CLIENT_PORT";
    static final int DEFAULT_PORT = 10800;

    @Option(names = "--url",
            description = "JDBC URL: a hub node (default jdbc:ignite:thin://127.0.0.1:<$" + PORT_ENV + ", else " + DEFAULT_PORT + ">), "
                    + "or any database whose driver the jar carries (PostgreSQL, MariaDB)")
    String url;

    @Option(names = "--api-key",
            description = "a hub with security on: the operator's credential the thin client connects with (default: $DIH_ADMIN_KEY)")
    String apiKey;

    @Option(names = "--max-rows", defaultValue = "1000", description = "print at most this many rows per query (default ${DEFAULT-VALUE})")
    int maxRows;

    @Parameters(arity = "1..*", paramLabel = "STATEMENT", description = "one or more SQL statements")
    List<String> statements;

    private final Map<String, String> env;
    private final PrintStream out;
    private final PrintStream err;

    SqlCommand() {
        this(System.getenv(), System.out, System.err);
    }

    SqlCommand(Map<String, String> env, PrintStream out, PrintStream err) {
        this.env = requireNonNull(env, "env is null");
        this.out = requireNonNull(out, "out is null");
        this.err = requireNonNull(err, "err is null");
    }

    /** The hub on this machine, on the thin-client port a node started with this environment listens on. */
    static String defaultUrl(Map<String, String> env) {
        String port = env.get(PORT_ENV);
        if (port == null || port.isBlank()) {
            return "jdbc:ignite:thin://127.0.0.1:" + DEFAULT_PORT;
        }
        try {
            int p = Integer.parseInt(port.trim());
            if (p < 1 || p > 65535) {
                throw new NumberFormatException();
            }
            return "jdbc:ignite:thin://127.0.0.1:" + p;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(PORT_ENV + " must be a port (1-65535), not '" + port + "'");
        }
    }

    /** A URL fit to print: the value of a {@code password} parameter is masked. */
    static String printable(String url) {
        return url.replaceAll("(?i)(password=)[^&;]*", "$1***");
    }

    @Override
    public Integer call() {
        String target;
        try {
            target = url != null ? url : defaultUrl(env);
        } catch (IllegalArgumentException e) {
            err.println("Invalid environment: " + e.getMessage());
            return 2;
        }
        Connection c;
        try {
            Properties props = new Properties();
            String key = apiKey != null ? apiKey : env.get("DIH_ADMIN_KEY");
            if (key != null && !key.isBlank() && target.startsWith("jdbc:ignite:thin:") && !target.contains("password=")) {
                props.setProperty("user", "operator");
                props.setProperty("password", key.trim());
            }
            c = DriverManager.getConnection(target, props);
        } catch (SQLException e) {
            err.println("Cannot connect [url=" + printable(target) + "]: " + e.getMessage());
            return 1;
        }
        try (c; Statement st = c.createStatement()) {
            st.setMaxRows(maxRows);
            for (String sql : statements) {
                if (st.execute(sql)) {
                    try (ResultSet rs = st.getResultSet()) {
                        print(rs);
                    }
                } else {
                    out.println(st.getUpdateCount() + " row(s) changed");
                }
            }
            return 0;
        } catch (SQLException e) {
            err.println("SQL failed [url=" + printable(target) + "]: " + e.getMessage());
            return 1;
        }
    }

    private void print(ResultSet rs) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        int n = md.getColumnCount();
        List<String> header = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) {
            header.add(md.getColumnLabel(i));
        }
        TextTable table = new TextTable(header);
        while (rs.next()) {
            List<Object> row = new ArrayList<>(n);
            for (int i = 1; i <= n; i++) {
                row.add(rs.getObject(i));
            }
            table.add(row);
        }
        table.lines().forEach(out::println);
    }
}
