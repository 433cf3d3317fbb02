package io.dih.testing;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.ResultSet;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Apache Cassandra 5.0 node for integration tests, run as a child JVM, with password authentication on: the
 * superuser {@value #USERNAME}/{@value #PASSWORD} exists once it is ready.
 *
 * <p>The server's jars stay out of the test JVM: module {@code io.dih:hub-testing-cassandra-runtime} resolves them and
 * ships their classpath as the resource {@value #CLASSPATH_RESOURCE}; a test module that uses this fixture declares
 * that module as a test dependency. The child runs from this JVM's {@code java.home} with {@code -Xmx256m} and the
 * flags of Cassandra's {@code jvm17-server.options}, under {@link ParentWatchdog}, so it exits when the test JVM dies.
 *
 * <p>It listens on 127.0.0.1 only, on free ports (native protocol, storage); one token, {@code SimpleSnitch}, so the
 * local datacenter is {@value #DATACENTER}. Its configuration, data and log ({@code cassandra.log}) live in a work
 * directory under {@code java.io.tmpdir}, deleted on close (kept with {@code -Ddih.testing.keepWorkDirs=true}, and kept
 * when start fails).
 *
 * <p>{@link #start()} gives a node of your own, to close (and to {@link #suspend()} as an outage); {@link #shared()} one
 * node per JVM, stopped by a shutdown hook. Each test should use keyspaces or tables of its own on the shared node.
 */
public final class TestingCassandraServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TestingCassandraServer.class);

    /** The classpath of the server, one line with the platform's path separator, as {@code hub-testing-cassandra-runtime} writes it. */
    public static final String CLASSPATH_RESOURCE = "io/dih/testing/cassandra-runtime.classpath";
    public static final String USERNAME = "cassandra";
    public static final String PASSWORD = "cassandra";
    public static final String DATACENTER = "datacenter1";
    private static final String HOST = "127.0.0.1";
    private static final String MAIN_CLASS = "org.apache.cassandra.service.CassandraDaemon";
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(180);
    private static final Duration STOP_GRACE = Duration.ofSeconds(20);

    /** As Cassandra 5.0's conf/jvm17-server.options, for Java 17. */
    private static final List<String> JAVA17_FLAGS = List.of(
            "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED", "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED", "--add-exports=java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED",
            "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED", "--add-exports=java.rmi/sun.rmi.server=ALL-UNNAMED",
            "--add-exports=java.sql/java.sql=ALL-UNNAMED", "--add-exports=java.base/java.lang.ref=ALL-UNNAMED",
            "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.module=ALL-UNNAMED", "--add-opens=java.base/jdk.internal.loader=ALL-UNNAMED",
            "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED", "--add-opens=java.base/jdk.internal.reflect=ALL-UNNAMED",
            "--add-opens=java.base/jdk.internal.math=ALL-UNNAMED", "--add-opens=java.base/jdk.internal.module=ALL-UNNAMED",
            "--add-opens=java.base/jdk.internal.util.jar=ALL-UNNAMED", "--add-opens=jdk.management/com.sun.management.internal=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
            "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.math=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-opens=java.base/java.net=ALL-UNNAMED");

    private static TestingCassandraServer shared;

    private final boolean isShared;
    private final Path workDir;
    private final Path logFile;
    private final int nativePort;
    private final int storagePort;
    private final List<String> command;
    private final Thread shutdownHook;
    private final AtomicBoolean stopped = new AtomicBoolean();
    private Process process;
    private long logStart;
    private CqlSession session;

    private TestingCassandraServer(boolean isShared) {
        this.isShared = isShared;
        this.workDir = ProcessTrees.createWorkDir("dih-cassandra-", "Cassandra");
        this.logFile = workDir.resolve("cassandra.log");
        this.nativePort = FreePorts.next();
        this.storagePort = FreePorts.next();
        try {
            this.command = command(writeConfiguration(), writeLogConfiguration());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write Cassandra's configuration [workDir=" + workDir + "]", e);
        }
        this.shutdownHook = new Thread(this::stop, "cassandra-" + nativePort + "-stopper");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        try {
            launch();
        } catch (RuntimeException | Error e) {
            stopKeepingWorkDir();
            throw e;
        }
    }

    /** Starts a node of your own; close it when done. */
    public static TestingCassandraServer start() {
        return new TestingCassandraServer(false);
    }

    /** The node of this JVM, started on first use; {@link #close()} leaves it running, a shutdown hook stops it. */
    public static synchronized TestingCassandraServer shared() {
        if (shared == null) {
            shared = new TestingCassandraServer(true);
        }
        return shared;
    }

    public String host() {
        return HOST;
    }

    /** The native protocol (CQL) port. */
    public int port() {
        return nativePort;
    }

    public String localDatacenter() {
        return DATACENTER;
    }

    public Path logFile() {
        return logFile;
    }

    /** Creates a keyspace (replication factor 1) if it does not exist. */
    public void createKeyspace(String keyspace) {
        execute("CREATE KEYSPACE IF NOT EXISTS " + keyspace + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
    }

    /** Runs one CQL statement as the superuser, with positional values bound to its {@code ?} markers. */
    public ResultSet execute(String cql, Object... values) {
        return session().execute(cql, values);
    }

    /** A session as the superuser, with no keyspace; owned by this server (do not close it). */
    public synchronized CqlSession session() {
        if (session == null || session.isClosed()) {
            session = connect();
        }
        return session;
    }

    /**
     * Stops the node as an outage would (its clients lose their connections), keeping its data, ports and settings;
     * {@link #resume()} starts it again. Not for the {@link #shared()} node.
     */
    public synchronized void suspend() {
        if (isShared) {
            throw new IllegalStateException("the shared node cannot be suspended; start() one of your own");
        }
        closeSession();
        ProcessTrees.terminate(process.toHandle(), STOP_GRACE, "Cassandra");
        LOG.info("Cassandra on port {} suspended", nativePort);
    }

    /** Starts a {@link #suspend() suspended} node again, on the same ports with the same data, and waits until it takes logins. */
    public synchronized void resume() {
        if (process.isAlive()) {
            throw new IllegalStateException("Cassandra is running [port=" + nativePort + "]");
        }
        launch();
    }

    private void launch() {
        long startNanos = System.nanoTime();
        try {
            logStart = Files.exists(logFile) ? Files.size(logFile) : 0;
            // stdin stays a pipe that nobody writes to: ParentWatchdog exits the child when it closes
            process = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                    .redirectOutput(Redirect.appendTo(logFile.toFile())).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the Cassandra child JVM [workDir=" + workDir + "]", e);
        }
        awaitReady();
        LOG.info("Cassandra started on {}:{} in {} ms [pid={}, workDir={}]", HOST, nativePort,
                Duration.ofNanos(System.nanoTime() - startNanos).toMillis(), process.pid(), workDir);
    }

    private CqlSession connect() {
        return CqlSession.builder().addContactPoint(new InetSocketAddress(HOST, nativePort)).withLocalDatacenter(DATACENTER)
                .withAuthCredentials(USERNAME, PASSWORD)
                .withConfigLoader(DriverConfigLoader.programmaticBuilder()
                        .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(30))
                        .withDuration(DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, Duration.ofSeconds(10))
                        .withDuration(DefaultDriverOption.METADATA_SCHEMA_REQUEST_TIMEOUT, Duration.ofSeconds(30))
                        .build())
                .build();
    }

    /** Ready when the superuser can log in and run a query (the role is created just after the port opens). */
    private void awaitReady() {
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        String last = "no answer yet";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Cassandra exited with " + process.exitValue() + " while starting [log=" + logFile + "]:"
                        + System.lineSeparator() + ProcessTrees.tail(logFile, 40));
            }
            if (logged("Starting listening for CQL clients")) {
                try (CqlSession probe = connect()) {
                    probe.execute("SELECT release_version FROM system.local");
                    return;
                } catch (RuntimeException e) {
                    last = e.toString();
                }
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while Cassandra was starting", e);
            }
        }
        throw new IllegalStateException("Cassandra took no login within " + STARTUP_TIMEOUT.toSeconds() + " s [port=" + nativePort
                + ", last=" + last + ", log=" + logFile + "]:" + System.lineSeparator() + ProcessTrees.tail(logFile, 40));
    }

    /** Whether this run of the node (since the last launch) logged the text. */
    private boolean logged(String text) {
        try {
            if (!Files.exists(logFile)) {
                return false;
            }
            byte[] log = Files.readAllBytes(logFile);
            return new String(log, (int) Math.min(logStart, log.length), (int) Math.max(0, log.length - logStart), StandardCharsets.UTF_8)
                    .contains(text);
        } catch (IOException e) {
            return false;
        }
    }

    private List<String> command(Path yaml, Path logConf) {
        String classpath = ChildJvms.classpath(CLASSPATH_RESOURCE, "hub-testing-cassandra-runtime", "Cassandra");
        String jamm = Arrays.stream(classpath.split(File.pathSeparator)).filter(p -> Path.of(p).getFileName().toString().startsWith("jamm-"))
                .findFirst().orElseThrow(() -> new IllegalStateException("no jamm jar on Cassandra's classpath"));
        List<String> cmd = new ArrayList<>(List.of(ChildJvms.javaCommand(), "-cp", classpath,
                "-Xms256m", "-Xmx256m", "-Xss256k", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-javaagent:" + jamm));
        cmd.addAll(JAVA17_FLAGS);
        cmd.addAll(List.of("-Djdk.attach.allowAttachSelf=true", "-Dio.netty.tryReflectionSetAccessible=true",
                "-Djava.net.preferIPv4Stack=true",
                "-Dcassandra.config=" + yaml.toUri(), "-Dcassandra-foreground=yes", "-Dcassandra.unsafesystem=true",
                "-Dcassandra.ring_delay_ms=100", "-Dcassandra.skip_wait_for_gossip_to_settle=0",
                "-Dcassandra.superuser_setup_delay_ms=0", "-Dcassandra.storagedir=" + workDir.resolve("data"),
                "-Dcassandra.logdir=" + workDir, "-Dlogback.configurationFile=" + logConf.toUri(),
                "-Djava.io.tmpdir=" + workDir.resolve("tmp"),
                ParentWatchdog.class.getName(), MAIN_CLASS));
        return cmd;
    }

    private Path writeConfiguration() throws IOException {
        Path data = workDir.resolve("data");
        Files.createDirectories(workDir.resolve("tmp"));
        Path yaml = workDir.resolve("cassandra.yaml");
        Files.writeString(yaml, String.join(System.lineSeparator(),
                "# TestingCassandraServer",
                "cluster_name: dih-test",
                "num_tokens: 1",
                "initial_token: 0",
                "partitioner: org.apache.cassandra.dht.Murmur3Partitioner",
                "authenticator: PasswordAuthenticator",
                "authorizer: AllowAllAuthorizer",
                "role_manager: CassandraRoleManager",
                "data_file_directories: [" + data.resolve("data") + "]",
                "commitlog_directory: " + data.resolve("commitlog"),
                "saved_caches_directory: " + data.resolve("saved_caches"),
                "hints_directory: " + data.resolve("hints"),
                "cdc_raw_directory: " + data.resolve("cdc_raw"),
                "commitlog_sync: periodic",
                "commitlog_sync_period: 10000ms",
                "seed_provider:",
                "  - class_name: org.apache.cassandra.locator.SimpleSeedProvider",
                "    parameters:",
                "      - seeds: \"" + HOST + ":" + storagePort + "\"",
                "listen_address: " + HOST,
                "rpc_address: " + HOST,
                "storage_port: " + storagePort,
                "native_transport_port: " + nativePort,
                "start_native_transport: true",
                "endpoint_snitch: SimpleSnitch",
                "memtable_heap_space: 64MiB",
                "memtable_offheap_space: 64MiB",
                "key_cache_size: 8MiB",
                "disk_failure_policy: stop",
                "commit_failure_policy: stop",
                ""), StandardCharsets.UTF_8);
        return yaml;
    }

    private Path writeLogConfiguration() throws IOException {
        Path conf = workDir.resolve("logback.xml");
        Files.writeString(conf, String.join(System.lineSeparator(),
                "<configuration>",
                "  <appender name=\"console\" class=\"ch.qos.logback.core.ConsoleAppender\">",
                "    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level [%thread] %logger{20} - %msg%n</pattern></encoder>",
                "  </appender>",
                "  <root level=\"INFO\"><appender-ref ref=\"console\"/></root>",
                "</configuration>",
                ""), StandardCharsets.UTF_8);
        return conf;
    }

    /** Stops the node and deletes its work directory; idempotent. A {@link #shared()} node ignores it. */
    @Override
    public void close() {
        if (!isShared) {
            stop();
        }
    }

    private void stop() {
        closeSession();
        ProcessTrees.stopOnce(stopped, shutdownHook, process, STOP_GRACE, "Cassandra", workDir, false);
    }

    private void stopKeepingWorkDir() {
        closeSession();
        ProcessTrees.stopOnce(stopped, shutdownHook, process, STOP_GRACE, "Cassandra", workDir, true);
    }

    private synchronized void closeSession() {
        if (session != null) {
            session.close();
            session = null;
        }
    }

    @Override
    public String toString() {
        return "TestingCassandraServer[" + HOST + ":" + nativePort + "]";
    }
}
