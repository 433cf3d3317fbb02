package io.dih.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TestingMariaDbServerIT {
    private static TestingMariaDbServer server;

    @BeforeAll
    static void startServer() {
        server = TestingMariaDbServer.shared();
    }

    @Test
    void createsInsertsAndSelectsBack() throws SQLException {
        server.execute(
                "CREATE TABLE fixture_orders (id BIGINT PRIMARY KEY, customer VARCHAR(100) NOT NULL)",
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
                .satisfies(e -> assertThat(((SQLException) e).getErrorCode()).isEqualTo(1045)); // access denied
        assertThatThrownBy(() -> DriverManager.getConnection(server.jdbcUrl(), server.adminUser(), "").close())
                .isInstanceOf(SQLException.class)
                .satisfies(e -> assertThat(((SQLException) e).getErrorCode()).isEqualTo(1045));
    }

    @Test
    void acceptsTheRightPasswordOnTheJdbcUrl() throws SQLException {
        assertThat(server.jdbcUrl()).isEqualTo("jdbc:mariadb://127.0.0.1:" + server.port() + "/dih?sslMode=disable");
        try (Connection connection = DriverManager.getConnection(server.jdbcUrl(), server.user(), server.password());
                Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SELECT CURRENT_USER(), DATABASE()")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).startsWith("dih@");
            assertThat(rs.getString(2)).isEqualTo("dih");
        }
    }

    @Test
    void isReadyForBinlogCdc() throws SQLException {
        try (Connection connection = server.connect(); Statement statement = connection.createStatement()) {
            assertThat(variable(statement, "log_bin")).isEqualTo("ON");
            assertThat(variable(statement, "binlog_format")).isEqualTo("ROW");
            assertThat(variable(statement, "binlog_row_image")).isEqualTo("FULL");
            assertThat(variable(statement, "server_id")).isEqualTo("1");
            assertThat(variable(statement, "bind_address")).isEqualTo("127.0.0.1");
            // REPLICATION CLIENT (BINLOG MONITOR) lets the dih user read the binlog position
            try (ResultSet rs = statement.executeQuery("SHOW MASTER STATUS")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString("File")).startsWith("mysql-bin.");
            }
        }
        try (Connection connection = server.connectAsAdmin(); Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SELECT COUNT(*) FROM mysql.global_priv WHERE User = ''")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).as("anonymous users").isZero();
        }
    }

    @Test
    void sharedServerOutlivesClose() {
        TestingMariaDbServer.shared().close();
        assertThat(TestingMariaDbServer.shared()).isSameAs(server);
        server.execute("SELECT 1");
    }

    @Test
    void ownServerStopsOnCloseAndCloseIsIdempotent() throws SQLException {
        TestingMariaDbServer own = TestingMariaDbServer.start();
        Path workDir = own.workDir();
        try (Connection connection = own.connect()) {
            assertThat(connection.isValid(5)).isTrue();
        }
        assertThat(own.port()).isNotEqualTo(server.port());

        own.close();
        own.close();

        assertThat(TestingPostgresServerIT.accepts(own.port())).as("port %d still accepts connections", own.port())
                .isFalse();
        if (!Boolean.getBoolean("dih.testing.keepWorkDirs")) {
            assertThat(Files.exists(workDir)).as("work directory %s still exists", workDir).isFalse();
        }
    }

    private static String variable(Statement statement, String name) throws SQLException {
        try (ResultSet rs = statement.executeQuery("SHOW GLOBAL VARIABLES LIKE '" + name + "'")) {
            assertThat(rs.next()).as("variable %s", name).isTrue();
            return rs.getString("Value");
        }
    }
}
