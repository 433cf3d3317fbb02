package io.dih.server.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dih.server.testing.Rest;
import io.dih.server.testing.TestingHubCluster;
import io.dih.testing.Await;
import io.dih.testing.TestingKafkaServer;
import java.time.Duration;
import java.time.Instant;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Kafka topics streamed into regions of a two-node hub: JSON upserts, tombstones and poison messages, a Debezium JSON
 * envelope topic (a company's existing Debezium → Kafka feed), tumbling windows that add up exactly, and the
 * registration errors (unreachable brokers, missing topic, unknown binding key).
 */
class KafkaStreamIT {
    static final String REGIONS = "/api/v1/dih/cache-regions";
    static final String SOURCES = "/api/v1/dih/data-sources";

    static TestingKafkaServer kafka;
    static TestingHubCluster cluster;
    static Rest rest;
    static Rest rest2;

    @BeforeAll
    static void start() {
        kafka = TestingKafkaServer.shared();
        cluster = TestingHubCluster.start(2);
        rest = new Rest(cluster.node(0).baseUrl());
        rest2 = new Rest(cluster.node(1).baseUrl());
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** A kafka source: a group rebalance after a consumer leaves takes seconds, not the 45 s default. */
    static String source(String name, String region, String binding) {
        return """
                {"source_name": "%s", "source_type": "kafka",
                 "connection_params": {"bootstrap_servers": "%s", "session.timeout.ms": 6000, "heartbeat.interval.ms": 1000},
                 "target_regions": ["%s"], "bindings": {"%s": %s}}"""
                .formatted(name, kafka.bootstrapServers(), region, region, binding);
    }

    static JsonNode status(String source) {
        return rest.get(SOURCES + "/" + source + "/status").json();
    }

    static Map.Entry<String, String> msg(String key, String json) {
        return new AbstractMap.SimpleEntry<>(key, json); // a null value: a tombstone
    }

    static Map<String, JsonNode> rows(Rest on, String sql) {
        JsonNode answer = on.post("/api/v1/dih/sql-query", "{\"query\": \"" + sql + "\", \"page_size\": 10000}").json();
        Map<String, JsonNode> out = new HashMap<>();
        answer.path("rows").forEach(r -> out.put(r.get(0).asText(), r));
        return out;
    }

    @Test
    void jsonMessagesTombstonesAndPoisonFlowIntoTheRegion() {
        kafka.createTopic("orders", 3);
        assertThat(rest.post(REGIONS, "{\"name\": \"orders\", \"fields\": {\"id\": \"BIGINT\", \"item\": \"VARCHAR\", \"qty\": \"INT\"}}")
                .status()).isEqualTo(201);
        Rest.Response reg = rest.post(SOURCES, source("kafka_orders", "orders", "{\"topic\": \"orders\", \"key_columns\": [\"id\"]}"));
        assertThat(reg.status()).as(reg.toString()).isEqualTo(201);
        assertThat(reg.json().path("sync_mode").asText()).isEqualTo("STREAM");
        List<Map.Entry<String, String>> messages = new ArrayList<>();
        Map<String, Integer> expected = new HashMap<>();
        for (int id = 1; id <= 200; id++) {
            messages.add(msg(Integer.toString(id), "{\"id\": " + id + ", \"item\": \"i" + id + "\", \"qty\": 1}"));
            expected.put(Integer.toString(id), 1);
        }
        for (int id = 1; id <= 200; id += 2) {
            messages.add(msg(Integer.toString(id), "{\"id\": " + id + ", \"item\": \"i" + id + "\", \"qty\": 5}"));
            expected.put(Integer.toString(id), 5);
        }
        messages.add(msg("10", null)); // a tombstone deletes
        expected.remove("10");
        messages.add(msg("900", "{not json"));
        messages.add(msg("901", "{\"id\": 901, \"qty\": \"many\"}"));
        messages.add(msg("902", "{\"id\": 902, \"colour\": \"red\"}"));
        messages.add(msg(null, "{\"item\": \"no key\"}"));
        messages.add(msg("201", "{\"id\": 201, \"item\": \"after the poison\", \"qty\": 2}"));
        expected.put("201", 2);
        kafka.sendAll("orders", messages);

        Await.until(Duration.ofSeconds(60), "the region holds the last value of every key", () -> {
            Map<String, Integer> actual = new HashMap<>();
            rows(rest2, "SELECT id, qty FROM orders").forEach((k, r) -> actual.put(k, r.get(1).asInt()));
            return actual.equals(expected);
        });
        Await.until(Duration.ofSeconds(30), "the poison is dead-lettered", () -> status("kafka_orders").path("dead_letters").asLong() == 4);
        JsonNode letters = rest.get(SOURCES + "/kafka_orders/dead-letters").json();
        letters.path("dead_letters").forEach(l -> assertThat(l.path("position").asText()).as(l.toString()).matches("orders-[0-2]@\\d+"));
        Await.until(Duration.ofSeconds(30), "the group's backlog drained", () -> {
            JsonNode s = status("kafka_orders").path("stream");
            return s.path("backlog").size() == 3 && s.path("backlog_total").asLong() == 0 && s.path("messages").asLong() >= messages.size();
        });
        assertThat(status("kafka_orders").path("stream").path("group").asText()).isEqualTo("dih_kafka_orders");

        // paused, the consumers leave the group; resumed, they go on from the committed offsets (no message applied twice)
        long before = status("kafka_orders").path("stream").path("messages").asLong();
        assertThat(rest.post(SOURCES + "/kafka_orders/pause", "").status()).isEqualTo(200);
        kafka.sendAll("orders", List.of(msg("300", "{\"id\": 300, \"item\": \"while paused\", \"qty\": 3}")));
        Await.until(Duration.ofSeconds(30), "the backlog while paused", () -> status("kafka_orders").path("stream").path("backlog_total").asLong() == 1);
        assertThat(rest.post(SOURCES + "/kafka_orders/resume", "").status()).isEqualTo(200);
        Await.until(Duration.ofSeconds(60), "the message sent while paused", () -> rest2.get(REGIONS + "/orders/entries/300").status() == 200);
        Await.until(Duration.ofSeconds(10), "counted", () -> status("kafka_orders").path("stream").path("messages").asLong() == before + 1);
        assertThat(rest.delete(SOURCES + "/kafka_orders").status()).isEqualTo(204);
    }

    @Test
    void aDebeziumEnvelopeTopicFillsARegion() {
        kafka.createTopic("pg.public.customers", 2);
        assertThat(rest.post(REGIONS, "{\"name\": \"customers\", \"fields\": {\"id\": \"BIGINT\", \"name\": \"VARCHAR\"}}").status()).isEqualTo(201);
        Rest.Response reg = rest.post(SOURCES, source("dbz", "customers", "{\"topic\": \"pg.public.customers\", \"format\": \"debezium\", "
                + "\"key_columns\": [\"id\"]}"));
        assertThat(reg.status()).as(reg.toString()).isEqualTo(201);
        kafka.sendAll("pg.public.customers", List.of(
                msg("{\"id\": 1}", "{\"before\": null, \"after\": {\"id\": 1, \"name\": \"Ada\"}, \"op\": \"c\", \"ts_ms\": 1700000000000}"),
                msg("{\"id\": 2}", "{\"schema\": {}, \"payload\": {\"before\": null, \"after\": {\"id\": 2, \"name\": \"Bob\"}, \"op\": \"r\"}}"),
                msg("{\"id\": 1}", "{\"before\": {\"id\": 1, \"name\": \"Ada\"}, \"after\": {\"id\": 1, \"name\": \"Ada L.\"}, \"op\": \"u\"}"),
                msg("{\"id\": 2}", "{\"before\": {\"id\": 2, \"name\": \"Bob\"}, \"after\": null, \"op\": \"d\"}"),
                msg("{\"id\": 2}", null), // Debezium's tombstone after a delete
                msg("{\"id\": 3}", "{\"before\": null, \"after\": {\"id\": 3}, \"op\": \"x\"}")));
        Await.until(Duration.ofSeconds(60), "the changes", () -> "Ada L.".equals(rest2.get(REGIONS + "/customers/entries/1").json().path("name").asText())
                && rest2.get(REGIONS + "/customers/entries/2").status() == 404
                && status("dbz").path("dead_letters").asLong() == 1);
        assertThat(rest.get(SOURCES + "/dbz/dead-letters").json().path("dead_letters").get(0).path("error").asText()).contains("'x'");
        assertThat(rest.delete(SOURCES + "/dbz").status()).isEqualTo(204);
    }

    @Test
    void tumblingWindowsAddUpExactly() {
        kafka.createTopic("metrics", 2);
        assertThat(rest.post(REGIONS, """
                {"name": "realtime_metrics", "key_fields": ["sensor", "window_start"],
                 "fields": {"sensor": "VARCHAR", "window_start": "TIMESTAMP"}, "expiry_policy": {"create": 300}}""").status()).isEqualTo(201);
        Rest.Response reg = rest.post(SOURCES, source("metrics_stream", "realtime_metrics", """
                {"topic": "metrics", "aggregate": {"window_seconds": 60, "group_by": ["sensor"], "time_field": "ts",
                  "measures": {"readings": "count", "total": "sum(value)", "mean": "avg(value)", "low": "min(value)", "high": "max(value)"}}}"""));
        assertThat(reg.status()).as(reg.toString()).isEqualTo(201);
        long minute = Instant.now().toEpochMilli() / 60_000 * 60_000 - 120_000;
        List<Map.Entry<String, String>> messages = new ArrayList<>();
        double[] sums = new double[4];
        long[] counts = new long[4];
        for (int i = 0; i < 400; i++) {
            String sensor = i % 2 == 0 ? "a" : "b";
            int window = (i / 2) % 2; // two windows per sensor
            long ts = minute + window * 60_000 + (i % 50) * 1000;
            double value = i % 7 + 0.5;
            sums[(sensor.equals("a") ? 0 : 2) + window] += value;
            counts[(sensor.equals("a") ? 0 : 2) + window]++;
            messages.add(msg(sensor, "{\"sensor\": \"" + sensor + "\", \"ts\": " + ts + ", \"value\": " + value + "}"));
        }
        messages.add(msg("a", "{\"sensor\": \"a\", \"ts\": " + minute + ", \"value\": \"hot\"}")); // not a number: a dead letter
        kafka.sendAll("metrics", messages);
        Await.until(Duration.ofSeconds(60), "every reading counted", () -> rows(rest2, "SELECT sensor, SUM(readings) FROM realtime_metrics GROUP BY sensor")
                .values().stream().mapToLong(r -> r.get(1).asLong()).sum() == 400);
        JsonNode answer = rest.post("/api/v1/dih/sql-query", "{\"query\": \"SELECT sensor, window_start, window_end, readings, total, mean, low, high "
                + "FROM realtime_metrics ORDER BY sensor, window_start\"}").json();
        assertThat(answer.path("rows").size()).as(answer.toString()).isEqualTo(4);
        int i = 0;
        for (JsonNode r : answer.path("rows")) {
            assertThat(r.get(3).asLong()).as(r.toString()).isEqualTo(counts[i]);
            assertThat(r.get(4).asDouble()).as(r.toString()).isEqualTo(sums[i]);
            assertThat(r.get(5).asDouble()).as(r.toString()).isCloseTo(sums[i] / counts[i], org.assertj.core.data.Offset.offset(1e-9));
            assertThat(r.get(6).asDouble()).isEqualTo(0.5);
            assertThat(r.get(7).asDouble()).isEqualTo(6.5);
            assertThat(Instant.parse(r.get(2).asText()).toEpochMilli() - Instant.parse(r.get(1).asText()).toEpochMilli()).isEqualTo(60_000);
            i++;
        }
        Await.until(Duration.ofSeconds(30), "the bad reading is a dead letter", () -> status("metrics_stream").path("dead_letters").asLong() == 1);
        assertThat(rest.delete(SOURCES + "/metrics_stream").status()).isEqualTo(204);
    }

    @Test
    void registrationSaysWhatIsWrong() {
        assertThat(rest.post(REGIONS, "{\"name\": \"k_bad\", \"fields\": {\"id\": \"BIGINT\"}}").status()).isEqualTo(201);
        Rest.Response down = rest.post(SOURCES, """
                {"source_name": "k1", "source_type": "kafka", "connection_params": {"bootstrap_servers": "127.0.0.1:1", "connect_timeout_seconds": 2},
                 "target_regions": ["k_bad"], "bindings": {"k_bad": {"topic": "x"}}}""");
        assertThat(down.status()).as(down.toString()).isEqualTo(400);
        assertThat(down.json().path("detail").asText()).contains("127.0.0.1:1");
        Rest.Response missing = rest.post(SOURCES, source("k2", "k_bad", "{\"topic\": \"no_such_topic\"}"));
        assertThat(missing.status()).as(missing.toString()).isEqualTo(400);
        assertThat(missing.json().path("field").asText()).isEqualTo("bindings.k_bad.topic");
        kafka.createTopic("k_bad_topic", 1);
        Rest.Response unknown = rest.post(SOURCES, source("k3", "k_bad", "{\"topic\": \"k_bad_topic\", \"partition\": 0}"));
        assertThat(unknown.status()).as(unknown.toString()).isEqualTo(400);
        assertThat(unknown.json().path("field").asText()).isEqualTo("bindings.k_bad.partition");
        Rest.Response window = rest.post(SOURCES, source("k4", "k_bad", "{\"topic\": \"k_bad_topic\", \"aggregate\": {\"window_seconds\": 10, "
                + "\"group_by\": [\"sensor\"], \"measures\": {\"n\": \"median(x)\"}}}"));
        assertThat(window.status()).as(window.toString()).isEqualTo(400);
        assertThat(window.json().path("field").asText()).isEqualTo("bindings.k_bad.aggregate.measures.n");
        Rest.Response keyed = rest.post(SOURCES, source("k5", "k_bad", "{\"topic\": \"k_bad_topic\", \"aggregate\": {\"window_seconds\": 10, "
                + "\"group_by\": [\"sensor\"], \"measures\": {\"n\": \"count\"}}}"));
        assertThat(keyed.status()).as(keyed.toString()).isEqualTo(400); // the region is not keyed by sensor and window_start
        assertThat(keyed.json().path("field").asText()).isEqualTo("bindings.k_bad.aggregate.group_by");
        assertThat(rest.get(SOURCES).json().path("sources").size()).isZero();
    }
}
