package io.dih.connector.jdbc;

import static io.dih.spi.ConnectionParams.integer;
import static io.dih.spi.ConnectionParams.text;

import io.dih.spi.FieldError;
import io.dih.spi.InvalidSpecException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The connection parameters of a relational source, checked field by field.
 *
 * @param user     login; {@code username} is accepted too; default {@code postgres} / {@code root} by dialect
 * @param password may be a {@code ${ENV_VAR}} reference (resolved on the node, never stored resolved)
 * @param poolSize connections per node (default 4)
 */
record JdbcConnectorConfig(String host, int port, String database, String user, String password,
                           int poolSize, int connectTimeoutSeconds) {

    static final Set<String> KEYS = Set.of("host", "port", "database", "user", "username", "password", "pool_size",
            "connect_timeout_seconds");
    static final Set<String> SECRETS = Set.of("password");

    @Override
    public String toString() {
        return "JdbcConnectorConfig[host=" + host + ", port=" + port + ", database=" + database + ", user=" + user + "]";
    }

    /** Parses parameters; collects every problem instead of stopping at the first. */
    static JdbcConnectorConfig parse(Dialect dialect, Map<String, Object> p, List<FieldError> errors) {
        for (String k : p.keySet()) {
            if (!KEYS.contains(k)) {
                errors.add(new FieldError("connection_params." + k, "is not a " + dialect.name() + " parameter; known: " + new java.util.TreeSet<>(KEYS)));
            }
        }
        String host = text(p, "host", errors);
        if (host == null || host.isBlank()) {
            errors.add(new FieldError("connection_params.host", "is required"));
        }
        int port = integer(p, "port", dialect.defaultPort(), 1, 65535, errors);
        String database = text(p, "database", errors);
        if (database == null || database.isBlank()) {
            errors.add(new FieldError("connection_params.database", "is required"));
        }
        String user = text(p, "user", errors);
        if (user == null) {
            user = text(p, "username", errors);
        }
        if (user == null) {
            user = dialect instanceof PostgresDialect ? "postgres" : "root";
        }
        String password = text(p, "password", errors);
        int pool = integer(p, "pool_size", 4, 1, 64, errors);
        int timeout = integer(p, "connect_timeout_seconds", 5, 1, 300, errors);
        return new JdbcConnectorConfig(host, port, database, user, password, pool, timeout);
    }

    static JdbcConnectorConfig parseOrThrow(Dialect dialect, Map<String, Object> p) {
        List<FieldError> errors = new ArrayList<>();
        JdbcConnectorConfig c = parse(dialect, p, errors);
        if (!errors.isEmpty()) {
            throw new InvalidSpecException(errors);
        }
        return c;
    }
}
