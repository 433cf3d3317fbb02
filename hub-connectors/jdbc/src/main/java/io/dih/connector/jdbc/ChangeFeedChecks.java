package io.dih.connector.jdbc;

import static java.util.Objects.requireNonNull;

import io.dih.spi.ConflictException;
import io.dih.spi.FieldError;
import io.dih.spi.UnavailableException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What a change feed needs of its database, checked before the feed starts so that registration can name what to
 * fix (PostgreSQL: logical WAL, a user who may stream, tables that say which row changed, a free slot; MariaDB/MySQL:
 * a ROW binlog with FULL images and a user who may read it), and what a PostgreSQL feed leaves behind, dropped.
 */
final class ChangeFeedChecks {
    private final Supplier<Connection> connections;
    private final String where;
    private final String user;
    private final Function<Throwable, String> clean;

    /**
     * @param connections a pooled connection (the hub's errors when none can be had)
     * @param where       the database as messages name it ({@code PostgreSQL at host:port})
     * @param clean       a driver's message with the password cut out
     */
    ChangeFeedChecks(Supplier<Connection> connections, String where, String user, Function<Throwable, String> clean) {
        this.connections = requireNonNull(connections, "connections is null");
        this.where = requireNonNull(where, "where is null");
        this.user = user;
        this.clean = requireNonNull(clean, "clean is null");
    }

    /**
     * Checks what PostgreSQL needs for a change feed: {@code wal_level=logical}, a user with REPLICATION (or a
     * superuser), tables with a primary key (or REPLICA IDENTITY FULL), and a slot no other reader holds.
     */
    List<FieldError> postgres(String slot, List<String> tables) {
        List<FieldError> errors = new ArrayList<>();
        try (Connection c = connections.get()) {
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW wal_level")) {
                rs.next();
                if (!"logical".equals(rs.getString(1))) {
                    errors.add(new FieldError("connection_params.host", where + " has wal_level=" + rs.getString(1)
                            + "; CDC needs wal_level=logical (set it in postgresql.conf and restart the database)"));
                }
            }
            try (Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT rolreplication OR rolsuper FROM pg_roles WHERE rolname = current_user")) {
                if (rs.next() && !rs.getBoolean(1)) {
                    errors.add(new FieldError("connection_params.user", "user '" + user + "' may not stream changes; "
                            + "give it the REPLICATION attribute (ALTER ROLE " + user + " REPLICATION)"));
                }
            }
            for (String table : tables) {
                String[] parts = table.split("\\.", 2);
                try (PreparedStatement ps = c.prepareStatement("SELECT c.relreplident, EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid "
                        + "AND i.indisprimary) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relname = ?")) {
                    ps.setString(1, parts.length == 2 ? parts[0] : "public");
                    ps.setString(2, parts.length == 2 ? parts[1] : parts[0]);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next() && !rs.getBoolean(2) && !"f".equals(rs.getString(1))) {
                            errors.add(new FieldError("bindings." + table + ".table", "table " + table + " has no primary key, so "
                                    + "its updates and deletes do not say which row they change: add a primary key, or "
                                    + "ALTER TABLE " + table + " REPLICA IDENTITY FULL"));
                        }
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT active FROM pg_replication_slots WHERE slot_name = ?")) {
                ps.setString(1, slot);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next() && rs.getBoolean(1)) {
                        throw new ConflictException("replication slot " + slot + " on " + where
                                + " is in use by another reader; stop it, or name this source differently");
                    }
                }
            }
        } catch (SQLException e) {
            throw new UnavailableException("checking " + where + " for CDC failed: " + clean.apply(e), null);
        }
        return errors;
    }

    /**
     * Checks what a MariaDB/MySQL binlog feed needs: the binlog on, in ROW format with FULL row images, a user who may
     * read it (REPLICATION SLAVE, REPLICATION CLIENT or BINLOG MONITOR, RELOAD for the snapshot). A table without a
     * primary key needs key_columns, which registration asks for anyway; FULL row images carry them on every change.
     */
    List<FieldError> binlog() {
        List<FieldError> errors = new ArrayList<>();
        try (Connection c = connections.get()) {
            Map<String, String> vars = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT @@log_bin, @@binlog_format, @@binlog_row_image");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                vars.put("log_bin", rs.getString(1));
                vars.put("binlog_format", rs.getString(2));
                vars.put("binlog_row_image", rs.getString(3));
            }
            if (!"1".equals(vars.get("log_bin")) && !"ON".equalsIgnoreCase(vars.get("log_bin"))) {
                errors.add(new FieldError("connection_params.host", where + " does not write a binlog; CDC needs log_bin "
                        + "(start the server with --log-bin --binlog-format=ROW --binlog-row-image=FULL)"));
            } else {
                if (!"ROW".equalsIgnoreCase(vars.get("binlog_format"))) {
                    errors.add(new FieldError("connection_params.host", where + " has binlog_format=" + vars.get("binlog_format")
                            + "; CDC needs binlog_format=ROW"));
                }
                if (!"FULL".equalsIgnoreCase(vars.get("binlog_row_image"))) {
                    errors.add(new FieldError("connection_params.host", where + " has binlog_row_image=" + vars.get("binlog_row_image")
                            + "; CDC needs binlog_row_image=FULL"));
                }
            }
            StringBuilder grants = new StringBuilder();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW GRANTS")) {
                while (rs.next()) {
                    String g = rs.getString(1).toUpperCase(Locale.ROOT);
                    if (g.contains(" ON *.* ")) {
                        grants.append(g).append('\n');
                    }
                }
            }
            String g = grants.toString();
            boolean all = g.contains("ALL PRIVILEGES");
            List<String> missing = new ArrayList<>();
            if (!all && !g.contains("REPLICATION SLAVE") && !g.contains("REPLICATION REPLICA")) {
                missing.add("REPLICATION SLAVE");
            }
            if (!all && !g.contains("REPLICATION CLIENT") && !g.contains("BINLOG MONITOR")) {
                missing.add("REPLICATION CLIENT");
            }
            if (!all && !g.contains("RELOAD")) {
                missing.add("RELOAD");
            }
            if (!missing.isEmpty()) {
                errors.add(new FieldError("connection_params.user", "user '" + user + "' may not read the binlog; grant it "
                        + String.join(", ", missing) + " ON *.* (GRANT " + String.join(", ", missing) + " ON *.* TO '" + user + "')"));
            }
        } catch (SQLException e) {
            throw new UnavailableException("checking " + where + " for CDC failed: " + clean.apply(e), null);
        }
        return errors;
    }

    /**
     * Drops a PostgreSQL feed's replication slot (once its walsender has let go of it) and its publication.
     *
     * @param slot {@link DebeziumChangeFeed#slotName}: {@code [a-z0-9_]} only, so safe as an identifier below
     */
    void dropPostgres(String slot) {
        long deadline = System.currentTimeMillis() + 15_000;
        try (Connection c = connections.get()) {
            while (true) {
                try (PreparedStatement active = c.prepareStatement("SELECT active FROM pg_replication_slots WHERE slot_name = ?")) {
                    active.setString(1, slot);
                    try (ResultSet rs = active.executeQuery()) {
                        if (!rs.next()) {
                            break; // no slot (any more)
                        }
                        if (!rs.getBoolean(1)) {
                            try (PreparedStatement drop = c.prepareStatement("SELECT pg_drop_replication_slot(?)")) {
                                drop.setString(1, slot);
                                drop.execute();
                            }
                            break;
                        }
                    }
                }
                if (System.currentTimeMillis() > deadline) {
                    throw new UnavailableException("replication slot " + slot + " on " + where + " is still in use; drop it by hand "
                            + "(SELECT pg_drop_replication_slot('" + slot + "')) once its reader has stopped", null);
                }
                Thread.sleep(200);
            }
            try (Statement st = c.createStatement()) {
                st.execute("DROP PUBLICATION IF EXISTS " + slot);
            }
        } catch (SQLException e) {
            throw new UnavailableException("dropping the change feed " + slot + " on " + where + " failed: " + clean.apply(e), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted while dropping the change feed " + slot, e);
        }
    }
}
