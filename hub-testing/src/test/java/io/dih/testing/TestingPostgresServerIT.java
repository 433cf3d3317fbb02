package io.dih.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TestingPostgresServerIT {
    private static TestingPostgresServer server;

    @BeforeAll
    static void startServer() {
        server = TestingPostgresServer.shared();
    }

    @Test
    void createsInsertsAndSelectsBack() throws SQLException {
        server.execute(
                "CREATE TABLE fixture_orders (id BIGINT PRIMARY KEY, customer TEXT NOT NULL)",
                "INSERT INTO fixture_orders VALUES (1, 'ada'), (2, 'grace')");

        List<String> customers = new ArrayList<>();
        try (Connection connection = server.connect();
                Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SELECT customer FROM fixture_orders ORDER BY id")) {
            while (rs.next()) {
                customers.add(rs.getString(1));
            }
        }
        assertThat(customers).containsExactly("ada", "grace");
    }

    @Test
    void refusesAWrongPassword() {
        assertThatThrownBy(() -> DriverManager.getConnection(server.jdbcUrl(), server.user(), "wrong-secret").close())
                .isInstanceOf(SQLException.class)
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("28P01"));
        assertThatThrownBy(() -> DriverManager.getConnection(server.jdbcUrl(), server.adminUser(), "wrong").close())
                .isInstanceOf(SQLException.class)
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("28P01"));
    }

    @Test
    void acceptsTheRightPasswordOnTheJdbcUrl() throws SQLException {
        assertThat(server.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:" + server.port() + "/dih");
        try (Connection connection = DriverManager.getConnection(server.jdbcUrl(), server.user(), server.password());
                Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SELECT current_user, current_database()")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("dih");
            assertThat(rs.getString(2)).isEqualTo("dih");
        }
    }

    @Test
    void isReadyForLogicalDecoding() throws SQLException {
        try (Connection connection = server.connect(); Statement statement = connection.createStatement()) {
            assertThat(setting(statement, "wal_level")).isEqualTo("logical");
            assertThat(setting(statement, "max_wal_senders")).isEqualTo("4");
            assertThat(setting(statement, "max_replication_slots")).isEqualTo("4");
            assertThat(setting(statement, "listen_addresses")).isEqualTo("127.0.0.1");
            // the dih role (REPLICATION, not superuser) can create and drop a pgoutput slot
            statement.execute("SELECT pg_create_logical_replication_slot('fixture_slot', 'pgoutput')");
            statement.execute("SELECT pg_drop_replication_slot('fixture_slot')");
        }
        try (Connection connection = server.connectAsAdmin(); Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SELECT current_setting('is_superuser')")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("on");
        }
    }

    @Test
    void acceptsReplicationConnectionsWithThePasswordOnly() throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", server.user());
        properties.setProperty("password", server.password());
        properties.setProperty("replication", "database"); // what Debezium's pgoutput reader opens
        properties.setProperty("preferQueryMode", "simple");
        properties.setProperty("assumeMinServerVersion", "10");
        try (Connection connection = DriverManager.getConnection(server.jdbcUrl(), properties);
                Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("IDENTIFY_SYSTEM")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString("dbname")).isEqualTo("dih");
        }
        properties.setProperty("password", "wrong-secret");
        assertThatThrownBy(() -> DriverManager.getConnection(server.jdbcUrl(), properties).close())
                .isInstanceOf(SQLException.class)
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("28P01"));
    }

    @Test
    void sharedServerOutlivesClose() {
        TestingPostgresServer.shared().close();
        assertThat(TestingPostgresServer.shared()).isSameAs(server);
        server.execute("SELECT 1");
    }

    @Test
    void ownServerStopsOnCloseAndCloseIsIdempotent() throws SQLException {
        TestingPostgresServer own = TestingPostgresServer.start();
        Path workDir = own.workDir();
        try (Connection connection = own.connect()) {
            assertThat(connection.isValid(5)).isTrue();
        }
        assertThat(own.port()).isNotEqualTo(server.port());

        own.close();
        own.close();

        assertThat(accepts(own.port())).as("port %d still accepts connections", own.port()).isFalse();
        if (!Boolean.getBoolean("dih.testing.keepWorkDirs")) {
            assertThat(Files.exists(workDir)).as("work directory %s still exists", workDir).isFalse();
        }
    }

    private static String setting(Statement statement, String name) throws SQLException {
        try (ResultSet rs = statement.executeQuery("SHOW " + name)) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        }
    }

    static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
