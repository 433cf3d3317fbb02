package io.dih.server.source;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dih.server.testing.Rest;
import io.dih.server.testing.TestingHubCluster;
import io.dih.testing.Await;
import io.dih.testing.FreePorts;
import io.dih.testing.TestingElasticsearchServer;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An Elasticsearch 8 source end to end through REST: a load (point in time + search_after) with a document that does not
 * fit its region as a dead letter, read-through and write-through by document id with a value the index mapping
 * refuses, write-behind with a refused item as a dead letter, and write-behind through an Elasticsearch outage (a node
 * of this test's own, stopped and restarted): nothing acknowledged is lost, the node stays up, no password leaks.
 */
class ElasticsearchSourceIT {
    static final String REGIONS = "/api/v1/dih/cache-regions";
    static final String SOURCES = "/api/v1/dih/data-sources";
    /** Accounts: {@code addr} is an {@code ip} field, so a text that is no address is refused by the mapping, not the hub. */
    static final String ACCOUNTS = "{\"dynamic\":\"strict\",\"properties\":{\"id\":{\"type\":\"long\"},\"owner\":{\"type\":\"keyword\"},"
            + "\"balance\":{\"type\":\"double\",\"meta\":{\"sql_type\":\"DECIMAL\"}},\"addr\":{\"type\":\"ip\"}}}";
    private static final ObjectMapper JSON = new ObjectMapper();

    static TestingHubCluster cluster;
    static Rest rest;

    @BeforeAll
    static void start() {
        TestingElasticsearchServer.shared();
        cluster = TestingHubCluster.start(1);
        rest = new Rest(cluster.node(0).baseUrl());
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    static String source(TestingElasticsearchServer es, String name, String syncMode, String region, String binding, String password) {
        return """
                {"source_name": "%s", "source_type": "elasticsearch", "sync_mode": "%s", "consistency_level": "STRONG",
                 "connection_params": {"url": "%s", "username": "%s", "password": "%s", "connect_timeout_seconds": 2},
                 "target_regions": ["%s"], "bindings": {"%s": %s}}"""
                .formatted(name, syncMode, es.url(), es.username(), password, region, region, binding);
    }

    static JsonNode status(String source) {
        return rest.get(SOURCES + "/" + source + "/status").json();
    }

    /** A document's {@code _source}, or {@code null}. */
    static JsonNode doc(TestingElasticsearchServer es, String index, long id) throws Exception {
        String got = es.document(index, Long.toString(id));
        return got == null ? null : JSON.readTree(got).get("_source");
    }

    @Test
    void loadsAnIndexWithADocumentThatDoesNotFitAsADeadLetter() {
        TestingElasticsearchServer es = TestingElasticsearchServer.shared();
        es.createIndex("es_books", "{\"properties\":{\"id\":{\"type\":\"long\"},\"title\":{\"type\":\"keyword\"},"
                + "\"price\":{\"type\":\"double\",\"meta\":{\"sql_type\":\"DECIMAL\"}},\"pages\":{\"type\":\"integer\",\"ignore_malformed\":true},"
                + "\"published\":{\"type\":\"date\"},\"author\":{\"properties\":{\"name\":{\"type\":\"keyword\"}}}}}");
        StringBuilder bulk = new StringBuilder();
        for (int i = 1; i <= 120; i++) {
            String pages = i == 77 ? "\"many\"" : Integer.toString(100 + i);
            bulk.append("{\"index\":{\"_index\":\"es_books\",\"_id\":\"").append(i).append("\"}}\n")
                    .append("{\"id\":").append(i).append(",\"title\":\"book-").append(i).append("\",\"price\":").append(i).append(".25,")
                    .append("\"pages\":").append(pages).append(",\"published\":\"2020-01-01T00:00:00Z\",\"author\":{\"name\":\"writer-")
                    .append(i % 7).append("\"}}\n");
        }
        assertThat(es.request("POST", "/_bulk?refresh=true", bulk.toString())).contains("\"errors\":false");
        assertThat(rest.post(REGIONS, "{\"name\": \"es_books\", \"fields\": {\"id\": \"BIGINT\", \"writer\": \"VARCHAR\"}}").status()).isEqualTo(201);
        Rest.Response reg = rest.post(SOURCES, source(es, "es_library", "LOAD", "es_books",
                "{\"index\": \"es_books\", \"key_columns\": [\"id\"], \"mapping\": {\"writer\": \"author.name\"}}", es.password()));
        assertThat(reg.status()).as(reg.toString()).isEqualTo(201);
        assertThat(reg.json().path("connection_params").path("password").asText()).isEqualTo("******");
        assertThat(reg.body()).doesNotContain(es.password());

        Await.until(Duration.ofSeconds(60), "the load of es_books", () -> {
            JsonNode r = status("es_library").path("regions").path("es_books");
            if ("FAILED".equals(r.path("state").asText())) {
                throw new AssertionError("load failed: " + r);
            }
            return "IDLE".equals(r.path("state").asText()) && r.path("rows_loaded").asLong() == 120;
        });
        JsonNode book = rest.get(REGIONS + "/es_books/entries/42").json();
        assertThat(book.path("title").asText()).isEqualTo("book-42");
        assertThat(book.path("writer").asText()).isEqualTo("writer-0");
        assertThat(book.path("price").decimalValue()).isEqualByComparingTo("42.25");
        assertThat(book.path("pages").asInt()).isEqualTo(142);
        assertThat(book.path("published").asText()).startsWith("2020-01-01");
        assertThat(book.path("author").asText()).as("an object column holds JSON").contains("\"name\":\"writer-0\"");

        assertThat(status("es_library").path("dead_letters").asLong()).isEqualTo(1);
        assertThat(status("es_library").toString()).doesNotContain(es.password());
        JsonNode letter = rest.get(SOURCES + "/es_library/dead-letters").json().path("dead_letters").get(0);
        assertThat(letter.path("op").asText()).isEqualTo("LOAD");
        assertThat(letter.path("error").asText()).contains("pages");
        assertThat(rest.get(REGIONS + "/es_books/entries/77").status()).isEqualTo(404);
        assertThat(rest.delete(SOURCES + "/es_library").status()).isEqualTo(204);
    }

    @Test
    void readThroughAndWriteThroughByDocumentId() throws Exception {
        TestingElasticsearchServer es = TestingElasticsearchServer.shared();
        es.createIndex("es_accounts", ACCOUNTS);
        es.index("es_accounts", "1", "{\"id\":1,\"owner\":\"alice\",\"balance\":100.50,\"addr\":\"10.0.0.1\"}");
        es.index("es_accounts", "2", "{\"id\":2,\"owner\":\"bob\",\"balance\":5}");
        assertThat(rest.post(REGIONS, "{\"name\": \"es_accounts\", \"cache_strategy\": \"WRITE_THROUGH\", \"fields\": {\"id\": \"BIGINT\"}}")
                .status()).isEqualTo(201);
        Rest.Response reg = rest.post(SOURCES, source(es, "es_ledger", "NONE", "es_accounts",
                "{\"index\": \"es_accounts\", \"key_columns\": [\"id\"]}", es.password()));
        assertThat(reg.status()).as(reg.toString()).isEqualTo(201);

        JsonNode alice = rest.get(REGIONS + "/es_accounts/entries/1").json();
        assertThat(alice.path("owner").asText()).isEqualTo("alice");
        assertThat(alice.path("balance").decimalValue()).isEqualByComparingTo("100.50");
        assertThat(rest.get(REGIONS + "/es_accounts/entries/99").status()).isEqualTo(404);

        assertThat(rest.put(REGIONS + "/es_accounts/entries/3", "{\"owner\": \"carol\", \"balance\": 30, \"addr\": \"10.0.0.3\"}").status())
                .isEqualTo(201);
        assertThat(doc(es, "es_accounts", 3).path("owner").asText()).isEqualTo("carol");
        assertThat(doc(es, "es_accounts", 3).path("id").asLong()).isEqualTo(3);

        Rest.Response refused = rest.put(REGIONS + "/es_accounts/entries/4", "{\"owner\": \"dan\", \"balance\": 1, \"addr\": \"no-address\"}");
        assertThat(refused.status()).as(refused.toString()).isEqualTo(422);
        assertThat(refused.body()).contains("addr").doesNotContain(es.password());
        assertThat(doc(es, "es_accounts", 4)).isNull();
        assertThat(rest.get(REGIONS + "/es_accounts/entries/4").status()).isEqualTo(404);

        assertThat(rest.delete(REGIONS + "/es_accounts/entries/3").status()).isEqualTo(204);
        assertThat(doc(es, "es_accounts", 3)).isNull();
        assertThat(rest.delete(SOURCES + "/es_ledger").status()).isEqualTo(204);
    }

    @Test
    void registrationMistakesAre400s() {
        TestingElasticsearchServer es = TestingElasticsearchServer.shared();
        es.createIndex("es_checks", ACCOUNTS);
        assertThat(rest.post(REGIONS, "{\"name\": \"es_checks\", \"fields\": {\"id\": \"BIGINT\"}}").status()).isEqualTo(201);
        String binding = "{\"index\": \"es_checks\", \"key_columns\": [\"id\"]}";

        Rest.Response wrongPassword = rest.post(SOURCES, source(es, "es_bad1", "NONE", "es_checks", binding, "Not-The-Password-77"));
        assertThat(wrongPassword.status()).as(wrongPassword.toString()).isEqualTo(400);
        assertThat(wrongPassword.body()).contains("connection_params.username", "401").doesNotContain("Not-The-Password-77");

        int port = FreePorts.next();
        Rest.Response unreachable = rest.post(SOURCES, source(es, "es_bad2", "NONE", "es_checks", binding, es.password())
                .replace(es.url(), "http://127.0.0.1:" + port));
        assertThat(unreachable.status()).as(unreachable.toString()).isEqualTo(400);
        assertThat(unreachable.body()).contains("127.0.0.1:" + port).doesNotContain(es.password());

        Rest.Response missing = rest.post(SOURCES, source(es, "es_bad3", "NONE", "es_checks", "{\"index\": \"es-nowhere\", \"key_columns\": [\"id\"]}",
                es.password()));
        assertThat(missing.status()).as(missing.toString()).isEqualTo(400);
        assertThat(missing.body()).contains("bindings.es_checks.index", "es-nowhere");
        assertThat(rest.get("/api/v1/dih/health").status()).isEqualTo(200);
    }

    @Test
    void writeBehindSurvivesAnOutageAndDeadLettersARefusedItem() throws Exception {
        try (TestingElasticsearchServer es = TestingElasticsearchServer.start()) {
            es.createIndex("es_wb", ACCOUNTS);
            assertThat(rest.post(REGIONS, "{\"name\": \"es_wb\", \"cache_strategy\": \"WRITE_BEHIND\", \"fields\": {\"id\": \"BIGINT\"}}")
                    .status()).isEqualTo(201);
            Rest.Response reg = rest.post(SOURCES, source(es, "es_queue", "NONE", "es_wb", "{\"index\": \"es_wb\", \"key_columns\": [\"id\"]}",
                    es.password()).replace("\"STRONG\"", "\"EVENTUAL\""));
            assertThat(reg.status()).as(reg.toString()).isEqualTo(201);

            StringBuilder body = new StringBuilder("{\"entries\": {");
            for (int i = 1; i <= 30; i++) {
                body.append('"').append(i).append("\": {\"owner\": \"o").append(i).append("\", \"balance\": ").append(i)
                        .append(", \"addr\": \"").append(i == 13 ? "not-an-ip" : "10.0.0." + i).append("\"},");
            }
            body.setLength(body.length() - 1);
            assertThat(rest.put(REGIONS + "/es_wb/entries", body.append("}}").toString()).status()).isEqualTo(200);
            awaitDrained(Duration.ofSeconds(60));
            for (long i = 1; i <= 30; i++) {
                if (i != 13) {
                    assertThat(doc(es, "es_wb", i)).as("document " + i).isNotNull();
                    assertThat(doc(es, "es_wb", i).path("owner").asText()).isEqualTo("o" + i);
                }
            }
            assertThat(doc(es, "es_wb", 13)).as("refused by the ip mapping").isNull();
            JsonNode letters = rest.get(REGIONS + "/es_wb/dead-letters").json();
            assertThat(letters.path("count").asLong()).as(letters.toString()).isEqualTo(1);
            assertThat(letters.path("dead_letters").get(0).path("key").asText()).isEqualTo("13");
            assertThat(letters.path("dead_letters").get(0).path("error").asText()).contains("addr").doesNotContain(es.password());

            // the outage: writes are acknowledged into the queue, the node stays up, and the queue drains afterwards
            es.stop();
            for (int i = 31; i <= 40; i++) {
                Rest.Response put = rest.put(REGIONS + "/es_wb/entries/" + i, "{\"owner\": \"late" + i + "\", \"balance\": 1}");
                assertThat(put.status()).as(put.toString()).isEqualTo(201);
            }
            assertThat(rest.put(REGIONS + "/es_wb/entries/1", "{\"owner\": \"o1-updated\", \"balance\": 2}").status()).isEqualTo(200);
            Thread.sleep(3000);
            assertThat(rest.get(REGIONS + "/es_wb/write-behind").json().path("pending").asLong()).isPositive();
            assertThat(rest.get("/api/v1/dih/health").status()).isEqualTo(200);
            es.restart();
            awaitDrained(Duration.ofSeconds(120));
            for (long i = 31; i <= 40; i++) {
                assertThat(doc(es, "es_wb", i)).as("document " + i + " written during the outage").isNotNull();
            }
            assertThat(doc(es, "es_wb", 1).path("owner").asText()).isEqualTo("o1-updated");
            assertThat(rest.get(REGIONS + "/es_wb/dead-letters").json().path("count").asLong()).isEqualTo(1);
            assertThat(rest.delete(SOURCES + "/es_queue").status()).isEqualTo(204);
        }
    }

    private static void awaitDrained(Duration timeout) {
        Await.until(timeout, "the write-behind queue of es_wb drains",
                () -> rest.get(REGIONS + "/es_wb/write-behind").json().path("pending").asLong() == 0);
    }
}
