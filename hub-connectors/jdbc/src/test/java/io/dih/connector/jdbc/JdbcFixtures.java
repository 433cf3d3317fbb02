package io.dih.connector.jdbc;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Plain JDBC around the contract's fixture table, shared by the PostgreSQL and MariaDB runs. */
final class JdbcFixtures {
    interface Connect {
        Connection get() throws SQLException;
    }

    private JdbcFixtures() {
    }

    static void insert(Connect db, String table, long id, String name, BigDecimal amount, long version) {
        try (Connection c = db.get(); PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " VALUES (?, ?, ?, ?)")) {
            ps.setLong(1, id);
            ps.setString(2, name);
            ps.setBigDecimal(3, amount);
            ps.setLong(4, version);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("insert into " + table + " failed", e);
        }
    }

    static void updateTwice(Connect db, String table, long id) {
        try (Connection c = db.get()) {
            c.setAutoCommit(false);
            for (String name : new String[] {"first", "second"}) {
                try (PreparedStatement ps = c.prepareStatement("UPDATE " + table + " SET name = ? WHERE id = ?")) {
                    ps.setString(1, name);
                    ps.setLong(2, id);
                    ps.executeUpdate();
                }
            }
            c.commit();
        } catch (SQLException e) {
            throw new IllegalStateException("update of " + table + " failed", e);
        }
    }

    static void delete(Connect db, String table, long id) {
        try (Connection c = db.get(); PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + " WHERE id = ?")) {
            ps.setLong(1, id);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("delete from " + table + " failed", e);
        }
    }

    static Optional<Map<String, Object>> row(Connect db, String table, long id) {
        try (Connection c = db.get(); PreparedStatement ps = c.prepareStatement("SELECT id, name, amount, version FROM " + table + " WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("id", rs.getLong(1));
                row.put("name", rs.getString(2));
                row.put("amount", rs.getBigDecimal(3));
                row.put("version", rs.getLong(4));
                return Optional.of(row);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("select from " + table + " failed", e);
        }
    }
}
