package io.dih.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka 4.3 broker for integration tests, inside the test JVM: one node in KRaft combined mode (broker and
 * controller), PLAINTEXT, every replication factor 1, no automatic topic creation.
 *
 * <p>It listens on 127.0.0.1 only, on two free ports (clients and controller); its log directory and
 * {@code server.properties} live in a work directory of its own under {@code java.io.tmpdir}, deleted on close (kept
 * with {@code -Ddih.testing.keepWorkDirs=true}, and kept when start fails).
 *
 * <p>{@link #start()} gives a broker of your own, to close; {@link #shared()} one broker per JVM, stopped by a shutdown
 * hook. Each test should use topics (and consumer groups) of its own on the shared broker.
 *
 * <p>The module using it declares {@code org.apache.kafka:kafka_2.13} itself: hub-testing has the broker as an optional
 * dependency, so Scala and the broker's jars stay off the classpath of modules that do not start one. A fault in the
 * broker's metadata handling halts the JVM (Kafka's own {@code ProcessTerminatingFaultHandler}).
 */
public final class TestingKafkaServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TestingKafkaServer.class);

    private static final String HOST = "127.0.0.1";
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

    private static TestingKafkaServer shared;

    private final boolean isShared;
    private final Path workDir;
    private final int port;
    private final int controllerPort;
    private final KafkaRaftServer server;
    private final Admin admin;
    private final Thread shutdownHook;
    private final AtomicBoolean stopped = new AtomicBoolean();
    private KafkaProducer<String, String> producer;

    private TestingKafkaServer(boolean isShared) {
        this.isShared = isShared;
        this.workDir = ProcessTrees.createWorkDir("dih-kafka-", "Kafka");
        this.port = FreePorts.next();
        this.controllerPort = FreePorts.next();
        long startNanos = System.nanoTime();
        Properties properties = brokerProperties();
        Path propertiesFile = workDir.resolve("server.properties");
        try (OutputStream out = Files.newOutputStream(propertiesFile)) {
            properties.store(out, "TestingKafkaServer");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + propertiesFile, e);
        }
        format(propertiesFile);
        this.server = new KafkaRaftServer(new KafkaConfig(properties), Time.SYSTEM);
        try {
            server.startup();
        } catch (RuntimeException e) {
            shutdownQuietly(server);
            throw new IllegalStateException("Kafka did not start [port=" + port + ", workDir=" + workDir + "]", e);
        }
        this.shutdownHook = new Thread(this::stop, "kafka-" + port + "-stopper");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
        try {
            Await.until(STARTUP_TIMEOUT, "Kafka answers describeCluster with one broker [port=" + port + ", workDir=" + workDir + "]",
                    () -> get(admin.describeCluster().nodes()).size() == 1);
        } catch (RuntimeException | AssertionError e) {
            stop();
            throw e;
        }
        LOG.info("Kafka started on {} in {} ms [workDir={}]", bootstrapServers(),
                Duration.ofNanos(System.nanoTime() - startNanos).toMillis(), workDir);
    }

    /** Starts a broker of your own; close it when done. */
    public static TestingKafkaServer start() {
        return new TestingKafkaServer(false);
    }

    /** The broker of this JVM, started on first use; {@link #close()} leaves it running, a shutdown hook stops it. */
    public static synchronized TestingKafkaServer shared() {
        if (shared == null) {
            shared = new TestingKafkaServer(true);
        }
        return shared;
    }

    /** {@code 127.0.0.1:<port>}, for a client's {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return HOST + ":" + port;
    }

    public String host() {
        return HOST;
    }

    public int port() {
        return port;
    }

    /** The directory holding the broker's logs and {@code server.properties}. */
    public Path workDir() {
        return workDir;
    }

    /** An admin client of the broker, shared: do not close it. */
    public Admin admin() {
        return admin;
    }

    /**
     * Creates a topic and waits until every partition answers {@code listOffsets}: records produced before that can be
     * lost without an error (KAFKA-15591).
     */
    public void createTopic(String name, int partitions) {
        get(admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all());
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            latest.put(new TopicPartition(name, p), OffsetSpec.latest());
        }
        Await.until(ADMIN_TIMEOUT, "every partition of topic " + name + " answers listOffsets [port=" + port + "]", () -> {
            get(admin.listOffsets(latest).all());
            return true;
        });
    }

    /**
     * Sends keyed messages in order and waits until every one is stored; a null value is a tombstone. Only JDK types,
     * so a caller whose test classpath lacks kafka-clients at compile time can use it.
     */
    public void sendAll(String topic, List<Map.Entry<String, String>> messages) {
        List<ProducerRecord<String, String>> records = new ArrayList<>(messages.size());
        messages.forEach(m -> records.add(new ProducerRecord<>(topic, m.getKey(), m.getValue())));
        produce(records);
    }

    /** Sends one record ({@code key} and {@code value} may be null: a null value is a tombstone) and waits for it. */
    public RecordMetadata produce(String topic, String key, String value) {
        return produce(new ProducerRecord<>(topic, key, value)).get(0);
    }

    /** Sends one record to the given partition and waits for it. */
    public RecordMetadata produce(String topic, int partition, String key, String value) {
        return produce(new ProducerRecord<>(topic, partition, key, value)).get(0);
    }

    /** Sends records in order (acks=all, idempotent) and waits until every one is stored; their metadata in order. */
    @SafeVarargs
    public final List<RecordMetadata> produce(ProducerRecord<String, String>... records) {
        return produce(List.of(records));
    }

    /** Sends records in order (acks=all, idempotent) and waits until every one is stored; their metadata in order. */
    public List<RecordMetadata> produce(List<ProducerRecord<String, String>> records) {
        KafkaProducer<String, String> p = producer();
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (ProducerRecord<String, String> r : records) {
            sent.add(p.send(r));
        }
        p.flush();
        List<RecordMetadata> out = new ArrayList<>();
        for (Future<RecordMetadata> f : sent) {
            out.add(get(f));
        }
        return out;
    }

    private synchronized KafkaProducer<String, String> producer() {
        if (stopped.get()) {
            throw new IllegalStateException("Kafka is stopped [port=" + port + "]");
        }
        if (producer == null) {
            Map<String, Object> config = new HashMap<>();
            config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
            config.put(ProducerConfig.ACKS_CONFIG, "all");
            config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
            config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT.toMillis());
            config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) ADMIN_TIMEOUT.toMillis() - 1000);
            producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
        }
        return producer;
    }

    private Properties brokerProperties() {
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", "1");
        p.setProperty("controller.quorum.bootstrap.servers", HOST + ":" + controllerPort);
        p.setProperty("listeners", "PLAINTEXT://" + HOST + ":" + port + ",CONTROLLER://" + HOST + ":" + controllerPort);
        p.setProperty("advertised.listeners", "PLAINTEXT://" + HOST + ":" + port + ",CONTROLLER://" + HOST + ":" + controllerPort);
        p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("inter.broker.listener.name", "PLAINTEXT");
        p.setProperty("log.dirs", workDir.resolve("logs").toString());
        p.setProperty("auto.create.topics.enable", "false");
        p.setProperty("num.partitions", "1");
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        p.setProperty("offsets.topic.num.partitions", "5");
        p.setProperty("offsets.topic.replication.factor", "1");
        p.setProperty("transaction.state.log.replication.factor", "1");
        p.setProperty("transaction.state.log.min.isr", "1");
        p.setProperty("share.coordinator.state.topic.replication.factor", "1");
        p.setProperty("share.coordinator.state.topic.min.isr", "1");
        p.setProperty("default.replication.factor", "1");
        p.setProperty("min.insync.replicas", "1");
        // the default dedupe buffer takes 128 MiB of heap
        p.setProperty("log.cleaner.dedupe.buffer.size", "2097152");
        return p;
    }

    private void format(Path propertiesFile) {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        int rc;
        try (PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8)) {
            rc = StorageTool.execute(new String[] {"format", "--standalone", "--ignore-formatted",
                    "-t", Uuid.randomUuid().toString(), "-c", propertiesFile.toString()}, out);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot format Kafka's storage [workDir=" + workDir + "]", e);
        }
        if (rc != 0) {
            throw new IllegalStateException("formatting Kafka's storage failed with " + rc + " [workDir=" + workDir + "]: "
                    + output.toString(StandardCharsets.UTF_8));
        }
    }

    private <T> T get(Future<T> future) {
        try {
            return future.get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted [port=" + port + "]", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Kafka request failed [port=" + port + "]: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("Kafka did not answer within " + ADMIN_TIMEOUT.toSeconds() + " s [port=" + port + "]", e);
        }
    }

    /** Stops the broker and deletes its work directory; idempotent. A {@link #shared()} broker ignores it. */
    @Override
    public void close() {
        if (!isShared) {
            stop();
        }
    }

    private void stop() {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        ProcessTrees.removeShutdownHook(shutdownHook);
        synchronized (this) {
            if (producer != null) {
                producer.close(Duration.ofSeconds(5));
            }
        }
        if (admin != null) {
            admin.close(Duration.ofSeconds(5));
        }
        shutdownQuietly(server);
        if (!ProcessTrees.keepWorkDirs()) {
            ProcessTrees.deleteQuietly(workDir);
        }
        LOG.info("Kafka on port {} stopped", port);
    }

    private void shutdownQuietly(KafkaRaftServer s) {
        try {
            s.shutdown();
            s.awaitShutdown();
        } catch (RuntimeException e) {
            LOG.warn("Kafka did not shut down cleanly [port={}]", port, e);
        }
    }

    @Override
    public String toString() {
        return "TestingKafkaServer[" + bootstrapServers() + "]";
    }
}
