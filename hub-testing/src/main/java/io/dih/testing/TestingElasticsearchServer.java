package io.dih.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Elasticsearch 8.19 node (the integ-test distribution from Maven Central) for integration tests, run as a child
 * process with security on: HTTP without TLS, one file-realm user {@value #USERNAME} (a superuser) with
 * {@link #password()}, so a wrong password is a real 401.
 *
 * <p>Module {@code io.dih:hub-testing-elasticsearch-runtime} unpacks the distribution and ships its path as the
 * resource {@value #RUNTIME_RESOURCE}; a test module that uses this fixture declares that module as a test dependency.
 * Elasticsearch refuses to run as root: when the test JVM is root, the node runs as uid/gid 65534 ({@code setpriv}),
 * and its work directory is handed to that user. A small shell wrapper stops the node when its standard input (a pipe
 * from this JVM) ends, so the node goes with the test JVM, even one killed by {@code kill -9}.
 *
 * <p>It listens on 127.0.0.1 only, on free ports; configuration, data and logs ({@code elasticsearch.log}) live in a
 * work directory of its own under {@code java.io.tmpdir}, deleted on close (kept with
 * {@code -Ddih.testing.keepWorkDirs=true}, and kept when start fails). The distribution has only four modules:
 * CRUD, bulk, mget, search, count, point-in-time and aggregations work; {@code scaled_float}, language analyzers,
 * painless, update/delete-by-query and API keys (the security index needs analysis-common) do not.
 *
 * <p>{@link #start()} gives a node of your own, to close (and to {@link #stop()} and {@link #restart()} for an
 * outage); {@link #shared()} one node per JVM, stopped by a shutdown hook. Each test should use indexes of its own.
 */
public final class TestingElasticsearchServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TestingElasticsearchServer.class);

    /** The distribution's home, as {@code hub-testing-elasticsearch-runtime} unpacked it (key {@code home}). */
    public static final String RUNTIME_RESOURCE = "io/dih/testing/elasticsearch-runtime.properties";
    public static final String USERNAME = "dih";
    private static final String PASSWORD = "es-Secret-8721";
    /** bcrypt of {@link #PASSWORD}, as {@code bin/elasticsearch-users useradd} writes it (saves a JVM start). */
    private static final String PASSWORD_HASH = "$2a$10$.P1KU1rF/ljPPTFNDQmqHuYGxINktOp0vcT2oL9r9BeILzFVUIgi6";
    private static final String HOST = "127.0.0.1";
    private static final String NOBODY = "65534";
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration STOP_GRACE = Duration.ofSeconds(20);
    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(30);

    private static TestingElasticsearchServer shared;

    private final boolean isShared;
    private final Path home;
    private final Path workDir;
    private final Path logFile;
    private final int httpPort;
    private final int transportPort;
    private final HttpClient http;
    private final Thread shutdownHook;
    private final AtomicBoolean closed = new AtomicBoolean();
    private Process process;

    private TestingElasticsearchServer(boolean isShared) {
        this.isShared = isShared;
        this.home = distributionHome();
        this.workDir = ProcessTrees.createWorkDir("dih-elasticsearch-", "Elasticsearch");
        this.logFile = workDir.resolve("elasticsearch.log");
        this.httpPort = FreePorts.next();
        this.transportPort = FreePorts.next();
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try {
            writeConfiguration();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the Elasticsearch configuration [workDir=" + workDir + "]", e);
        }
        this.shutdownHook = new Thread(this::shutdown, "elasticsearch-" + httpPort + "-stopper");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        launch();
    }

    /** Starts a node of your own; close it when done. */
    public static TestingElasticsearchServer start() {
        return new TestingElasticsearchServer(false);
    }

    /** The node of this JVM, started on first use; {@link #close()} leaves it running, a shutdown hook stops it. */
    public static synchronized TestingElasticsearchServer shared() {
        if (shared == null) {
            shared = new TestingElasticsearchServer(true);
        }
        return shared;
    }

    /** {@code http://127.0.0.1:<port>}. */
    public String url() {
        return "http://" + HOST + ":" + httpPort;
    }

    public String host() {
        return HOST;
    }

    public int httpPort() {
        return httpPort;
    }

    public String username() {
        return USERNAME;
    }

    /** The password of {@link #username()}. */
    public String password() {
        return PASSWORD;
    }

    public Path logFile() {
        return logFile;
    }

    /** The directory holding the node's configuration, data and logs. */
    public Path workDir() {
        return workDir;
    }

    /** The node's process and its descendants (the wrapper, the launcher, the server JVM). */
    public List<ProcessHandle> processes() {
        List<ProcessHandle> all = new ArrayList<>();
        if (process != null) {
            all.add(process.toHandle());
            process.descendants().forEach(all::add);
        }
        return all;
    }

    /**
     * Creates an index (deleting an old one of the name) with one shard, no replicas and the given {@code mappings}
     * object ({@code {"properties": {...}}}).
     */
    public void createIndex(String index, String mappingsJson) {
        deleteIndex(index);
        request("PUT", "/" + index, "{\"settings\":{\"number_of_shards\":1,\"number_of_replicas\":0},\"mappings\":" + mappingsJson + "}");
    }

    /** Deletes an index if it exists. */
    public void deleteIndex(String index) {
        send("DELETE", "/" + index + "?ignore_unavailable=true", null);
    }

    /** Indexes (creates or replaces) one document, visible to searches at once. */
    public void index(String index, String id, String documentJson) {
        request("PUT", "/" + index + "/_doc/" + id + "?refresh=true", documentJson);
    }

    /** Deletes one document (a missing one is fine), visible to searches at once. */
    public void deleteDocument(String index, String id) {
        send("DELETE", "/" + index + "/_doc/" + id + "?refresh=true", null);
    }

    /** The whole GET answer for one document ({@code found}, {@code _source}), or {@code null} when it does not exist. */
    public String document(String index, String id) {
        HttpResponse<String> r = send("GET", "/" + index + "/_doc/" + id, null);
        return r.statusCode() == 404 ? null : r.body();
    }

    /**
     * Calls the REST API as {@link #username()}; a JSON body for PUT and POST.
     *
     * @return the response body
     * @throws IllegalStateException naming the call when the node does not answer 2xx
     */
    public String request(String method, String path, String jsonBody) {
        HttpResponse<String> r = send(method, path, jsonBody);
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException(method + " " + path + " answered " + r.statusCode() + " [url=" + url() + "]: " + r.body());
        }
        return r.body();
    }

    private HttpResponse<String> send(String method, String path, String jsonBody) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url() + path)).timeout(HTTP_TIMEOUT)
                .header("Authorization", basicAuth(USERNAME, PASSWORD)).header("Accept", "application/json");
        if (jsonBody == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(jsonBody));
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + " failed [url=" + url() + "]", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during " + method + " " + path, e);
        }
    }

    private static String basicAuth(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** Stops the node (an outage), keeping its ports, data and configuration for {@link #restart()}. Not for {@link #shared()}. */
    public synchronized void stop() {
        if (isShared) {
            throw new IllegalStateException("the shared Elasticsearch node cannot be stopped by a test: start() one of your own");
        }
        terminate();
    }

    /** Starts a {@link #stop() stopped} node again on the same port, with its data. */
    public synchronized void restart() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("Elasticsearch is running [url=" + url() + "]");
        }
        launch();
    }

    private synchronized void launch() {
        long startNanos = System.nanoTime();
        try {
            ProcessBuilder builder = new ProcessBuilder(command()).directory(home.toFile()).redirectErrorStream(true)
                    .redirectOutput(Redirect.appendTo(logFile.toFile()));
            builder.environment().put("ES_JAVA_HOME", System.getProperty("java.home"));
            builder.environment().put("ES_PATH_CONF", workDir.resolve("config").toString());
            builder.environment().put("ES_TMPDIR", workDir.resolve("tmp").toString());
            builder.environment().put("ES_JAVA_OPTS", "-Xms512m -Xmx512m -XX:TieredStopAtLevel=1");
            builder.environment().remove("JAVA_TOOL_OPTIONS");
            // stdin stays a pipe that nobody writes to: the wrapper stops the node when it closes
            this.process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start Elasticsearch [home=" + home + ", workDir=" + workDir + "]", e);
        }
        try {
            awaitReady();
        } catch (RuntimeException | Error e) {
            terminate();
            throw e;
        }
        LOG.info("Elasticsearch started on {} in {} ms [pid={}, workDir={}]", url(),
                Duration.ofNanos(System.nanoTime() - startNanos).toMillis(), process.pid(), workDir);
    }

    private List<String> command() {
        // when this JVM's stdin pipe closes (the test JVM is gone), cat ends and the node is stopped
        String wrapper = "bin/elasticsearch </dev/null & es=$!; cat >/dev/null; kill $es 2>/dev/null; wait $es";
        List<String> cmd = new ArrayList<>();
        if (runsAsRoot()) {
            cmd.addAll(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups"));
        }
        cmd.addAll(List.of("bash", "-c", wrapper));
        return cmd;
    }

    private static boolean runsAsRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        String last = "no answer yet";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Elasticsearch exited with " + process.exitValue() + " while starting [log=" + logFile
                        + "]:" + System.lineSeparator() + ProcessTrees.tail(logFile, 40));
            }
            try {
                HttpResponse<String> r = send("GET", "/_cluster/health?wait_for_status=yellow&timeout=5s", null);
                if (r.statusCode() == 200) {
                    return;
                }
                last = r.statusCode() + " " + r.body();
            } catch (UncheckedIOException e) {
                last = e.getCause().toString();
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while Elasticsearch was starting", e);
            }
        }
        throw new IllegalStateException("Elasticsearch was not healthy within " + STARTUP_TIMEOUT.toSeconds() + " s [url=" + url()
                + ", last=" + last + ", log=" + logFile + "]:" + System.lineSeparator() + ProcessTrees.tail(logFile, 40));
    }

    private void writeConfiguration() throws IOException {
        Path config = workDir.resolve("config");
        copyTree(home.resolve("config"), config);
        Files.createDirectories(workDir.resolve("tmp"));
        Files.createDirectories(workDir.resolve("data"));
        Files.createDirectories(workDir.resolve("logs"));
        Files.writeString(config.resolve("elasticsearch.yml"), String.join(System.lineSeparator(),
                "# TestingElasticsearchServer",
                "cluster.name: dih-test",
                "node.name: dih-test-node",
                "discovery.type: single-node",
                "network.host: " + HOST,
                "http.port: " + httpPort,
                "transport.port: " + transportPort,
                "path.data: " + workDir.resolve("data"),
                "path.logs: " + workDir.resolve("logs"),
                "xpack.security.enabled: true",
                "xpack.security.http.ssl.enabled: false",
                "xpack.security.transport.ssl.enabled: false",
                "xpack.security.authc.realms.file.file1.order: 0",
                "cluster.routing.allocation.disk.threshold_enabled: false",
                "action.destructive_requires_name: false",
                ""), StandardCharsets.UTF_8);
        Files.writeString(config.resolve("users"), USERNAME + ":" + PASSWORD_HASH + System.lineSeparator(), StandardCharsets.UTF_8);
        Files.writeString(config.resolve("users_roles"), "superuser:" + USERNAME + System.lineSeparator(), StandardCharsets.UTF_8);
        Files.createFile(logFile);
        if (runsAsRoot()) {
            chownToNobody(workDir);
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    private static void chownToNobody(Path dir) throws IOException {
        try {
            Process chown = new ProcessBuilder("chown", "-R", NOBODY + ":" + NOBODY, dir.toString()).redirectErrorStream(true).start();
            String out = new String(chown.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (chown.waitFor() != 0) {
                throw new IOException("chown -R " + NOBODY + " " + dir + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while handing " + dir + " to uid " + NOBODY, e);
        }
    }

    private static Path distributionHome() {
        URL resource = TestingElasticsearchServer.class.getClassLoader().getResource(RUNTIME_RESOURCE);
        if (resource == null) {
            throw new IllegalStateException(RUNTIME_RESOURCE + " is not on the classpath: add io.dih:hub-testing-elasticsearch-runtime"
                    + " as a test dependency of the module that starts Elasticsearch");
        }
        Properties p = new Properties();
        try (InputStream in = resource.openStream()) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
        Path home = Path.of(p.getProperty("home", ""));
        if (!Files.isRegularFile(home.resolve("bin/elasticsearch"))) {
            throw new IllegalStateException("no Elasticsearch distribution at " + home + " (from " + resource
                    + "): rebuild hub-testing-elasticsearch-runtime");
        }
        return home;
    }

    /** Stops the node and deletes its work directory; idempotent. A {@link #shared()} node ignores it. */
    @Override
    public void close() {
        if (!isShared) {
            shutdown();
        }
    }

    private void shutdown() {
        if (closed.compareAndSet(false, true)) {
            ProcessTrees.removeShutdownHook(shutdownHook);
            terminate();
            if (!ProcessTrees.keepWorkDirs()) {
                ProcessTrees.deleteQuietly(workDir);
            }
        }
    }

    private synchronized void terminate() {
        if (process == null || !process.isAlive()) {
            return;
        }
        try {
            process.getOutputStream().close(); // the wrapper's cat ends: it stops the node and waits for it
        } catch (IOException e) {
            LOG.debug("Closing the stdin of Elasticsearch failed: {}", e.toString());
        }
        try {
            process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ProcessTrees.terminate(process.toHandle(), STOP_GRACE, "Elasticsearch");
    }

    @Override
    public String toString() {
        return "TestingElasticsearchServer[" + url() + "]";
    }
}
