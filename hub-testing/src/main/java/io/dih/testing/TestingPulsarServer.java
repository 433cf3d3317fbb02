package io.dih.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pulsar.client.api.BatcherBuilder;
import org.apache.pulsar.client.api.MessageId;
import org.apache.pulsar.client.api.Producer;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.PulsarClientException;
import org.apache.pulsar.client.api.TypedMessageBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Apache Pulsar 4.2 standalone broker (with its bookie and a RocksDB metadata store) for integration tests, run
 * as a child JVM.
 *
 * <p>The broker's ~326 jars stay out of the test JVM: module {@code io.dih:hub-testing-pulsar-runtime} resolves them
 * and ships their classpath as the resource {@value #CLASSPATH_RESOURCE}; a test module that uses this fixture
 * declares that module as a test dependency. The child runs {@code java -cp <that classpath>} from this JVM's
 * {@code java.home} with {@code -Xmx512m -XX:MaxDirectMemorySize=256m}, under {@link ParentWatchdog}, so it exits
 * when the test JVM dies, even by {@code kill -9}.
 *
 * <p>It listens on 127.0.0.1 only, on free ports (binary protocol, web service, bookie); its configuration, data and
 * log file ({@code pulsar.log}) live in a work directory of its own under {@code java.io.tmpdir}, deleted on close
 * (kept with {@code -Ddih.testing.keepWorkDirs=true}, and kept when start fails). Topics are auto-created on first
 * use, as on any standalone broker, and inactive topics are never deleted.
 *
 * <p>{@link #start()} gives a broker of your own, to close; {@link #shared()} one broker per JVM, stopped by a
 * shutdown hook. Each test should use topics (or subscriptions) of its own on the shared broker.
 */
public final class TestingPulsarServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TestingPulsarServer.class);

    /** The classpath of the broker, one line with the platform's path separator, as {@code hub-testing-pulsar-runtime} writes it. */
    public static final String CLASSPATH_RESOURCE = "io/dih/testing/pulsar-runtime.classpath";
    private static final String HOST = "127.0.0.1";
    private static final String MAIN_CLASS = "org.apache.pulsar.PulsarStandaloneStarter";
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration STOP_GRACE = Duration.ofSeconds(10);
    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(30);

    private static TestingPulsarServer shared;

    private final boolean isShared;
    private final Path workDir;
    private final Path logFile;
    private final int brokerPort;
    private final int webPort;
    private final int bookiePort;
    private final HttpClient http;
    private final Process process;
    private final Thread shutdownHook;
    private final AtomicBoolean stopped = new AtomicBoolean();
    private PulsarClient client;

    private TestingPulsarServer(boolean isShared) {
        this.isShared = isShared;
        this.workDir = ProcessTrees.createWorkDir("dih-pulsar-", "Pulsar");
        this.logFile = workDir.resolve("pulsar.log");
        this.brokerPort = FreePorts.next();
        this.webPort = FreePorts.next();
        this.bookiePort = FreePorts.next();
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        long startNanos = System.nanoTime();
        try {
            ProcessBuilder builder = new ProcessBuilder(command(writeConfiguration(), writeLogConfiguration()))
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(Redirect.appendTo(logFile.toFile()));
            // stdin stays a pipe that nobody writes to: ParentWatchdog exits the child when it closes
            builder.environment().remove("PULSAR_STANDALONE_USE_ZOOKEEPER");
            this.process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the Pulsar child JVM [workDir=" + workDir + "]", e);
        }
        this.shutdownHook = new Thread(this::stop, "pulsar-" + brokerPort + "-stopper");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        try {
            awaitReady();
        } catch (RuntimeException | Error e) {
            stopKeepingWorkDir();
            throw e;
        }
        LOG.info("Pulsar started on {}:{} (web {}) in {} ms [pid={}, workDir={}]", HOST, brokerPort, webPort,
                Duration.ofNanos(System.nanoTime() - startNanos).toMillis(), process.pid(), workDir);
    }

    /** Starts a broker of your own; close it when done. */
    public static TestingPulsarServer start() {
        return new TestingPulsarServer(false);
    }

    /** The broker of this JVM, started on first use; {@link #close()} leaves it running, a shutdown hook stops it. */
    public static synchronized TestingPulsarServer shared() {
        if (shared == null) {
            shared = new TestingPulsarServer(true);
        }
        return shared;
    }

    /** {@code pulsar://127.0.0.1:<port>}, for the client's {@code serviceUrl}. */
    public String serviceUrl() {
        return "pulsar://" + HOST + ":" + brokerPort;
    }

    /** {@code http://127.0.0.1:<port>}, the broker's web service (admin REST API). */
    public String adminUrl() {
        return "http://" + HOST + ":" + webPort;
    }

    public String host() {
        return HOST;
    }

    public int brokerPort() {
        return brokerPort;
    }

    public int webPort() {
        return webPort;
    }

    /** The directory holding the broker's configuration, data and log. */
    public Path workDir() {
        return workDir;
    }

    public Path logFile() {
        return logFile;
    }

    /** The child JVM's process id. */
    public long pid() {
        return process.pid();
    }

    /** {@code persistent://public/default/<topic>} for a short name; a full name stays as it is. */
    public static String topicName(String topic) {
        return topic.contains("://") ? topic : "persistent://public/default/" + topic;
    }

    /**
     * Creates a non-partitioned persistent topic ({@code orders} or {@code persistent://tenant/ns/orders}).
     *
     * @return its full name
     */
    public String createTopic(String topic) {
        String name = topicName(topic);
        admin("PUT", topicPath(name), "");
        return name;
    }

    /**
     * Creates a partitioned persistent topic; its partitions are {@code <name>-partition-0} and on.
     *
     * @return its full name
     */
    public String createPartitionedTopic(String topic, int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1, was " + partitions);
        }
        String name = topicName(topic);
        admin("PUT", topicPath(name) + "/partitions", Integer.toString(partitions));
        return name;
    }

    /** Deletes a topic (partitioned or not) with its subscriptions, even if clients are attached. */
    public void deleteTopic(String topic) {
        String name = topicName(topic);
        String partitioned = admin("GET", topicPath(name) + "/partitions", null);
        boolean isPartitioned = !partitioned.replaceAll("\\s", "").contains("\"partitions\":0");
        admin("DELETE", topicPath(name) + (isPartitioned ? "/partitions" : "") + "?force=true", null);
    }

    /**
     * Publishes messages to a topic and waits until the broker has them all: each a key (or {@code null}) and a
     * payload ({@code null}: an empty one, a delete to the hub). Batched by key, so each key's messages stay in order
     * on a Key_Shared subscription.
     */
    public void send(String topic, List<Map.Entry<String, String>> messages) {
        try (Producer<byte[]> producer = client().newProducer().topic(topicName(topic)).batcherBuilder(BatcherBuilder.KEY_BASED)
                .blockIfQueueFull(true).create()) {
            List<CompletableFuture<MessageId>> sent = new ArrayList<>(messages.size());
            for (Map.Entry<String, String> m : messages) {
                TypedMessageBuilder<byte[]> b = producer.newMessage()
                        .value(m.getValue() == null ? new byte[0] : m.getValue().getBytes(StandardCharsets.UTF_8));
                if (m.getKey() != null) {
                    b.key(m.getKey());
                }
                sent.add(b.sendAsync());
            }
            producer.flush();
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        } catch (PulsarClientException | InterruptedException | ExecutionException | TimeoutException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("cannot publish to " + topic + " on " + this + ": " + e, e);
        }
    }

    private synchronized PulsarClient client() throws PulsarClientException {
        if (client == null) {
            client = PulsarClient.builder().serviceUrl(serviceUrl()).build();
        }
        return client;
    }

    /**
     * Calls the admin REST API ({@code GET /admin/v2/namespaces/public}); a JSON body for PUT and POST.
     *
     * @return the response body
     * @throws IllegalStateException naming the call when the broker does not answer 2xx
     */
    public String admin(String method, String path, String jsonBody) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(adminUrl() + path)).timeout(HTTP_TIMEOUT)
                .header("Accept", "application/json");
        if (jsonBody == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(jsonBody));
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                throw new IllegalStateException(method + " " + path + " answered " + response.statusCode() + " [web=" + adminUrl()
                        + "]: " + response.body());
            }
            return response.body();
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + " failed [web=" + adminUrl() + "]", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during " + method + " " + path, e);
        }
    }

    private static String topicPath(String fullName) {
        String rest = fullName.substring(fullName.indexOf("://") + 3);
        String domain = fullName.substring(0, fullName.indexOf("://"));
        return "/admin/v2/" + domain + "/" + rest;
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        String last = "no answer yet";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Pulsar exited with " + process.exitValue() + " while starting [log=" + logFile + "]:"
                        + System.lineSeparator() + ProcessTrees.tail(logFile, 40));
            }
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(adminUrl() + "/admin/v2/namespaces/public"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200 && response.body().contains("\"public/default\"")) {
                    return;
                }
                last = response.statusCode() + " " + response.body();
            } catch (IOException e) {
                last = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while Pulsar was starting", e);
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while Pulsar was starting", e);
            }
        }
        throw new IllegalStateException("Pulsar did not list namespace public/default within " + STARTUP_TIMEOUT.toSeconds()
                + " s [web=" + adminUrl() + ", last=" + last + ", log=" + logFile + "]:" + System.lineSeparator()
                + ProcessTrees.tail(logFile, 40));
    }

    private List<String> command(Path conf, Path logConf) {
        String classpath = ChildJvms.classpath(CLASSPATH_RESOURCE, "hub-testing-pulsar-runtime", "Pulsar");
        Path data = workDir.resolve("data");
        List<String> cmd = new ArrayList<>(List.of(ChildJvms.javaCommand(), "-cp", classpath,
                "-Xms128m", "-Xmx512m", "-XX:MaxDirectMemorySize=256m", "-XX:+UseG1GC",
                // as Pulsar's bin/pulsar runs it on Java 17
                "--add-opens", "java.base/java.io=ALL-UNNAMED", "--add-opens", "java.base/java.util.zip=ALL-UNNAMED",
                "--add-opens", "java.base/sun.net=ALL-UNNAMED", "--add-opens", "java.base/java.nio=ALL-UNNAMED",
                "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED", "--add-opens", "java.base/jdk.internal.platform=ALL-UNNAMED",
                "--add-opens", "java.management/sun.management=ALL-UNNAMED",
                "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED",
                "-Dio.netty.tryReflectionSetAccessible=true", "-Djava.net.preferIPv4Stack=true",
                "-Dlog4j.configurationFile=" + logConf, "-Dlog4j2.configurationFile=" + logConf,
                "-Dpulsar.log.dir=" + workDir, "-Djava.io.tmpdir=" + workDir.resolve("tmp"),
                ParentWatchdog.class.getName(), MAIN_CLASS,
                "-c", conf.toString(), "--wipe-data", "--no-functions-worker", "--no-stream-storage",
                "--bookkeeper-port", Integer.toString(bookiePort),
                "--bookkeeper-dir", data.resolve("bookkeeper").toString(),
                "--zookeeper-dir", data.resolve("zookeeper").toString(),
                "--metadata-dir", data.resolve("metadata").toString()));
        return cmd;
    }

    private Path writeConfiguration() throws IOException {
        Files.createDirectories(workDir.resolve("tmp"));
        Path conf = workDir.resolve("standalone.conf");
        Files.writeString(conf, String.join(System.lineSeparator(),
                "# TestingPulsarServer",
                "clusterName=standalone",
                "bindAddress=" + HOST,
                "advertisedAddress=" + HOST,
                "brokerServicePort=" + brokerPort,
                "webServicePort=" + webPort,
                "managedLedgerDefaultEnsembleSize=1",
                "managedLedgerDefaultWriteQuorum=1",
                "managedLedgerDefaultAckQuorum=1",
                "managedLedgerCacheSizeMB=32",
                "dbStorage_writeCacheMaxSizeMb=16",
                "dbStorage_readAheadCacheMaxSizeMb=16",
                "journalSyncData=false",
                "allowAutoTopicCreation=true",
                "allowAutoTopicCreationType=non-partitioned",
                "brokerDeleteInactiveTopicsEnabled=false",
                "functionsWorkerEnabled=false",
                "webSocketServiceEnabled=false",
                "brokerShutdownTimeoutMs=3000",
                ""), StandardCharsets.UTF_8);
        return conf;
    }

    private Path writeLogConfiguration() throws IOException {
        Path conf = workDir.resolve("log4j2.properties");
        Files.writeString(conf, String.join(System.lineSeparator(),
                "status = warn",
                "appender.console.type = Console",
                "appender.console.name = console",
                "appender.console.layout.type = PatternLayout",
                "appender.console.layout.pattern = %d{HH:mm:ss.SSS} %-5level [%t] %c{1.} - %msg%n",
                "rootLogger.level = info",
                "rootLogger.appenderRef.console.ref = console",
                "logger.bookkeeper.name = org.apache.bookkeeper",
                "logger.bookkeeper.level = warn",
                "logger.zookeeper.name = org.apache.zookeeper",
                "logger.zookeeper.level = warn",
                ""), StandardCharsets.UTF_8);
        return conf;
    }

    /** Stops the broker and deletes its work directory; idempotent. A {@link #shared()} broker ignores it. */
    @Override
    public void close() {
        if (!isShared) {
            stop();
        }
    }

    private void stop() {
        closeClient();
        ProcessTrees.stopOnce(stopped, shutdownHook, process, STOP_GRACE, "Pulsar standalone", workDir, false);
    }

    private void stopKeepingWorkDir() {
        ProcessTrees.stopOnce(stopped, shutdownHook, process, STOP_GRACE, "Pulsar standalone", workDir, true);
    }

    private synchronized void closeClient() {
        if (client != null) {
            try {
                client.close();
            } catch (PulsarClientException e) {
                LOG.debug("Closing the test client failed: {}", e.toString());
            }
            client = null;
        }
    }

    @Override
    public String toString() {
        return "TestingPulsarServer[" + serviceUrl() + ", " + adminUrl() + "]";
    }
}
