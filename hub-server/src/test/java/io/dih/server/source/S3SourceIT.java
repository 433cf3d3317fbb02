package io.dih.server.source;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dih.server.testing.Rest;
import io.dih.server.testing.TestingHubCluster;
import io.dih.testing.Await;
import io.dih.testing.FreePorts;
import io.dih.testing.TestingS3Server;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * MinIO/S3 sources against a real S3 API server (S3Proxy) and a real hub node: CSV and JSON-lines objects loaded,
 * loaded again when they change or go (only what changed is read), bad lines as dead letters, bad input as 400s.
 */
class S3SourceIT {
    static final String REGIONS = "/api/v1/dih/cache-regions";
    static final String SOURCES = "/api/v1/dih/data-sources";

    static TestingS3Server s3;
    static TestingHubCluster cluster;
    static Rest rest;

    @BeforeAll
    static void start() {
        s3 = TestingS3Server.shared();
        cluster = TestingHubCluster.start(1);
        rest = new Rest(cluster.node(0).baseUrl());
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    static String params(String secret) {
        return "{\"endpoint\": \"" + s3.endpoint() + "\", \"access_key\": \"" + s3.accessKey() + "\", \"secret_key\": \"" + secret + "\"}";
    }

    static String source(String name, String region, String secret, String binding, String extra) {
        return "{\"source_name\": \"" + name + "\", \"source_type\": \"minio\", \"connection_params\": " + params(secret)
                + ", \"target_regions\": [\"" + region + "\"], \"bindings\": {\"" + region + "\": " + binding + "}"
                + (extra.isEmpty() ? "" : ", " + extra) + "}";
    }

    static JsonNode awaitLoad(String source, String region, java.util.function.Predicate<JsonNode> done) {
        JsonNode[] last = new JsonNode[1];
        Await.until(Duration.ofSeconds(60), source + " loads " + region, () -> {
            last[0] = rest.get(SOURCES + "/" + source + "/status").json().path("regions").path(region);
            if ("FAILED".equals(last[0].path("state").asText())) {
                throw new AssertionError("load failed: " + last[0]);
            }
            return "IDLE".equals(last[0].path("state").asText()) && last[0].has("last_loaded_at") && done.test(last[0]);
        });
        return last[0];
    }

    static void assertProblem(Rest.Response r, String field, String text) {
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.body()).as(r.toString()).contains(field).contains(text).doesNotContain(s3.secretKey());
    }

    @Test
    void csvObjectsLoadThenOnlyWhatChangedIsReadAgainAndGoneObjectsLeave() {
        s3.createBucket("sales");
        s3.put("sales", "orders/2026-01.csv", "id,customer,amount,placed_on\n1,ada,10.5,2026-01-02\n2,bob,20,2026-01-03\n3,cy,30.25,2026-01-04\n");
        s3.put("sales", "orders/2026-02.csv", "id,customer,amount,placed_on\n4,dee,40,2026-02-01\n5,eve,oops,2026-02-02\n6,fay,60\n7,gus,70,2026-02-03\n");
        s3.put("sales", "refunds/2026-01.csv", "id,amount\n100,1\n");
        assertThat(rest.post(REGIONS, "{\"name\": \"orders\", \"fields\": {\"id\": \"BIGINT\"}}").status()).isEqualTo(201);
        Rest.Response created = rest.post(SOURCES, source("sales_lake", "orders", s3.secretKey(),
                "{\"bucket\": \"sales\", \"prefix\": \"orders/\", \"format\": \"csv\", \"key_columns\": [\"id\"]}",
                "\"sync_mode\": \"LOAD\", \"sync_interval_seconds\": 1"));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.body()).doesNotContain(s3.secretKey());

        JsonNode first = awaitLoad("sales_lake", "orders", r -> r.path("rows_loaded").asLong() == 5);
        assertThat(first.path("objects").path("read").asInt()).as(first.toString()).isEqualTo(2);
        JsonNode region = rest.get(REGIONS + "/orders").json();
        assertThat(region.toString()).contains("\"amount\"", "DOUBLE", "\"placed_on\"", "DATE", "\"source_object\"");
        assertThat(rest.get(REGIONS + "/orders/entries/1").json().path("amount").asDouble()).isEqualTo(10.5);
        assertThat(rest.get(REGIONS + "/orders/entries/4").json().path("source_object").asText()).isEqualTo("orders/2026-02.csv");
        assertThat(rest.get(REGIONS + "/orders/entries/5").status()).as("'oops' is no DOUBLE").isEqualTo(404);
        JsonNode letters = rest.get(SOURCES + "/sales_lake/dead-letters").json();
        assertThat(letters.toString()).as(letters.toString()).contains("orders/2026-02.csv:3", "'oops' is not a DOUBLE",
                "orders/2026-02.csv:4", "the line has 3 fields, the header 4");

        // object 1 changes (row 2 goes, row 3 changes), object 2 stays: only object 1 is read again
        s3.put("sales", "orders/2026-01.csv", "id,customer,amount,placed_on\n1,ada,10.5,2026-01-02\n3,cy,33,2026-01-04\n");
        JsonNode second = awaitLoad("sales_lake", "orders", r -> r.path("objects").path("unchanged").asInt() == 1
                && r.path("rows_loaded").asLong() == 2);
        assertThat(second.path("kind").asText()).isEqualTo("incremental");
        assertThat(second.path("removed").asLong()).as(second.toString()).isEqualTo(1);
        assertThat(rest.get(REGIONS + "/orders/entries/2").status()).isEqualTo(404);
        assertThat(rest.get(REGIONS + "/orders/entries/3").json().path("amount").asDouble()).isEqualTo(33.0);
        assertThat(rest.get(REGIONS + "/orders/entries/4").status()).isEqualTo(200);

        // object 2 goes: its rows leave; a new object arrives
        s3.remove("sales", "orders/2026-02.csv");
        s3.put("sales", "orders/2026-03.csv", "id,customer,amount,placed_on\n8,hal,80,2026-03-01\n");
        awaitLoad("sales_lake", "orders", r -> r.path("objects").path("gone").asInt() == 1);
        Await.until(Duration.ofSeconds(10), "rows of the gone object leave", () -> rest.get(REGIONS + "/orders/entries/4").status() == 404);
        assertThat(rest.get(REGIONS + "/orders/entries/7").status()).isEqualTo(404);
        assertThat(rest.get(REGIONS + "/orders/entries/8").json().path("customer").asText()).isEqualTo("hal");
        JsonNode count = rest.post("/api/v1/dih/sql-query", "{\"query\": \"SELECT count(*) AS n FROM orders\"}").json();
        assertThat(count.path("rows").get(0).get(0).asLong()).as(count.toString()).isEqualTo(3); // ids 1, 3, 8
    }

    @Test
    void jsonLinesWithDeclaredTypes() {
        s3.createBucket("events");
        s3.put("events", "day=1/part-0.jsonl", "{\"id\": \"e1\", \"n\": 1, \"who\": {\"name\": \"ada\"}, \"at\": \"2026-11-27T10:00:00Z\"}\n"
                + "{\"id\": \"e2\", \"n\": 2, \"at\": \"2026-11-27T11:00:00Z\"}\nnot json at all\n");
        assertThat(rest.post(REGIONS, "{\"name\": \"events\", \"fields\": {\"id\": \"VARCHAR\"}}").status()).isEqualTo(201);
        Rest.Response created = rest.post(SOURCES, source("event_lake", "events", s3.secretKey(),
                "{\"bucket\": \"events\", \"glob\": \"day=*/*.jsonl\", \"format\": \"jsonl\", \"key_columns\": [\"id\"],"
                        + " \"column_types\": {\"at\": \"TIMESTAMP\", \"n\": \"BIGINT\"}}", ""));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        awaitLoad("event_lake", "events", r -> r.path("rows_loaded").asLong() == 2);
        JsonNode e1 = rest.get(REGIONS + "/events/entries/e1").json();
        assertThat(e1.path("who").asText()).isEqualTo("{\"name\":\"ada\"}");
        assertThat(e1.path("at").asText()).startsWith("2026-11-27T10:00");
        assertThat(rest.get(SOURCES + "/event_lake/dead-letters").json().toString()).contains("day=1/part-0.jsonl:3", "not JSON");
    }

    @Test
    void badInputIsA400NamingTheField() {
        s3.createBucket("checks");
        s3.put("checks", "a.csv", "id,v\n1,x\n");
        assertThat(rest.post(REGIONS, "{\"name\": \"checked\", \"fields\": {\"id\": \"BIGINT\"}}").status()).isEqualTo(201);
        String ok = "{\"bucket\": \"checks\", \"key_columns\": [\"id\"]}";
        assertProblem(rest.post(SOURCES, source("bad_secret", "checked", "not-the-secret", ok, "")), "connection_params.secret_key",
                "refused the secret key");
        assertProblem(rest.post(SOURCES, source("no_bucket", "checked", s3.secretKey(), "{\"bucket\": \"no-such-bucket\", \"key_columns\": [\"id\"]}", "")),
                "bindings.checked.bucket", "does not exist");
        assertProblem(rest.post(SOURCES, source("no_key", "checked", s3.secretKey(), "{\"bucket\": \"checks\"}", "")),
                "bindings.checked.key_columns", "must name its key_columns");
        assertProblem(rest.post(SOURCES, source("typo", "checked", s3.secretKey(), "{\"bucket\": \"checks\", \"key_columns\": [\"id\"], \"prefixx\": \"a\"}", "")),
                "bindings.checked.prefixx", "is not a key of a MinIO/S3 binding");
        assertProblem(rest.post(SOURCES, source("nothing", "checked", s3.secretKey(), "{\"bucket\": \"checks\", \"prefix\": \"none/\", \"key_columns\": [\"id\"]}", "")),
                "bindings.checked.prefix", "no object");
        int closed = FreePorts.next();
        String unreachable = "{\"source_name\": \"down\", \"source_type\": \"s3\", \"connection_params\": {\"endpoint\": \"127.0.0.1:" + closed
                + "\", \"access_key\": \"a\", \"secret_key\": \"" + s3.secretKey() + "\"}, \"target_regions\": [\"checked\"], \"bindings\": {\"checked\": " + ok + "}}";
        assertProblem(rest.post(SOURCES, unreachable), "connection_params.endpoint", "127.0.0.1:" + closed);
        assertThat(rest.get(SOURCES).body()).doesNotContain("bad_secret", "no_bucket", "down"); // nothing half-registered
    }
}
