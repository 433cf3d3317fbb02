package io.dih.connector.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.dih.api.BindingSpec;
import io.dih.spi.Capability;
import io.dih.spi.ChangeEvent;
import io.dih.spi.ChangeEvent.Kind;
import io.dih.spi.ChangeFeed;
import io.dih.spi.ChangeSink;
import io.dih.spi.Connector;
import io.dih.spi.ConnectorContext;
import io.dih.spi.ConnectorFactory;
import io.dih.spi.FieldError;
import io.dih.spi.InvalidSpecException;
import io.dih.spi.SourceTable;
import io.dih.spi.UnavailableException;
import io.dih.testing.Await;
import io.dih.testing.FreePorts;
import io.dih.testing.TestingKafkaServer;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Kafka connector against a real Kafka 4.3 broker (one per JVM). */
class KafkaConnectorIT {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final AtomicInteger NAMES = new AtomicInteger();

    private static TestingKafkaServer kafka;
    private static Connector connector;
    private final ConnectorFactory factory = new KafkaConnectorFactory();

    @BeforeAll
    static void startKafka() {
        kafka = TestingKafkaServer.shared();
        connector = new KafkaConnectorFactory().create("events", Map.of("bootstrap_servers", kafka.bootstrapServers()),
                ConnectorContext.of(Map.of()));
    }

    @AfterAll
    static void closeConnector() {
        if (connector != null) {
            connector.close();
            connector.close();
        }
    }

    @Test
    void factoryIsFoundAndStreamsOnly() {
        ConnectorFactory found = ServiceLoader.load(ConnectorFactory.class).stream().map(ServiceLoader.Provider::get)
                .filter(f -> f.type().equals("kafka")).findFirst().orElseThrow();
        assertThat(found.capabilities()).containsExactly(Capability.STREAM);
        assertThat(connector.capabilities()).containsExactly(Capability.STREAM);
        assertThat(found.secretKeys()).contains("sasl.jaas.config", "ssl.keystore.password", "ssl.truststore.password",
                "ssl.key.password", "password");
    }

    @Test
    void validateNamesEachBadParameter() {
        assertThat(factory.validate(Map.of("bootstrap_servers", "127.0.0.1:9092,kafka-2:9093", "group_id", "g",
                "auto.offset.reset", "latest", "security.protocol", "PLAINTEXT"))).isEmpty();
        assertThat(factory.validate(Map.of("bootstrap_servers", List.of("a:1", "b:2")))).isEmpty();

        Map<String, Object> bad = new LinkedHashMap<>();
        bad.put("bootstrap_servers", "127.0.0.1:9092,nohost,h:70000");
        bad.put("group_id", " ");
        bad.put("colour", "red");
        bad.put("auto.offset.reset", "sometimes");
        bad.put("enable.auto.commit", "true");
        bad.put("connect_timeout_seconds", "soon");
        List<FieldError> errors = factory.validate(bad);
        assertThat(errors).extracting(FieldError::field).containsExactlyInAnyOrder(
                "connection_params.bootstrap_servers", "connection_params.bootstrap_servers", "connection_params.group_id",
                "connection_params.colour", "connection_params.auto.offset.reset", "connection_params.enable.auto.commit",
                "connection_params.connect_timeout_seconds");
        assertThat(errors.toString()).contains("'nohost' is not host:port", "'h:70000' has a port outside 1-65535", "sometimes");

        assertThat(factory.validate(Map.of())).extracting(FieldError::field).containsExactly("connection_params.bootstrap_servers");
        assertThat(factory.validate(Map.of("bootstrap_servers", "a:1", "username", "u", "password", "p")))
                .extracting(FieldError::field).containsExactly("connection_params.security.protocol");
        assertThat(factory.validate(Map.of("bootstrap_servers", "a:1", "username", "u", "password", "p",
                "security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512"))).isEmpty();
    }

    @Test
    void unreachableBrokersAreUnavailableNamingHostAndPort() {
        int port = FreePorts.next();
        Map<String, Object> params = Map.of("bootstrap_servers", "127.0.0.1:" + port, "connect_timeout_seconds", 3,
                "security.protocol", "SASL_PLAINTEXT", "username", "dih", "password", "${KAFKA_PASSWORD}");
        assertThatThrownBy(() -> factory.create("down", params, ConnectorContext.of(Map.of("KAFKA_PASSWORD", "s3cret-pw"))))
                .isInstanceOf(UnavailableException.class)
                .hasMessageContaining("127.0.0.1:" + port)
                .hasMessageContaining("no answer within 3 s")
                .hasMessageNotContaining("s3cret-pw");
        assertThatThrownBy(() -> factory.create("down", Map.of("bootstrap_servers", "127.0.0.1:" + port, "connect_timeout_seconds", 2),
                ConnectorContext.of(Map.of())))
                .isInstanceOf(UnavailableException.class)
                .hasMessageStartingWith("Kafka at 127.0.0.1:" + port + ": no answer within 2 s");
    }

    @Test
    void describeReadsTheBindingKeys() {
        String topic = topic(2);
        SourceTable t = connector.describe(binding(Map.of("topic", topic, "aggregate", Map.of("by", "x")), List.of("id")));
        assertThat(t.name()).isEqualTo(topic);
        assertThat(t.schemaless()).isTrue();
        assertThat(t.primaryKey()).containsExactly("id");
        assertThat(t.columns()).isEmpty();

        SourceTable byTable = connector.describe(new BindingSpec(topic.replace('-', '_'), null, null, null, null, null,
                Map.of("topic", topic)));
        assertThat(byTable.primaryKey()).isEmpty();

        String other = "it_" + NAMES.incrementAndGet() + "_orders";
        kafka.createTopic(other, 1);
        assertThat(connector.describe(BindingSpec.defaultFor(other)).name()).isEqualTo(other);
        assertThat(connector.describe(binding(Map.of("topics", List.of(topic, other)), null)).name()).isEqualTo(topic + "," + other);
        assertThat(connector.describe(binding(Map.of("topic_pattern", "it-.*", "format", "debezium"), null)).name()).isEqualTo("it-.*");
    }

    @Test
    void unknownBindingKeysAreNamed() {
        String topic = topic(1);
        assertThatThrownBy(() -> connector.describe(binding(Map.of("topic", topic, "colour", "red", "partitions", 3), null)))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.errors()).extracting(FieldError::field)
                        .containsExactly("colour", "partitions"));
        assertThatThrownBy(() -> connector.describe(binding(Map.of("topic", topic, "format", "avro"), null)))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("format"));
        assertThatThrownBy(() -> connector.describe(binding(Map.of("topic_pattern", "(unclosed"), null)))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("topic_pattern"));
    }

    @Test
    void aMissingTopicIsNamedWithTheCluster() {
        assertThatThrownBy(() -> connector.describe(binding(Map.of("topic", "no-such-topic"), null)))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("topic"))
                .hasMessageContaining("no-such-topic")
                .hasMessageContaining(kafka.bootstrapServers());
    }

    @Test
    void jsonMessagesOverSeveralPartitionsArriveAsUpserts() throws Exception {
        String topic = topic(3);
        List<ProducerRecord<String, String>> records = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            records.add(new ProducerRecord<>(topic, i % 3, Integer.toString(i),
                    "{\"id\":" + i + ",\"name\":\"n" + i + "\",\"amount\":1.50,\"big\":123456789012345678901234567890,"
                            + "\"active\":true,\"tags\":[1,2],\"address\":{\"city\":\"Oslo\"},\"note\":null}"));
        }
        List<RecordMetadata> sent = kafka.produce(records);
        RecordingSink sink = new RecordingSink();
        try (Running ignored = run(connector.stream("g-" + topic, List.of(binding(Map.of("topic", topic), List.of("id"))), sink))) {
            sink.awaitCount(30);
        }
        List<ChangeEvent> events = sink.events();
        assertThat(events).hasSize(30).allSatisfy(e -> {
            assertThat(e.kind()).isEqualTo(Kind.UPSERT);
            assertThat(e.table()).isEqualTo(topic);
            assertThat(e.snapshot()).isFalse();
            assertThat(e.sequence()).isZero();
        });
        for (int i = 0; i < 30; i++) {
            long id = i;
            ChangeEvent e = events.stream().filter(x -> Long.valueOf(id).equals(x.key().get("id"))).findFirst().orElseThrow();
            assertThat(e.stream()).isEqualTo(topic + "-" + (i % 3));
            assertThat(e.position()).isEqualTo(sent.get(i).offset()).isEqualTo(i / 3);
            assertThat(e.commitMillis()).isEqualTo(sent.get(i).timestamp());
            assertThat(e.key()).isEqualTo(Map.of("id", id));
            assertThat(e.row()).containsEntry("id", id).containsEntry("name", "n" + i)
                    .containsEntry("amount", new BigDecimal("1.50")).containsEntry("active", true)
                    .containsEntry("big", new BigInteger("123456789012345678901234567890"))
                    .containsEntry("tags", "[1,2]").containsEntry("address", "{\"city\":\"Oslo\"}").containsEntry("note", null);
            assertThat(e.raw()).isEqualTo(records.get(i).value());
        }
        for (int p = 0; p < 3; p++) {
            String stream = topic + "-" + p;
            assertThat(events.stream().filter(e -> e.stream().equals(stream)).map(ChangeEvent::position).toList())
                    .as("partition %s in offset order", stream).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
        }
    }

    @Test
    void tombstonesAndDeleteMarkersAreDeletes() throws Exception {
        String topic = topic(1);
        kafka.produce(topic, "7", "{\"id\":7,\"name\":\"seven\"}");
        kafka.produce(topic, "7", null);
        kafka.produce(topic, "8", "{\"id\":8,\"deleted\":true}");
        kafka.produce(topic, "{\"id\":9}", "{\"name\":\"nine\",\"deleted\":false}");
        RecordingSink sink = new RecordingSink();
        BindingSpec b = binding(Map.of("topic", topic, "delete_when", Map.of("deleted", true)), List.of("id"));
        try (Running ignored = run(connector.stream("g-" + topic, List.of(b), sink))) {
            sink.awaitCount(4);
        }
        List<ChangeEvent> events = sink.events();
        assertThat(events).extracting(ChangeEvent::kind).containsExactly(Kind.UPSERT, Kind.DELETE, Kind.DELETE, Kind.UPSERT);
        assertThat(events.get(1).key()).isEqualTo(Map.of("id", 7L));
        assertThat(events.get(1).row()).isNull();
        assertThat(events.get(1).raw()).isEqualTo("7");
        assertThat(events.get(2).key()).isEqualTo(Map.of("id", 8L));
        assertThat(events.get(3).key()).as("the key column from the message key").isEqualTo(Map.of("id", 9L));
        assertThat(events.get(3).row()).containsEntry("id", 9L).containsEntry("name", "nine");
    }

    @Test
    void withoutKeyColumnsTheMessageKeyIsTheKey() throws Exception {
        String topic = topic(1);
        kafka.produce(topic, "{\"region\":\"eu\",\"no\":1}", "{\"amount\":3}");
        kafka.produce(topic, "plain", "{\"amount\":4}");
        RecordingSink sink = new RecordingSink();
        try (Running ignored = run(connector.stream("g-" + topic, List.of(binding(Map.of("topic", topic), null)), sink))) {
            sink.awaitCount(2);
        }
        assertThat(sink.events().get(0).key()).isEqualTo(Map.of("region", "eu", "no", 1L));
        assertThat(sink.events().get(0).row()).isEqualTo(Map.of("region", "eu", "no", 1L, "amount", 3L));
        assertThat(sink.events().get(1).kind()).isEqualTo(Kind.UNREADABLE);
        assertThat(sink.events().get(1).error()).contains("no key");
    }

    @Test
    void poisonMessagesAreUnreadableAndTheRestFlows() throws Exception {
        String topic = topic(1);
        kafka.produce(topic, "1", "{\"id\":1}");
        kafka.produce(topic, "2", "not json at all");
        kafka.produce(topic, "3", "[1,2,3]");
        kafka.produce(topic, null, "{\"name\":\"no key\"}");
        kafka.produce(topic, "5", "{\"id\":5} trailing");
        kafka.produce(topic, "6", "{\"id\":6}");
        RecordingSink sink = new RecordingSink();
        try (Running ignored = run(connector.stream("g-" + topic, List.of(binding(Map.of("topic", topic), List.of("id"))), sink))) {
            sink.awaitCount(6);
        }
        List<ChangeEvent> events = sink.events();
        assertThat(events).extracting(ChangeEvent::kind).containsExactly(Kind.UPSERT, Kind.UNREADABLE, Kind.UNREADABLE,
                Kind.UNREADABLE, Kind.UNREADABLE, Kind.UPSERT);
        assertThat(events.get(1).raw()).isEqualTo("not json at all");
        assertThat(events.get(1).error()).startsWith("not a JSON object");
        assertThat(events.get(2).raw()).isEqualTo("[1,2,3]");
        assertThat(events.get(2).error()).isEqualTo("not a JSON object: a JSON array");
        assertThat(events.get(3).raw()).isEqualTo("{\"name\":\"no key\"}");
        assertThat(events.get(3).error()).isEqualTo("no value for key column 'id' in the message or its key");
        assertThat(events.get(4).error()).startsWith("not a JSON object");
        assertThat(events.subList(1, 5)).allSatisfy(e -> {
            assertThat(e.table()).isEqualTo(topic);
            assertThat(e.stream()).isEqualTo(topic + "-0");
            assertThat(e.key()).isEmpty();
            assertThat(e.row()).isNull();
        });
        assertThat(events).extracting(ChangeEvent::position).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
        assertThat(events.get(5).key()).isEqualTo(Map.of("id", 6L));
    }

    @Test
    void offsetsAreCommittedOnlyAfterApplyReturns() throws Exception {
        String topic = topic(1);
        String group = "g-" + topic;
        BindingSpec b = binding(Map.of("topic", topic), List.of("id"));
        kafka.produce(topic, "1", "{\"id\":1}");
        kafka.produce(topic, "2", "{\"id\":2}");

        RecordingSink failing = new RecordingSink(batch -> true);
        ChangeFeed first = connector.stream(group, List.of(b), failing);
        assertThatThrownBy(first::run).isInstanceOf(IllegalStateException.class).hasMessage("the sink refuses this batch");
        first.close();
        assertThat(failing.attempts()).isEqualTo(1);

        RecordingSink second = new RecordingSink();
        try (Running ignored = run(connector.stream(group, List.of(b), second))) {
            second.awaitCount(2);
            Await.until(WAIT, "the group committed both messages", () -> connector.backlog(group, List.of(b)).equals(Map.of(topic + "-0", 0L)));
        }
        assertThat(second.events()).extracting(e -> e.key().get("id")).containsExactly(1L, 2L);

        kafka.produce(topic, "3", "{\"id\":3}");
        RecordingSink third = new RecordingSink();
        try (Running ignored = run(connector.stream(group, List.of(b), third))) {
            third.awaitCount(1);
        }
        assertThat(third.events()).as("only what the group had not committed").extracting(ChangeEvent::position).containsExactly(2L);
    }

    @Test
    void closeStopsTheFeedAndIsIdempotent() throws Exception {
        String topic = topic(1);
        kafka.produce(topic, "1", "{\"id\":1}");
        RecordingSink sink = new RecordingSink();
        ChangeFeed feed = connector.stream("g-" + topic, List.of(binding(Map.of("topic", topic), List.of("id"))), sink);
        Running running = run(feed);
        sink.awaitCount(1); // the feed is polling
        running.close();
        feed.close();

        ChangeFeed never = connector.stream("g2-" + topic, List.of(binding(Map.of("topic", topic), List.of("id"))), new RecordingSink());
        never.close();
        never.run(); // returns at once
    }

    @Test
    void membersOfOneGroupSharePartitionsAndTakeOverWhenOneLeaves() throws Exception {
        String topic = topic(4);
        String group = "g-" + topic;
        BindingSpec b = binding(Map.of("topic", topic), List.of("id"));
        RecordingSink a = new RecordingSink();
        RecordingSink c = new RecordingSink();
        AtomicInteger ids = new AtomicInteger();
        Set<Long> produced = new HashSet<>();
        try (Running runningA = run(connector.stream(group, List.of(b), a))) {
            roundUntil(topic, ids, produced, List.of(a), "the first member reads all 4 partitions", r -> a.partitionsOf(r).size() == 4);
            try (Running runningC = run(connector.stream(group, List.of(b), c))) {
                roundUntil(topic, ids, produced, List.of(a, c), "both members read some of the 4 partitions",
                        r -> !a.partitionsOf(r).isEmpty() && !c.partitionsOf(r).isEmpty());
            }
            roundUntil(topic, ids, produced, List.of(a, c), "the remaining member reads all 4 partitions again",
                    r -> a.partitionsOf(r).size() == 4);
        }
        Set<Object> received = new HashSet<>();
        a.events().forEach(e -> received.add(e.key().get("id")));
        c.events().forEach(e -> received.add(e.key().get("id")));
        assertThat(received).as("no message lost").containsAll(produced);
    }

    /** Produces rounds of one message per partition until a round's messages have all arrived and {@code done} holds for it. */
    private void roundUntil(String topic, AtomicInteger ids, Set<Long> produced, List<RecordingSink> sinks, String what,
                            Predicate<Set<Long>> done) {
        Await.until(WAIT, what, () -> {
            Set<Long> round = new HashSet<>();
            List<ProducerRecord<String, String>> records = new ArrayList<>();
            for (int p = 0; p < 4; p++) {
                long id = ids.incrementAndGet();
                round.add(id);
                records.add(new ProducerRecord<>(topic, p, Long.toString(id), "{\"id\":" + id + "}"));
            }
            kafka.produce(records);
            produced.addAll(round);
            Await.until(WAIT, "round " + round + " arrives", () -> sinks.stream()
                    .flatMap(s -> s.events().stream()).map(e -> e.key().get("id")).collect(Collectors.toSet()).containsAll(round));
            return done.test(round);
        });
    }

    @Test
    void backlogIsEndMinusCommittedPerPartition() throws Exception {
        String topic = topic(2);
        String group = "g-" + topic;
        BindingSpec b = binding(Map.of("topic", topic), List.of("id"));
        for (int i = 0; i < 3; i++) {
            kafka.produce(topic, 0, Integer.toString(i), "{\"id\":" + i + "}");
        }
        for (int i = 3; i < 5; i++) {
            kafka.produce(topic, 1, Integer.toString(i), "{\"id\":" + i + "}");
        }
        assertThat(connector.backlog(group, List.of(b))).isEqualTo(Map.of(topic + "-0", 3L, topic + "-1", 2L));

        RecordingSink sink = new RecordingSink();
        try (Running ignored = run(connector.stream(group, List.of(b), sink))) {
            sink.awaitCount(5);
            Await.until(WAIT, "the group committed every message",
                    () -> connector.backlog(group, List.of(b)).equals(Map.of(topic + "-0", 0L, topic + "-1", 0L)));
        }
        kafka.produce(topic, 1, "9", "{\"id\":9}");
        assertThat(connector.backlog(group, List.of(b))).isEqualTo(Map.of(topic + "-0", 0L, topic + "-1", 1L));
        assertThat(connector.backlog(group, List.of(binding(Map.of("topic_pattern", topic.replace("-", "\\-")), null))))
                .isEqualTo(Map.of(topic + "-0", 0L, topic + "-1", 1L));
    }

    @Test
    void theGroupIdParameterNamesTheGroup() throws Exception {
        String topic = topic(1);
        String group = "fixed-" + topic;
        kafka.produce(topic, "1", "{\"id\":1}");
        BindingSpec b = binding(Map.of("topic", topic), List.of("id"));
        try (Connector fixed = factory.create("fixed", Map.of("bootstrap_servers", kafka.bootstrapServers(), "group_id", group,
                "max.poll.records", 1), ConnectorContext.of(Map.of()))) {
            RecordingSink sink = new RecordingSink();
            try (Running ignored = run(fixed.stream("the-hubs-name", List.of(b), sink))) {
                sink.awaitCount(1);
                Await.until(WAIT, "group " + group + " committed the message",
                        () -> fixed.backlog("another-name", List.of(b)).equals(Map.of(topic + "-0", 0L)));
            }
        }
        assertThat(kafka.admin().listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get())
                .containsOnlyKeys(new TopicPartition(topic, 0))
                .hasEntrySatisfying(new TopicPartition(topic, 0), o -> assertThat(o.offset()).isEqualTo(1));
        assertThat(connector.backlog("the-hubs-name", List.of(b))).as("nothing under the hub's name").isEqualTo(Map.of(topic + "-0", 1L));
    }

    @Test
    void debeziumEnvelopes() throws Exception {
        String topic = topic(1);
        String key1 = "{\"schema\":{\"type\":\"struct\"},\"payload\":{\"id\":1}}";
        kafka.produce(topic, key1, "{\"schema\":{\"type\":\"struct\"},\"payload\":{\"before\":null,\"after\":{\"id\":1,\"name\":\"a\"},"
                + "\"op\":\"c\",\"ts_ms\":1700000000500,\"source\":{\"ts_ms\":1700000000000}}}");
        kafka.produce(topic, "{\"id\":1}", "{\"before\":{\"id\":1,\"name\":\"a\"},\"after\":{\"id\":1,\"name\":\"b\"},"
                + "\"op\":\"u\",\"ts_ms\":1700000001500}");
        kafka.produce(topic, "{\"id\":1}", "{\"before\":{\"id\":1,\"name\":\"b\"},\"after\":null,\"op\":\"d\","
                + "\"source\":{\"ts_ms\":1700000002000}}");
        kafka.produce(topic, "{\"id\":1}", null);
        kafka.produce(topic, "{\"id\":2}", "{\"before\":null,\"after\":{\"id\":2},\"op\":\"x\"}");
        kafka.produce(topic, null, "{\"op\":\"t\",\"ts_ms\":1700000003000}");
        kafka.produce(topic, "{\"id\":3}", "{\"before\":null,\"after\":{\"id\":3},\"op\":\"r\"}");
        RecordingSink sink = new RecordingSink();
        BindingSpec b = binding(Map.of("topic", topic, "format", "debezium"), List.of("id"));
        try (Running ignored = run(connector.stream("g-" + topic, List.of(b), sink))) {
            sink.awaitCount(7);
        }
        List<ChangeEvent> events = sink.events();
        assertThat(events).extracting(ChangeEvent::kind).containsExactly(Kind.UPSERT, Kind.UPSERT, Kind.DELETE, Kind.DELETE,
                Kind.UNREADABLE, Kind.TRUNCATE, Kind.UPSERT);
        assertThat(events.get(0).row()).isEqualTo(Map.of("id", 1L, "name", "a"));
        assertThat(events.get(0).key()).isEqualTo(Map.of("id", 1L));
        assertThat(events.get(0).commitMillis()).as("source.ts_ms").isEqualTo(1700000000000L);
        assertThat(events.get(1).row()).isEqualTo(Map.of("id", 1L, "name", "b"));
        assertThat(events.get(1).commitMillis()).as("ts_ms").isEqualTo(1700000001500L);
        assertThat(events.get(2).key()).isEqualTo(Map.of("id", 1L));
        assertThat(events.get(2).row()).isNull();
        assertThat(events.get(2).commitMillis()).isEqualTo(1700000002000L);
        assertThat(events.get(3).key()).as("Debezium's tombstone").isEqualTo(Map.of("id", 1L));
        assertThat(events.get(4).error()).isEqualTo("unknown Debezium operation 'x'");
        assertThat(events.get(4).raw()).contains("\"op\":\"x\"");
        assertThat(events.get(5).key()).isEmpty();
        assertThat(events.get(5).commitMillis()).isEqualTo(1700000003000L);
        assertThat(events.get(6).key()).isEqualTo(Map.of("id", 3L));
        assertThat(events).allSatisfy(e -> assertThat(e.table()).isEqualTo(topic));
    }

    @Test
    void oneTopicFeedsEveryBindingThatReadsIt() throws Exception {
        String topic = topic(1);
        kafka.produce(topic, "1", "{\"id\":1,\"deleted\":true}");
        RecordingSink sink = new RecordingSink();
        BindingSpec plain = binding(Map.of("topic", topic), List.of("id"));
        BindingSpec marked = binding(Map.of("topic_pattern", topic.replace("-", "\\-"), "delete_when", Map.of("deleted", true)), List.of("id"));
        try (Running ignored = run(connector.stream("g-" + topic, List.of(plain, marked), sink))) {
            sink.awaitCount(2);
        }
        assertThat(sink.events()).extracting(ChangeEvent::table, ChangeEvent::kind).containsExactlyInAnyOrder(
                tuple(topic, Kind.UPSERT), tuple(topic.replace("-", "\\-"), Kind.DELETE));
    }

    private static String topic(int partitions) {
        String name = "it-" + NAMES.incrementAndGet() + "-" + Long.toHexString(System.nanoTime() & 0xffffff);
        kafka.createTopic(name, partitions);
        return name;
    }

    private static BindingSpec binding(Map<String, Object> options, List<String> keyColumns) {
        return new BindingSpec(null, null, keyColumns, null, null, null, options);
    }

    /** A feed running on a thread of its own; close stops it and fails the test if it ended with an error. */
    private static Running run(ChangeFeed feed) {
        return new Running(feed);
    }

    private static final class Running implements AutoCloseable {
        private final ChangeFeed feed;
        private final Thread thread;
        private final AtomicReference<Throwable> failure = new AtomicReference<>();

        Running(ChangeFeed feed) {
            this.feed = feed;
            this.thread = new Thread(() -> {
                try {
                    feed.run();
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "feed-" + feed);
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            feed.close();
            thread.join(WAIT.toMillis());
            assertThat(thread.isAlive()).as("the feed's run() returned after close()").isFalse();
            assertThat(failure.get()).as("what stopped the feed").isNull();
        }
    }

    /** Records every batch; optionally refuses batches. */
    private static final class RecordingSink implements ChangeSink {
        private final Predicate<List<ChangeEvent>> refuse;
        private final List<ChangeEvent> events = new ArrayList<>();
        private int attempts;

        RecordingSink() {
            this(batch -> false);
        }

        RecordingSink(Predicate<List<ChangeEvent>> refuse) {
            this.refuse = refuse;
        }

        @Override
        public synchronized void apply(List<ChangeEvent> batch) {
            attempts++;
            if (refuse.test(batch)) {
                throw new IllegalStateException("the sink refuses this batch");
            }
            events.addAll(batch);
        }

        synchronized List<ChangeEvent> events() {
            return List.copyOf(events);
        }

        synchronized int attempts() {
            return attempts;
        }

        /** The partitions that brought this sink messages with these ids. */
        synchronized Set<String> partitionsOf(Set<Long> ids) {
            return events.stream().filter(e -> ids.contains(e.key().get("id"))).map(ChangeEvent::stream).collect(Collectors.toSet());
        }

        void awaitCount(int n) {
            Await.until(WAIT, n + " events arrive", () -> events().size() >= n);
        }
    }
}
