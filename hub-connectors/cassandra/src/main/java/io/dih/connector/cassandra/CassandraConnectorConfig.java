package io.dih.connector.cassandra;

import static io.dih.spi.ConnectionParams.field;
import static io.dih.spi.ConnectionParams.integer;
import static io.dih.spi.ConnectionParams.text;

import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import io.dih.spi.FieldError;
import io.dih.spi.InvalidSpecException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The connection parameters of a Cassandra source, checked field by field.
 *
 * @param contactPoints         {@code host} or {@code host:port} of one or more nodes (a list, or text separated by commas)
 * @param port                  the native protocol port of contact points given without one (default 9042)
 * @param localDatacenter       the datacenter whose nodes serve the requests (required by the driver)
 * @param keyspace              the keyspace of bindings that name a bare table; {@code null}: every binding names one
 * @param username              login, with {@code password}; {@code null}: no authentication
 * @param password              may be a {@code ${ENV_VAR}} reference (resolved on the node, never stored resolved)
 * @param readConsistency       loads and reads; {@code consistency} as text sets both, as an object {@code {read, write}}
 *                              each (default LOCAL_QUORUM)
 * @param writeConsistency      writes (default LOCAL_QUORUM)
 * @param loadParallelism       token ranges read at once by a load (default 4)
 * @param pageSize              rows per page of a load (default 1000)
 * @param connectTimeoutSeconds how long connecting waits (default 5)
 * @param requestTimeoutSeconds how long one request waits (default 10)
 */
record CassandraConnectorConfig(List<String> contactPoints, int port, String localDatacenter, String keyspace, String username,
                                String password, DefaultConsistencyLevel readConsistency, DefaultConsistencyLevel writeConsistency,
                                int loadParallelism, int pageSize, int connectTimeoutSeconds, int requestTimeoutSeconds) {

    static final Set<String> KEYS = Set.of("contact_points", "port", "local_datacenter", "keyspace", "username", "password",
            "consistency", "load_parallelism", "page_size", "connect_timeout_seconds", "request_timeout_seconds");
    static final Set<String> SECRETS = Set.of("password");
    private static final DefaultConsistencyLevel DEFAULT_CONSISTENCY = DefaultConsistencyLevel.LOCAL_QUORUM;

    CassandraConnectorConfig {
        contactPoints = List.copyOf(contactPoints);
    }

    /** {@code host:port,host:port}: what an error may name (never a secret). */
    String where() {
        return contactPoints.stream().map(h -> h.contains(":") ? h : h + ":" + port).collect(Collectors.joining(","));
    }

    @Override
    public String toString() {
        return "CassandraConnectorConfig[contactPoints=" + where() + ", localDatacenter=" + localDatacenter + ", keyspace=" + keyspace
                + ", username=" + username + "]";
    }

    /** A resolver of {@code ${ENV}} references: identity when only validating. */
    @FunctionalInterface
    interface Resolver {
        String resolve(String field, String value);
    }

    /** Parses parameters; collects every problem instead of stopping at the first. */
    static CassandraConnectorConfig parse(Map<String, Object> p, Resolver resolve, List<FieldError> errors) {
        for (String k : p.keySet()) {
            if (!KEYS.contains(k)) {
                errors.add(new FieldError(field(k), "is not a Cassandra parameter; known: " + new TreeSet<>(KEYS)));
            }
        }
        List<String> contactPoints = contactPoints(p.get("contact_points"), errors);
        int port = integer(p, "port", 9042, 1, 65535, errors);
        String dc = text(p, "local_datacenter", errors);
        if (dc == null || dc.isBlank()) {
            errors.add(new FieldError(field("local_datacenter"), "is required: the datacenter of the nodes to use (SimpleSnitch: datacenter1)"));
        }
        String keyspace = text(p, "keyspace", errors);
        if (keyspace != null && !keyspace.matches("[A-Za-z][A-Za-z0-9_]{0,47}")) {
            errors.add(new FieldError(field("keyspace"), "'" + keyspace + "' is not a keyspace name"));
        }
        String username = text(p, "username", errors);
        String password = text(p, "password", errors);
        if (username != null) {
            username = resolve.resolve(field("username"), username);
        }
        if (password != null) {
            password = resolve.resolve(field("password"), password);
        }
        if ((username == null) != (password == null)) {
            errors.add(new FieldError(field(username == null ? "username" : "password"), "is required with "
                    + (username == null ? "password" : "username")));
        }
        DefaultConsistencyLevel[] consistency = consistency(p.get("consistency"), errors);
        int parallelism = integer(p, "load_parallelism", 4, 1, 64, errors);
        int pageSize = integer(p, "page_size", 1000, 10, 100_000, errors);
        int connectTimeout = integer(p, "connect_timeout_seconds", 5, 1, 300, errors);
        int requestTimeout = integer(p, "request_timeout_seconds", 10, 1, 600, errors);
        return new CassandraConnectorConfig(contactPoints, port, dc, keyspace, username, password, consistency[0], consistency[1],
                parallelism, pageSize, connectTimeout, requestTimeout);
    }

    static CassandraConnectorConfig parseOrThrow(Map<String, Object> p, Resolver resolve) {
        List<FieldError> errors = new ArrayList<>();
        CassandraConnectorConfig c = parse(p, resolve, errors);
        if (!errors.isEmpty()) {
            throw new InvalidSpecException(errors);
        }
        return c;
    }

    private static List<String> contactPoints(Object v, List<FieldError> errors) {
        List<String> points = new ArrayList<>();
        if (v instanceof List<?> list) {
            list.forEach(o -> points.add(String.valueOf(o).trim()));
        } else if (v != null && !(v instanceof Map)) {
            Arrays.stream(v.toString().split(",")).map(String::trim).forEach(points::add);
        }
        if (v instanceof Map || points.isEmpty() || points.stream().allMatch(String::isEmpty)) {
            errors.add(new FieldError(field("contact_points"), "is required: host or host:port of one or more nodes"));
            return List.of();
        }
        for (String point : points) {
            int colon = point.lastIndexOf(':');
            boolean ok = !point.isEmpty() && point.matches("[A-Za-z0-9._\\-\\[\\]:]+");
            if (ok && colon > 0 && point.indexOf(':') == colon) {
                ok = point.substring(colon + 1).matches("\\d{1,5}") && Integer.parseInt(point.substring(colon + 1)) <= 65535;
            }
            if (!ok) {
                errors.add(new FieldError(field("contact_points"), "'" + point + "' is not host or host:port"));
            }
        }
        return points;
    }

    /** {@code "QUORUM"} for reads and writes, or {@code {"read": "ONE", "write": "QUORUM"}}. */
    private static DefaultConsistencyLevel[] consistency(Object v, List<FieldError> errors) {
        DefaultConsistencyLevel[] both = {DEFAULT_CONSISTENCY, DEFAULT_CONSISTENCY};
        if (v == null) {
            return both;
        }
        if (v instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                String op = String.valueOf(e.getKey());
                if (!op.equals("read") && !op.equals("write")) {
                    errors.add(new FieldError(field("consistency." + op), "is not an operation; give read and/or write"));
                    continue;
                }
                DefaultConsistencyLevel level = level(e.getValue(), "consistency." + op, errors);
                both[op.equals("read") ? 0 : 1] = level == null ? DEFAULT_CONSISTENCY : level;
            }
            return both;
        }
        DefaultConsistencyLevel level = level(v, "consistency", errors);
        return level == null ? both : new DefaultConsistencyLevel[] {level, level};
    }

    private static DefaultConsistencyLevel level(Object v, String key, List<FieldError> errors) {
        try {
            return DefaultConsistencyLevel.valueOf(String.valueOf(v).trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            errors.add(new FieldError(field(key), "'" + v + "' is not a consistency level; use one of "
                    + Arrays.toString(DefaultConsistencyLevel.values())));
            return null;
        }
    }
}
