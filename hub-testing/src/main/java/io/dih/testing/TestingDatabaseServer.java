package io.dih.testing;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * What the relational test servers have in common: loopback on a free port, database {@code dih} owned by user
 * {@code dih} (password {@code dih-secret}), an admin login, a work directory, and statement helpers. A subclass
 * starts its server in its constructor and knows how to connect and stop.
 */
public abstract class TestingDatabaseServer implements AutoCloseable {
    protected static final String HOST = "127.0.0.1";
    protected static final String DATABASE = "dih";
    protected static final String USER = "dih";
    protected static final String PASSWORD = "dih-secret";

    protected final int port;
    protected final boolean isShared;
    protected final Path workDir;
    private final String adminUser;
    private final String adminPassword;

    protected TestingDatabaseServer(boolean isShared, Path workDir, String adminUser, String adminPassword) {
        this.isShared = isShared;
        this.workDir = workDir;
        this.port = FreePorts.next();
        this.adminUser = adminUser;
        this.adminPassword = adminPassword;
    }

    /** A new connection as the given login; the caller closes it. */
    protected abstract Connection connect(String database, String user, String password) throws SQLException;

    /** Stops the server and deletes its work directory; idempotent. */
    protected abstract void stop();

    /** The JDBC URL of {@link #database()}, without credentials. */
    public abstract String jdbcUrl();

    public String host() {
        return HOST;
    }

    public int port() {
        return port;
    }

    /** {@code dih}. */
    public String database() {
        return DATABASE;
    }

    /** {@code dih}, owner of {@link #database()}. */
    public String user() {
        return USER;
    }

    public String password() {
        return PASSWORD;
    }

    /** The server's superuser, for what {@link #user()} may not do. */
    public String adminUser() {
        return adminUser;
    }

    public String adminPassword() {
        return adminPassword;
    }

    /** The directory holding the server's data, socket and log. */
    public Path workDir() {
        return workDir;
    }

    /** A new connection to {@link #database()} as {@link #user()}; the caller closes it. */
    public Connection connect() throws SQLException {
        return connect(DATABASE, USER, PASSWORD);
    }

    /** A new connection to {@link #database()} as {@link #adminUser()}; the caller closes it. */
    public Connection connectAsAdmin() throws SQLException {
        return connect(DATABASE, adminUser, adminPassword);
    }

    /**
     * Runs statements in order, each committed on its own, as {@link #user()} in {@link #database()}.
     *
     * @throws IllegalStateException naming the statement that failed
     */
    public void execute(String... sql) {
        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            for (String each : sql) {
                try {
                    statement.execute(each);
                } catch (SQLException e) {
                    throw new IllegalStateException("statement failed [port=" + port + ", sql=" + each + "]: " + e.getMessage(), e);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot connect [url=" + jdbcUrl() + ", user=" + USER + "]: " + e.getMessage(), e);
        }
    }

    /** Stops the server and deletes its work directory; idempotent. A {@code shared()} server ignores it. */
    @Override
    public void close() {
        if (!isShared) {
            stop();
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + HOST + ":" + port + "]";
    }
}
