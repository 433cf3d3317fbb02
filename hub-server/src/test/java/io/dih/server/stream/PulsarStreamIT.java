package io.dih.server.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dih.server.testing.Rest;
import io.dih.server.testing.TestingHubCluster;
import io.dih.testing.Await;
import io.dih.testing.TestingPulsarServer;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A Pulsar topic streamed into a region of a two-node hub (sync_mode STREAM, the type's default): one consumer per
 * node in one Key_Shared subscription, upserts and deletes by key, poison messages as dead letters while the rest
 * flows, status with backlog, pause and resume, and the registration errors.
 */
class PulsarStreamIT {
    static final String REGIONS = "/api/v1/dih/cache-regions";
    static final String SOURCES = "/api/v1/dih/data-sources";

    static TestingPulsarServer pulsar;
    static TestingHubCluster cluster;
    static Rest rest;
    static Rest rest2;

    @BeforeAll
    static void start() {
        pulsar = TestingPulsarServer.shared();
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

    static String source(String name, String region, String binding) {
        return """
                {"source_name": "%s", "source_type": "pulsar",
                 "connection_params": {"service_url": "%s", "admin_url": "%s"},
                 "target_regions": ["%s"], "bindings": {"%s": %s}}"""
                .formatted(name, pulsar.serviceUrl(), pulsar.adminUrl(), region, region, binding);
    }

    static JsonNode status(String source) {
        return rest.get(SOURCES + "/" + source + "/status").json();
    }

    static Map.Entry<String, String> msg(long id, String json) {
        return new AbstractMap.SimpleEntry<>(Long.toString(id), json); // a null payload: an empty message
    }

    /** The region's rows, id to qty, read with SQL on one node. */
    static Map<Long, Integer> rows(Rest on) {
        JsonNode rows = on.post("/api/v1/dih/sql-query", "{\"query\": \"SELECT id, qty FROM readings\", \"page_size\": 10000}").json();
        Map<Long, Integer> out = new HashMap<>();
        rows.path("rows").forEach(r -> out.put(r.get(0).asLong(), r.get(1).asInt()));
        return out;
    }

    @Test
    void messagesUpsertAndDeleteByKeyPoisonIsDeadLetteredAndTheRestFlows() throws Exception {
        pulsar.createPartitionedTopic("readings", 3);
        assertThat(rest.post(REGIONS, "{\"name\": \"readings\", \"fields\": {\"id\": \"BIGINT\", \"name\": \"VARCHAR\", \"qty\": \"INT\"}}")
                .status()).isEqualTo(201);
        Rest.Response reg = rest.post(SOURCES, source("pulsar_readings", "readings", "{\"topic\": \"readings\", \"key_columns\": [\"id\"]}"));
        assertThat(reg.status()).as(reg.toString()).isEqualTo(201);
        assertThat(reg.json().path("sync_mode").asText()).isEqualTo("STREAM");
        Await.until(Duration.ofSeconds(60), "a consumer on each node", () -> status("pulsar_readings").path("stream").path("consumers").size() == 2
                && "RUNNING".equals(status("pulsar_readings").path("stream").path("state").asText()));

        List<Map.Entry<String, String>> messages = new ArrayList<>();
        Map<Long, Integer> expected = new HashMap<>();
        for (long id = 1; id <= 300; id++) {
            messages.add(msg(id, "{\"id\": " + id + ", \"name\": \"r" + id + "\", \"qty\": 1}"));
            expected.put(id, 1);
        }
        for (long id = 1; id <= 300; id += 3) {
            messages.add(msg(id, "{\"id\": " + id + ", \"name\": \"r" + id + "\", \"qty\": 2}")); // a newer value of the key
            expected.put(id, 2);
        }
        messages.add(msg(7, null)); // an empty payload: a delete
        expected.remove(7L);
        messages.add(msg(1000, "not json at all"));
        messages.add(msg(1001, "{\"id\": 1001, \"name\": \"x\", \"qty\": \"lots\"}")); // a value that does not fit its column
        messages.add(msg(1002, "{\"id\": 1002, \"name\": \"x\", \"color\": \"red\"}")); // a field the region lacks
        messages.add(new AbstractMap.SimpleEntry<>(null, "{\"name\": \"no key\"}")); // no key anywhere
        for (long id = 301; id <= 310; id++) { // after the poison: still flows
            messages.add(msg(id, "{\"id\": " + id + ", \"name\": \"r" + id + "\", \"qty\": 3}"));
            expected.put(id, 3);
        }
        pulsar.send("readings", messages);

        Await.until(Duration.ofSeconds(60), "the region holds the last value of every key", () -> rows(rest2).equals(expected));
        assertThat(rows(rest)).isEqualTo(expected);

        Await.until(Duration.ofSeconds(30), "the poison counted", () -> status("pulsar_readings").path("dead_letters").asLong() == 4);
        JsonNode letters = rest2.get(SOURCES + "/pulsar_readings/dead-letters").json();
        assertThat(letters.path("count").asLong()).isEqualTo(4);
        List<String> errors = new ArrayList<>();
        letters.path("dead_letters").forEach(l -> {
            errors.add(l.path("error").asText());
            assertThat(l.path("position").asText()).as(l.toString()).contains("readings-partition-");
            assertThat(l.path("region").asText()).isEqualTo("readings");
        });
        assertThat(String.join("\n", errors)).contains("JSON").contains("qty").contains("color").contains("key");
        JsonNode poison = null;
        for (JsonNode l : letters.path("dead_letters")) {
            if ("not json at all".equals(l.path("payload").asText())) {
                poison = l;
            }
        }
        assertThat(poison).as(letters.toString()).isNotNull();
        assertThat(poison.path("op").asText()).isEqualTo("UNREADABLE");
        assertThat(rest.post(SOURCES + "/pulsar_readings/dead-letters/" + poison.path("id").asText() + "/retry", "").status()).isEqualTo(409);
        assertThat(rest.delete(SOURCES + "/pulsar_readings/dead-letters/" + poison.path("id").asText()).status()).isEqualTo(204);

        // status is published once a second by each consumer
        Await.until(Duration.ofSeconds(10), "the messages counted", () -> status("pulsar_readings").path("stream").path("messages").asLong()
                >= messages.size());
        JsonNode st = status("pulsar_readings");
        assertThat(st.path("sync_mode").asText()).isEqualTo("STREAM");
        assertThat(st.path("regions").path("readings").path("kind").asText()).isEqualTo("stream");
        Await.until(Duration.ofSeconds(30), "the backlog drained", () -> status("pulsar_readings").path("stream").path("backlog_total").asLong() == 0
                && status("pulsar_readings").path("stream").path("backlog").size() == 3);
        String metrics = rest.get("/api/v1/dih/metrics").body();
        assertThat(metrics).containsPattern("dih_stream_messages\\{[^}]*source=\"pulsar_readings\"").contains("dih_stream_backlog{");

        // paused: the broker keeps the messages; resumed: they come
        assertThat(rest.post(SOURCES + "/pulsar_readings/pause", "").json().path("stream").path("state").asText()).isEqualTo("PAUSED");
        pulsar.send("readings", List.of(msg(500, "{\"id\": 500, \"name\": \"while paused\", \"qty\": 5}")));
        Await.until(Duration.ofSeconds(30), "the backlog while paused", () -> status("pulsar_readings").path("stream").path("backlog_total").asLong() == 1);
        assertThat(rest2.get(REGIONS + "/readings/entries/500").status()).isEqualTo(404);
        assertThat(rest.post(SOURCES + "/pulsar_readings/resume", "").status()).isEqualTo(200);
        Await.until(Duration.ofSeconds(60), "the message sent while paused", () -> rest2.get(REGIONS + "/readings/entries/500").status() == 200);

        assertThat(rest.delete(REGIONS + "/readings").status()).isEqualTo(409); // a stream feeds it
        assertThat(rest.delete(SOURCES + "/pulsar_readings").status()).isEqualTo(204);
        assertThat(rest.delete(REGIONS + "/readings").status()).isEqualTo(204);
    }

    @Test
    void registrationSaysWhatIsWrong() {
        assertThat(rest.post(REGIONS, "{\"name\": \"bad_stream\", \"fields\": {\"id\": \"BIGINT\"}}").status()).isEqualTo(201);
        Rest.Response missing = rest.post(SOURCES, source("bad1", "bad_stream", "{\"topic\": \"no_such_topic\"}"));
        assertThat(missing.status()).as(missing.toString()).isEqualTo(400);
        assertThat(missing.json().path("detail").asText()).contains("no_such_topic");
        pulsar.createTopic("bad_stream_topic");
        Rest.Response unknown = rest.post(SOURCES, source("bad2", "bad_stream", "{\"topic\": \"bad_stream_topic\", \"partitions\": 3}"));
        assertThat(unknown.status()).as(unknown.toString()).isEqualTo(400);
        assertThat(unknown.json().path("field").asText()).isEqualTo("bindings.bad_stream.partitions");
        Rest.Response down = rest.post(SOURCES, """
                {"source_name": "bad3", "source_type": "pulsar", "connection_params": {"service_url": "pulsar://127.0.0.1:1"},
                 "target_regions": ["bad_stream"]}""");
        assertThat(down.status()).as(down.toString()).isEqualTo(400);
        assertThat(down.json().path("detail").asText()).contains("127.0.0.1:1");
        Rest.Response load = rest.post(SOURCES, source("bad4", "bad_stream", "{\"topic\": \"bad_stream_topic\"}").replace("\"pulsar\",",
                "\"pulsar\", \"sync_mode\": \"LOAD\","));
        assertThat(load.status()).as(load.toString()).isEqualTo(400);
        assertThat(load.json().path("field").asText()).isEqualTo("sync_mode");
        Rest.Response windows = rest.post(SOURCES, source("bad5", "bad_stream", "{\"topic\": \"bad_stream_topic\", \"aggregate\": "
                + "{\"window_seconds\": 60, \"group_by\": [\"id\"], \"measures\": {\"n\": \"count\"}}}"));
        assertThat(windows.status()).as(windows.toString()).isEqualTo(400); // Key_Shared consumers share partitions
        assertThat(windows.json().path("field").asText()).isEqualTo("bindings.bad_stream.aggregate");
        assertThat(windows.json().path("detail").asText()).contains("Failover");
        assertThat(rest.get(SOURCES).json().path("sources").size()).isZero();
    }
}
