package io.dih.connector.pulsar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dih.api.BindingSpec;
import io.dih.spi.ChangeEvent;
import io.dih.spi.ChangeEvent.Kind;
import io.dih.spi.ChangeFeed;
import io.dih.spi.ChangeSink;
import io.dih.spi.Connector;
import io.dih.spi.ConnectorContext;
import io.dih.spi.FieldError;
import io.dih.spi.InvalidSpecException;
import io.dih.spi.SourceTable;
import io.dih.spi.UnavailableException;
import io.dih.testing.Await;
import io.dih.testing.FreePorts;
import io.dih.testing.TestingPulsarServer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.apache.pulsar.client.api.BatcherBuilder;
import org.apache.pulsar.client.api.Producer;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.Schema;
import org.apache.pulsar.client.api.TypedMessageBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The Pulsar connector against a real Pulsar 4.2 standalone broker (a child JVM, started once for the suite). */
class PulsarConnectorIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger NAMES = new AtomicInteger();

    private static TestingPulsarServer pulsar;
    private static PulsarClient client;
    private static Connector connector;
    private static final PulsarConnectorFactory FACTORY = new PulsarConnectorFactory();

    @BeforeAll
    static void startBroker() throws Exception {
        pulsar = TestingPulsarServer.shared();
        client = PulsarClient.builder().serviceUrl(pulsar.serviceUrl()).build();
        connector = FACTORY.create("events", params(), ConnectorContext.of(Map.of()));
    }

    @AfterAll
    static void closeClients() throws Exception {
        if (connector != null) {
            connector.close();
        }
        if (client != null) {
            client.close();
        }
    }

    private static Map<String, Object> params() {
        return Map.of("service_url", pulsar.serviceUrl(), "admin_url", pulsar.adminUrl());
    }

    private static String unique(String prefix) {
        return prefix + "-" + NAMES.incrementAndGet() + "-" + Long.toHexString(System.nanoTime() & 0xffffff);
    }

    private static BindingSpec binding(String topic, List<String> keys, Map<String, Object> options) {
        Map<String, Object> o = new HashMap<>(options);
        o.put("topic", topic);
        return new BindingSpec("region", null, keys, null, null, null, o);
    }

    @Test
    void validateNamesEachBadParameterWithoutThrowing() {
        List<FieldError> errors = FACTORY.validate(Map.of("service_url", "localhost:6650", "subscription_type", "Everyone",
                "subscription_initial_position", "Middle", "operationTimeoutMs", "soon", "bogus", 1));
        assertThat(errors).extracting(FieldError::field).containsExactlyInAnyOrder("connection_params.service_url",
                "connection_params.subscription_type", "connection_params.subscription_initial_position",
                "connection_params.operationTimeoutMs", "connection_params.bogus");
        assertThat(FACTORY.validate(params())).isEmpty();
    }

    @Test
    void unreachableBrokerIsUnavailableNamingHostAndPort() {
        int port = FreePorts.next();
        assertThatThrownBy(() -> FACTORY.create("down", Map.of("service_url", "pulsar://127.0.0.1:" + port, "token", "tok-SECRET"),
                ConnectorContext.of(Map.of())))
                .isInstanceOf(UnavailableException.class)
                .hasMessageContaining("127.0.0.1:" + port)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("SECRET"));
        int webPort = FreePorts.next();
        assertThatThrownBy(() -> FACTORY.create("no-web", Map.of("service_url", pulsar.serviceUrl(), "admin_url",
                "http://127.0.0.1:" + webPort), ConnectorContext.of(Map.of())))
                .isInstanceOf(UnavailableException.class)
                .hasMessageContaining("127.0.0.1:" + webPort);
    }

    @Test
    void unknownBindingKeysAreErrorsEachNamingItsKey() {
        String topic = pulsar.createTopic(unique("keys"));
        assertThatThrownBy(() -> connector.describe(binding(topic, List.of("id"), Map.of("colour", "red", "partition", 1, "aggregate", Map.of()))))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.errors()).extracting(FieldError::field)
                        .containsExactlyInAnyOrder("colour", "partition"));
    }

    @Test
    void describeChecksTheTopicExistsThroughTheAdminApi() {
        assertThatThrownBy(() -> connector.describe(binding(unique("missing"), List.of("id"), Map.of())))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> {
                    assertThat(e.field()).isEqualTo("topic");
                    assertThat(e.getMessage()).contains("does not exist");
                });
        String partitioned = unique("described");
        pulsar.createPartitionedTopic(partitioned, 2);
        SourceTable table = connector.describe(binding(partitioned, List.of("id"), Map.of()));
        assertThat(table.name()).isEqualTo("region"); // the binding's table (the hub's region name), not the topic
        assertThat(table.schemaless()).isTrue();
        assertThat(table.primaryKey()).containsExactly("id");
        assertThat(table.columns()).isEmpty();
        String plain = pulsar.createTopic(unique("described-plain"));
        assertThat(connector.describe(binding(plain, null, Map.of())).primaryKey()).isEmpty();
        // without a topic key, the binding's table (the region's name) is the topic
        String regionNamed = unique("described").replace('-', '_');
        pulsar.createTopic(regionNamed);
        assertThat(connector.describe(new BindingSpec(regionNamed, null, null, null, null, null)).name()).isEqualTo(regionNamed);
    }

    @Test
    void jsonUpsertsOverAPartitionedTopicArriveWithTablesStreamsPositionsKeysAndRows() throws Exception {
        String topic = unique("orders");
        String full = pulsar.createPartitionedTopic(topic, 3);
        Recorder sink = new Recorder();
        Running feed = Running.start(connector.stream(unique("group"), List.of(binding(topic, List.of("id"), Map.of())), sink));
        try (Producer<byte[]> producer = keyBatchingProducer(full)) {
            for (int version = 1; version <= 3; version++) {
                for (int id = 0; id < 10; id++) {
                    send(producer, Integer.toString(id), "{\"id\":" + id + ",\"version\":" + version + ",\"amount\":" + id + ".25"
                            + ",\"name\":\"n" + id + "\",\"paid\":true,\"tags\":[\"a\"]}");
                }
            }
            producer.flush();
        }
        Await.until(WAIT, "30 upserts arrived", () -> sink.events().size() >= 30);
        feed.stop();

        List<ChangeEvent> events = sink.events();
        assertThat(events).hasSize(30).allSatisfy(e -> {
            assertThat(e.kind()).isEqualTo(Kind.UPSERT);
            assertThat(e.table()).isEqualTo("region"); // the binding's table: the hub names each binding after its region
            assertThat(e.stream()).matches(java.util.regex.Pattern.quote(full) + "-partition-[0-2]");
            assertThat(e.key()).containsOnlyKeys("id");
            assertThat(e.row()).containsEntry("id", e.key().get("id")).containsEntry("name", "n" + e.key().get("id"))
                    .containsEntry("amount", new BigDecimal(e.key().get("id") + ".25")).containsEntry("paid", true)
                    .containsEntry("tags", "[\"a\"]");
            assertThat(e.row().get("version")).isInstanceOf(Long.class);
            assertThat(e.raw()).startsWith("{\"id\":");
            assertThat(e.commitMillis()).isPositive();
        });
        assertThat(events).extracting(e -> e.key().get("id")).containsOnly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
        Map<String, ChangeEvent> lastPerStream = new HashMap<>();
        Map<Object, Long> lastVersionPerKey = new HashMap<>();
        for (ChangeEvent e : events) {
            ChangeEvent before = lastPerStream.put(e.stream(), e);
            if (before != null) {
                assertThat(e.isAfter(before)).as("%s after %s in %s", e.position() + "/" + e.sequence(),
                        before.position() + "/" + before.sequence(), e.stream()).isTrue();
            }
            Long previous = lastVersionPerKey.put(e.key().get("id"), (Long) e.row().get("version"));
            assertThat((Long) e.row().get("version")).as("versions of key %s in order", e.key()).isGreaterThan(previous == null ? 0 : previous);
        }
        assertThat(lastPerStream.size()).as("keys spread over the partitions").isGreaterThan(1);
    }

    @Test
    void emptyPayloadAndDeleteWhenAreDeletes() throws Exception {
        String topic = pulsar.createTopic(unique("deletes"));
        Recorder sink = new Recorder();
        Running feed = Running.start(connector.stream(unique("group"),
                List.of(binding(topic, List.of("id"), Map.of("delete_when", Map.of("deleted", true)))), sink));
        try (Producer<byte[]> producer = producer(topic)) {
            send(producer, "1", "{\"id\":1,\"name\":\"one\"}");
            send(producer, "1", "");
            send(producer, "2", "{\"id\":2,\"deleted\":true}");
            producer.flush();
        }
        Await.until(WAIT, "3 changes arrived", () -> sink.events().size() >= 3);
        feed.stop();
        assertThat(sink.events()).extracting(ChangeEvent::kind).containsExactly(Kind.UPSERT, Kind.DELETE, Kind.DELETE);
        assertThat(sink.events().get(1).key()).isEqualTo(Map.of("id", 1L));
        assertThat(sink.events().get(1).row()).isNull();
        assertThat(sink.events().get(1).raw()).isEmpty();
        assertThat(sink.events().get(2).key()).isEqualTo(Map.of("id", 2L));
    }

    @Test
    void poisonMessagesAreUnreadableWithRawAndErrorWhileTheRestFlows() throws Exception {
        String topic = pulsar.createTopic(unique("poison"));
        Recorder sink = new Recorder();
        Running feed = Running.start(connector.stream(unique("group"), List.of(binding(topic, List.of("id"), Map.of())), sink));
        try (Producer<byte[]> producer = producer(topic)) {
            send(producer, null, "{\"id\":1}");
            send(producer, null, "not json at all");
            send(producer, null, "[1,2,3]");
            send(producer, null, "{\"name\":\"no id, no key\"}");
            send(producer, null, "{\"id\":2}");
            producer.flush();
        }
        Await.until(WAIT, "5 messages arrived", () -> sink.events().size() >= 5);
        feed.stop();
        List<ChangeEvent> events = sink.events();
        assertThat(events).extracting(ChangeEvent::kind)
                .containsExactly(Kind.UPSERT, Kind.UNREADABLE, Kind.UNREADABLE, Kind.UNREADABLE, Kind.UPSERT);
        assertThat(events.get(1).raw()).isEqualTo("not json at all");
        assertThat(events.get(1).error()).contains("not JSON");
        assertThat(events.get(2).raw()).isEqualTo("[1,2,3]");
        assertThat(events.get(2).error()).contains("not a JSON object");
        assertThat(events.get(3).error()).contains("no key");
        assertThat(events.subList(1, 4)).allSatisfy(e -> {
            assertThat(e.table()).isEqualTo("region"); // the binding's table: the hub names each binding after its region
            assertThat(e.stream()).isEqualTo(TestingPulsarServer.topicName(topic));
            assertThat(e.key()).isEmpty();
        });
        assertThat(events.get(4).key()).isEqualTo(Map.of("id", 2L));
    }

    @Test
    void messagesAreAcknowledgedOnlyAfterApplyReturnsAndBacklogCountsTheRest() throws Exception {
        String topic = unique("acks");
        String full = pulsar.createPartitionedTopic(topic, 2);
        String group = unique("group");
        List<BindingSpec> bindings = List.of(binding(topic, List.of("id"), Map.of()));
        assertThat(connector.backlog(group, bindings)).as("no subscription yet").isEmpty();

        IllegalStateException refused = new IllegalStateException("the region is full");
        Recorder failing = new Recorder(events -> {
            throw refused;
        });
        Running first = Running.start(connector.stream(group, bindings, failing));
        try (Producer<byte[]> producer = unbatchedProducer(full)) {
            for (int id = 0; id < 8; id++) {
                send(producer, Integer.toString(id), "{\"id\":" + id + "}");
            }
            producer.flush();
        }
        assertThatThrownBy(() -> first.done().get(WAIT.toSeconds(), TimeUnit.SECONDS)).hasCause(refused);
        assertThat(failing.events()).as("the sink was offered messages").isNotEmpty();

        Map<String, Long> backlog = connector.backlog(group, bindings);
        assertThat(backlog).containsOnlyKeys(full + "-partition-0", full + "-partition-1");
        assertThat(backlog.values().stream().mapToLong(Long::longValue).sum()).as("nothing acknowledged").isEqualTo(8);

        Recorder sink = new Recorder();
        Running second = Running.start(connector.stream(group, bindings, sink));
        Await.until(WAIT, "the 8 unacknowledged messages come again", () -> sink.keys().size() == 8);
        Await.until(WAIT, "the backlog drains once they are applied",
                () -> connector.backlog(group, bindings).values().stream().mapToLong(Long::longValue).sum() == 0);
        second.stop();
        assertThat(sink.keys()).containsExactlyInAnyOrder(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Key_Shared", "Shared"})
    void twoFeedsOfOneGroupSplitTheWorkAndTheSurvivorTakesAll(String type) throws Exception {
        String topic = unique("split-" + type.toLowerCase());
        String full = pulsar.createPartitionedTopic(topic, 4);
        String group = unique("group");
        Map<String, Object> p = new HashMap<>(params());
        p.put("subscription_type", type);
        List<BindingSpec> bindings = List.of(binding(topic, List.of("id"), Map.of()));
        try (Connector a = FACTORY.create("split-a", p, ConnectorContext.of(Map.of()));
                Connector b = FACTORY.create("split-b", p, ConnectorContext.of(Map.of()))) {
            Recorder sinkA = new Recorder();
            Recorder sinkB = new Recorder();
            Running feedA = Running.start(a.stream(group, bindings, sinkA));
            Running feedB = Running.start(b.stream(group, bindings, sinkB));
            Await.until(WAIT, "both feeds consume every partition", () -> consumers(full, 4, group) == 8);

            try (Producer<byte[]> producer = keyBatchingProducer(full)) {
                for (int i = 0; i < 200; i++) {
                    send(producer, Integer.toString(i % 40), "{\"id\":" + (i % 40) + ",\"n\":" + i + "}");
                }
                producer.flush();
            }
            Await.until(WAIT, "200 messages arrived over both feeds", () -> sinkA.events().size() + sinkB.events().size() >= 200);
            assertThat(sinkA.events()).as("feed A got a share").isNotEmpty();
            assertThat(sinkB.events()).as("feed B got a share").isNotEmpty();
            Set<Object> seen = new HashSet<>();
            sinkA.events().forEach(e -> seen.add(e.row().get("n")));
            sinkB.events().forEach(e -> seen.add(e.row().get("n")));
            assertThat(seen).hasSize(200);
            if (type.equals("Key_Shared")) {
                assertThat(sinkA.keys()).as("each key on one feed").doesNotContainAnyElementsOf(sinkB.keys());
            }

            feedA.stop();
            int before = sinkB.events().size();
            try (Producer<byte[]> producer = keyBatchingProducer(full)) {
                for (int i = 200; i < 300; i++) {
                    send(producer, Integer.toString(i % 40), "{\"id\":" + (i % 40) + ",\"n\":" + i + "}");
                }
                producer.flush();
            }
            Await.until(WAIT, "feed B alone got the next 100 messages", () -> sinkB.events().stream()
                    .filter(e -> (Long) e.row().get("n") >= 200).map(e -> e.row().get("n")).distinct().count() == 100);
            feedB.stop();
            assertThat(sinkB.events().size() - before).isGreaterThanOrEqualTo(100);
        }
    }

    @Test
    void debeziumEnvelopes() throws Exception {
        String topic = pulsar.createTopic(unique("dbz"));
        Recorder sink = new Recorder();
        Running feed = Running.start(connector.stream(unique("group"), List.of(binding(topic, List.of("id"), Map.of("format", "debezium"))), sink));
        try (Producer<byte[]> producer = producer(topic)) {
            send(producer, "{\"id\":1}", "{\"schema\":{\"type\":\"struct\"},\"payload\":{\"before\":null,\"after\":{\"id\":1,\"name\":\"a\"},\"op\":\"r\",\"ts_ms\":1}}");
            send(producer, "{\"id\":1}", "{\"before\":{\"id\":1,\"name\":\"a\"},\"after\":{\"id\":1,\"name\":\"b\"},\"op\":\"u\"}");
            send(producer, "{\"id\":1}", "{\"before\":{\"id\":1,\"name\":\"b\"},\"after\":null,\"op\":\"d\"}");
            send(producer, null, "{\"op\":\"t\"}");
            send(producer, null, "{\"op\":\"m\",\"after\":{\"id\":9}}");
            producer.flush();
        }
        Await.until(WAIT, "5 Debezium changes arrived", () -> sink.events().size() >= 5);
        feed.stop();
        List<ChangeEvent> events = sink.events();
        assertThat(events).extracting(ChangeEvent::kind).containsExactly(Kind.UPSERT, Kind.UPSERT, Kind.DELETE, Kind.TRUNCATE, Kind.UNREADABLE);
        assertThat(events.get(0).snapshot()).isTrue();
        assertThat(events.get(0).row()).isEqualTo(Map.of("id", 1L, "name", "a"));
        assertThat(events.get(1).row()).isEqualTo(Map.of("id", 1L, "name", "b"));
        assertThat(events.get(2).key()).isEqualTo(Map.of("id", 1L));
        assertThat(events.get(3).key()).isEmpty();
        assertThat(events.get(4).error()).isEqualTo("unknown Debezium operation 'm'");
        assertThat(events.get(4).raw()).contains("\"op\":\"m\"");
    }

    @Test
    void topicListsAndPatternsFeedOneGroupWithTheirOwnTableNames() throws Exception {
        String prefix = unique("pat").replace("-", "");
        String east = pulsar.createTopic(prefix + "-east");
        String west = pulsar.createPartitionedTopic(prefix + "-west", 2);
        String listed = pulsar.createTopic(unique("listed"));
        String other = pulsar.createTopic(unique("other"));
        String group = unique("group");
        BindingSpec byPattern = new BindingSpec("by_pattern", null, List.of("id"), null, null, null, Map.of("topic_pattern", prefix + "-.*"));
        String otherShort = other.substring(other.lastIndexOf('/') + 1);
        BindingSpec byList = new BindingSpec("by_list", null, List.of("id"), null, null, null, Map.of("topics", List.of(listed, otherShort)));
        assertThat(connector.describe(byPattern).name()).isEqualTo("by_pattern");
        assertThat(connector.describe(byList).name()).isEqualTo("by_list");

        Recorder sink = new Recorder();
        Running feed = Running.start(connector.stream(group, List.of(byPattern, byList), sink));
        for (String topic : List.of(east, west, listed, other)) {
            try (Producer<byte[]> producer = producer(topic)) {
                for (int id = 0; id < 4; id++) {
                    send(producer, Integer.toString(id), "{\"id\":" + id + ",\"from\":\"" + topic + "\"}");
                }
                producer.flush();
            }
        }
        Await.until(WAIT, "16 messages from 4 topics arrived", () -> sink.events().size() >= 16);
        Await.until(WAIT, "the backlog of every partition drains",
                () -> connector.backlog(group, List.of(byPattern, byList)).values().stream().allMatch(n -> n == 0));
        Map<String, Long> backlog = connector.backlog(group, List.of(byPattern, byList));
        feed.stop();
        assertThat(sink.events()).hasSize(16);
        assertThat(sink.events()).filteredOn(e -> e.table().equals("by_pattern"))
                .hasSize(8).allSatisfy(e -> assertThat(e.stream()).startsWith(TestingPulsarServer.topicName(prefix)));
        assertThat(sink.events()).filteredOn(e -> e.table().equals("by_list"))
                .hasSize(8).allSatisfy(e -> assertThat(e.stream()).isIn(listed, other));
        assertThat(backlog).containsOnlyKeys(east, west + "-partition-0", west + "-partition-1", listed, other);
    }

    @Test
    void closeStopsRunPromptlyAndIsIdempotent() throws Exception {
        String topic = pulsar.createTopic(unique("close"));
        ChangeFeed feed = connector.stream(unique("group"), List.of(binding(topic, List.of("id"), Map.of())), new Recorder());
        Running running = Running.start(feed);
        Await.until(WAIT, "the feed subscribed", () -> consumers(TestingPulsarServer.topicName(topic), 0, null) == 1);
        feed.close();
        feed.close();
        running.done().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(running.done()).isCompleted();
    }

    /** How many consumers the subscription(s) of a topic have, over its partitions (0: not partitioned). */
    private static int consumers(String fullTopic, int partitions, String subscription) {
        String path = "/admin/v2/persistent/" + fullTopic.substring("persistent://".length());
        List<String> statsPaths = new ArrayList<>();
        if (partitions == 0) {
            statsPaths.add(path + "/stats");
        } else {
            for (int i = 0; i < partitions; i++) {
                statsPaths.add(path + "-partition-" + i + "/stats");
            }
        }
        int n = 0;
        for (String statsPath : statsPaths) {
            JsonNode stats = readJson(pulsar.admin("GET", statsPath, null));
            for (JsonNode sub : iterable(stats.path("subscriptions"), subscription)) {
                n += sub.path("consumers").size();
            }
        }
        return n;
    }

    private static List<JsonNode> iterable(JsonNode subscriptions, String only) {
        List<JsonNode> out = new ArrayList<>();
        subscriptions.fields().forEachRemaining(f -> {
            if (only == null || only.equals(f.getKey())) {
                out.add(f.getValue());
            }
        });
        return out;
    }

    private static JsonNode readJson(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalStateException("not JSON: " + text, e);
        }
    }

    /** A producer that batches, keeping the order of what it sends. */
    private static Producer<byte[]> producer(String topic) throws Exception {
        return client.newProducer(Schema.BYTES).topic(TestingPulsarServer.topicName(topic))
                .batchingMaxPublishDelay(5, TimeUnit.MILLISECONDS).create();
    }

    /** A producer that batches by key, as Key_Shared subscriptions want (it may reorder messages of different keys). */
    private static Producer<byte[]> keyBatchingProducer(String topic) throws Exception {
        return client.newProducer(Schema.BYTES).topic(TestingPulsarServer.topicName(topic))
                .batcherBuilder(BatcherBuilder.KEY_BASED).batchingMaxPublishDelay(5, TimeUnit.MILLISECONDS).create();
    }

    /** A producer that writes one message per entry: the backlog counts entries. */
    private static Producer<byte[]> unbatchedProducer(String topic) throws Exception {
        return client.newProducer(Schema.BYTES).topic(TestingPulsarServer.topicName(topic)).enableBatching(false).create();
    }

    private static void send(Producer<byte[]> producer, String key, String payload) {
        TypedMessageBuilder<byte[]> m = producer.newMessage().value(payload.getBytes(StandardCharsets.UTF_8));
        if (key != null) {
            m.key(key);
        }
        m.sendAsync();
    }

    /** A sink that keeps what it was given, in order; an optional action runs on each batch first (and may throw). */
    static final class Recorder implements ChangeSink {
        private final List<ChangeEvent> events = new ArrayList<>();
        private final Consumer<List<ChangeEvent>> action;

        Recorder() {
            this(batch -> {
            });
        }

        Recorder(Consumer<List<ChangeEvent>> action) {
            this.action = action;
        }

        @Override
        public void apply(List<ChangeEvent> batch) {
            synchronized (this) {
                events.addAll(batch);
            }
            action.accept(batch);
        }

        synchronized List<ChangeEvent> events() {
            return List.copyOf(events);
        }

        synchronized Set<Object> keys() {
            Set<Object> keys = new HashSet<>();
            events.forEach(e -> keys.add(e.key().get("id")));
            return keys;
        }
    }

    /** A feed running on a thread of its own. */
    record Running(ChangeFeed feed, CompletableFuture<Void> done) {
        static Running start(ChangeFeed feed) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            Thread t = new Thread(() -> {
                try {
                    feed.run();
                    done.complete(null);
                } catch (Throwable e) {
                    done.completeExceptionally(e);
                }
            }, "pulsar-feed");
            t.setDaemon(true);
            t.start();
            return new Running(feed, done);
        }

        /** Closes the feed and waits until run() returned, failing on what it threw. */
        void stop() throws Exception {
            feed.close();
            done.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
    }
}
