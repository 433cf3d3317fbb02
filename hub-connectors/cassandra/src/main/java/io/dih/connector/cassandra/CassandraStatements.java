package io.dih.connector.cassandra;

import static java.util.Objects.requireNonNull;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Prepared statements by CQL text, prepared once per connector. The driver re-prepares a statement by itself when a
 * node forgets it (a restart, a schema change), so an entry stays valid for the connector's life.
 */
final class CassandraStatements {
    private final CqlSession session;
    private final Map<String, PreparedStatement> prepared = new ConcurrentHashMap<>();

    CassandraStatements(CqlSession session) {
        this.session = requireNonNull(session, "session is null");
    }

    /** The prepared statement of the CQL text; the first call prepares it (a rejected text is not cached). */
    PreparedStatement get(String cql) {
        PreparedStatement ps = prepared.get(cql);
        if (ps == null) {
            ps = session.prepare(cql);
            prepared.putIfAbsent(cql, ps);
        }
        return ps;
    }

    /** How many statements are cached (for tests and metrics). */
    int size() {
        return prepared.size();
    }
}
