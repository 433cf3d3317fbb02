package io.dih.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dih.server.node.HubNode;
import io.dih.server.testing.Rest;
import io.dih.server.testing.TestingHubCluster;
import io.dih.testing.Await;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The REST gateway of one real node: regions, entries, errors, health, metrics, OpenAPI, probes. */
class GatewayIT {
    static final String REGIONS = "/api/v1/dih/cache-regions";

    /** Seed 004's body exactly as written, comments included. */
    static final String SEED_SESSIONS = """
            {
                "name": "user_sessions",
                "cache_mode": "REPLICATED",
                "backups": 1,
                "atomicity_mode": "TRANSACTIONAL",
                "cache_strategy": "WRITE_THROUGH",
                "expiry_policy": {
                    "create": 3600,  # 1 hour
                    "access": 3600
                },
                "indexes": [
                    ["user_id", "STRING"],
                    ["tenant_id", "STRING"]
                ]
            }
            """;

    static TestingHubCluster cluster;
    static HubNode node;
    static Rest rest;

    @BeforeAll
    static void start() {
        cluster = TestingHubCluster.start(1);
        node = cluster.node(0);
        rest = new Rest(node.baseUrl());
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    static void assertProblem(Rest.Response r, int status, String field) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        assertThat(r.contentType()).as(r.toString()).startsWith("application/problem+json");
        JsonNode p = r.json();
        assertThat(p.path("status").asInt()).isEqualTo(status);
        assertThat(p.path("title").asText()).isNotEmpty();
        assertThat(p.path("detail").asText()).isNotEmpty();
        if (field != null) {
            assertThat(p.path("field").asText()).as(r.toString()).isEqualTo(field);
        }
    }

    static List<String> regionNames() {
        List<String> names = new ArrayList<>();
        rest.get(REGIONS).json().path("regions").forEach(n -> names.add(n.path("name").asText()));
        return names;
    }

    @Test
    void seedBodyCreatesRegionIdempotentlyAndConflictsOnDifferentSpec() {
        Rest.Response created = rest.post(REGIONS, SEED_SESSIONS);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        JsonNode spec = created.json();
        assertThat(spec.path("cache_mode").asText()).isEqualTo("REPLICATED");
        assertThat(spec.path("expiry_policy").path("create").asLong()).isEqualTo(3600);
        assertThat(spec.path("key_fields").get(0).asText()).isEqualTo("id");

        Rest.Response again = rest.post(REGIONS, SEED_SESSIONS);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json()).isEqualTo(spec);

        Rest.Response conflict = rest.post(REGIONS, SEED_SESSIONS.replace("\"REPLICATED\"", "\"PARTITIONED\""));
        assertProblem(conflict, 409, null);
        Rest.Response caseConflict = rest.post(REGIONS, "{\"name\": \"USER_SESSIONS\"}");
        assertProblem(caseConflict, 409, null);
        assertThat(rest.get(REGIONS + "/user_sessions").json()).isEqualTo(spec);
        // what GET answers (the spec and its columns) can be posted back as it is
        Rest.Response roundTrip = rest.post(REGIONS, rest.get(REGIONS + "/user_sessions").body());
        assertThat(roundTrip.status()).as(roundTrip.toString()).isEqualTo(200);

        Rest.Response put = rest.put(REGIONS + "/user_sessions/entries/abc123", "{\"user_id\": \"u1\", \"tenant_id\": \"acme\"}");
        assertThat(put.status()).as(put.toString()).isEqualTo(201);
        assertThat(rest.get(REGIONS + "/user_sessions/entries/abc123").json().path("user_id").asText()).isEqualTo("u1");
    }

    @Test
    void seedExamplesWithDefaultsWork() {
        assertThat(rest.post(REGIONS, """
                {"name": "ml_features_online", "eviction_max_size": 100000000,
                 "indexes": [["entity_id", "STRING"], ["feature_name", "STRING"]]}""").status()).isEqualTo(201);
        assertThat(rest.post(REGIONS, """
                {"name": "realtime_metrics", "cache_mode": "PARTITIONED", "cache_strategy": "WRITE_BEHIND",
                 "expiry_policy": {"create": 300}}""").status()).isEqualTo(201);
        JsonNode spec = rest.get(REGIONS + "/ml_features_online").json();
        assertThat(spec.path("cache_mode").asText()).isEqualTo("PARTITIONED");
        assertThat(spec.path("backups").asInt()).isEqualTo(1);
        assertThat(spec.path("atomicity_mode").asText()).isEqualTo("TRANSACTIONAL");
        assertThat(spec.path("eviction_max_size").asLong()).isEqualTo(100_000_000L);
    }

    @Test
    void listGetDeleteAndStats() {
        assertThat(rest.post(REGIONS, "{\"name\": \"to_delete\", \"fields\": {\"id\": \"BIGINT\", \"v\": \"VARCHAR\"}}").status()).isEqualTo(201);
        assertThat(regionNames()).contains("to_delete");
        JsonNode region = rest.get(REGIONS + "/to_delete").json();
        assertThat(region.path("columns").toString()).isEqualTo(
                "[{\"name\":\"id\",\"type\":\"BIGINT\",\"key\":true,\"origin\":\"spec\"},"
                + "{\"name\":\"v\",\"type\":\"VARCHAR\",\"key\":false,\"origin\":\"spec\"}]");
        assertThat(region.path("fields").path("v").asText()).isEqualTo("VARCHAR");
        assertThat(rest.put(REGIONS + "/to_delete/entries/7", "{\"v\": \"x\"}").status()).isEqualTo(201);
        rest.get(REGIONS + "/to_delete/entries/7");
        rest.get(REGIONS + "/to_delete/entries/8");

        JsonNode stats = rest.get(REGIONS + "/to_delete/stats").json();
        assertThat(stats.path("region").asText()).isEqualTo("to_delete");
        JsonNode total = stats.path("total");
        assertThat(total.path("size").asLong()).isEqualTo(1);
        assertThat(total.path("puts").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(total.path("hits").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(total.path("misses").asLong()).isGreaterThanOrEqualTo(1);
        for (String f : List.of("gets", "removals", "hit_ratio", "evictions", "avg_get_micros", "avg_put_micros", "off_heap_bytes")) {
            assertThat(total.has(f)).as(f).isTrue();
        }
        assertThat(stats.path("nodes")).hasSize(1);
        assertThat(total.path("off_heap_bytes").asLong()).isPositive();

        assertThat(rest.delete(REGIONS + "/to_delete").status()).isEqualTo(204);
        assertThat(regionNames()).doesNotContain("to_delete");
        assertProblem(rest.get(REGIONS + "/to_delete"), 404, null);
        assertProblem(rest.get(REGIONS + "/to_delete/entries/7"), 404, null);
        assertThat(node.ignite().cacheNames()).doesNotContain("to_delete");

        // the same name with other column types works after a delete (fresh binary type)
        assertThat(rest.post(REGIONS, "{\"name\": \"to_delete\", \"fields\": {\"id\": \"BIGINT\", \"v\": \"INT\"}}").status()).isEqualTo(201);
        assertThat(rest.put(REGIONS + "/to_delete/entries/7", "{\"v\": 5}").status()).isEqualTo(201);
        assertThat(rest.get(REGIONS + "/to_delete/entries/7").json().path("v").asInt()).isEqualTo(5);
    }

    @Test
    void deletingUnknownRegionIs404() {
        assertProblem(rest.delete(REGIONS + "/no_such_region"), 404, null);
        assertProblem(rest.get(REGIONS + "/no_such_region/stats"), 404, null);
    }

    @Test
    void badRegionSpecsAre400AndCreateNothing() {
        List<String> before = regionNames();
        assertProblem(rest.post(REGIONS, "{\"name\": \"bad1\", \"cache_mode\": "), 400, "body");
        assertProblem(rest.post(REGIONS, "{\"name\": \"bad2\", \"cache_mode\": \"FOO\"}"), 400, "cache_mode");
        assertProblem(rest.post(REGIONS, "{\"name\": \"bad3\", \"backups\": -1}"), 400, "backups");
        assertProblem(rest.post(REGIONS, "{\"name\": \"\"}"), 400, "name");
        assertProblem(rest.post(REGIONS, "{\"name\": \"bad-name\"}"), 400, "name");
        assertProblem(rest.post(REGIONS, "{\"name\": \"9lives\"}"), 400, "name");
        assertProblem(rest.post(REGIONS, "{\"name\": \"bad4\", \"fields\": {\"a\": \"GEOMETRY\"}}"), 400, "fields.a");
        assertProblem(rest.post(REGIONS, "{\"name\": \"bad5\", \"indexes\": [[\"a\", \"STRING\"], [\"a\", \"STRING\"]]}"), 400, "indexes[1]");
        assertProblem(rest.post(REGIONS, "{\"name\": \"bad6\", \"atomicity_mode\": \"SOMETIMES\"}"), 400, "atomicity_mode");
        assertProblem(rest.post(REGIONS, "{\"name\": \"bad7\", \"expiry_policy\": {\"create\": -5}}"), 400, "expiry_policy.create");
        assertProblem(rest.post(REGIONS, "{\"name\": \"bad8\", \"backups\": \"two\"}"), 400, "backups");
        assertProblem(rest.post(REGIONS, "{\"name\": \"bad9\", \"colour\": \"red\"}"), 400, "colour");
        assertProblem(rest.post(REGIONS, ""), 400, "body");
        assertProblem(rest.post(REGIONS, "[1, 2]"), 400, "body");
        assertThat(regionNames()).isEqualTo(before);
        assertThat(node.ignite().cacheNames()).noneMatch(n -> n.startsWith("bad"));
    }

    @Test
    void entriesAreTypedRowsAndBadValuesAre400() {
        assertThat(rest.post(REGIONS, """
                {"name": "typed", "fields": {"id": "BIGINT", "s": "VARCHAR", "i": "INT", "d": "DECIMAL", "f": "DOUBLE",
                  "b": "BOOLEAN", "ts": "TIMESTAMP", "dt": "DATE", "u": "UUID", "bin": "BINARY"}}""").status()).isEqualTo(201);
        String row = """
                {"s": "hello", "i": 42, "d": 12.50, "f": 0.25, "b": true, "ts": "2024-05-01T10:15:30Z", "dt": "2024-05-01",
                 "u": "123e4567-e89b-12d3-a456-426614174000", "bin": "AQID"}""";
        assertThat(rest.put(REGIONS + "/typed/entries/1", row).status()).isEqualTo(201);
        assertThat(rest.put(REGIONS + "/typed/entries/1", row).status()).isEqualTo(200);
        JsonNode got = rest.get(REGIONS + "/typed/entries/1").json();
        assertThat(got.path("id").asLong()).isEqualTo(1);
        assertThat(got.path("s").asText()).isEqualTo("hello");
        assertThat(got.path("i").asInt()).isEqualTo(42);
        assertThat(got.path("d").decimalValue()).isEqualByComparingTo("12.50");
        // decimals are written plainly, never in scientific notation (1500.00 once came back as 1.5E+3)
        assertThat(rest.put(REGIONS + "/typed/entries/900", "{\"d\": 1500.00}").body()).contains("\"d\":1500").doesNotContain("E+");
        assertThat(got.path("b").asBoolean()).isTrue();
        assertThat(got.path("ts").asText()).isEqualTo("2024-05-01T10:15:30Z");
        assertThat(got.path("dt").asText()).isEqualTo("2024-05-01");
        assertThat(got.path("u").asText()).isEqualTo("123e4567-e89b-12d3-a456-426614174000");
        assertThat(got.path("bin").asText()).isEqualTo("AQID");

        assertProblem(rest.put(REGIONS + "/typed/entries/2", "[1, 2]"), 400, "body");
        assertProblem(rest.put(REGIONS + "/typed/entries/2", "\"text\""), 400, "body");
        assertProblem(rest.put(REGIONS + "/typed/entries/abc", "{\"s\": \"x\"}"), 400, "key");
        assertProblem(rest.get(REGIONS + "/typed/entries/abc"), 400, "key");
        assertProblem(rest.put(REGIONS + "/typed/entries/2", "{\"nope\": 1}"), 400, "nope");
        assertProblem(rest.put(REGIONS + "/typed/entries/2", "{\"i\": \"many\"}"), 400, "i");
        assertProblem(rest.put(REGIONS + "/typed/entries/2", "{\"i\": 1.5}"), 400, "i");
        assertProblem(rest.put(REGIONS + "/typed/entries/2", "{\"i\": 99999999999}"), 400, "i");
        assertProblem(rest.put(REGIONS + "/typed/entries/2", "{\"ts\": \"yesterday\"}"), 400, "ts");
        assertProblem(rest.put(REGIONS + "/typed/entries/2", "{\"id\": 3}"), 400, "id");
        assertProblem(rest.put(REGIONS + "/typed/entries/2", "{\"s\": {\"nested\": 1}}"), 400, "s");
        assertProblem(rest.get(REGIONS + "/typed/entries/2"), 404, null);
        assertProblem(rest.put(REGIONS + "/no_region/entries/2", "{}"), 404, null);

        assertThat(rest.delete(REGIONS + "/typed/entries/1").status()).isEqualTo(204);
        assertProblem(rest.delete(REGIONS + "/typed/entries/1"), 404, null);
    }

    @Test
    void patchMergesColumnsIntoAnExistingEntry() {
        assertThat(rest.post(REGIONS, """
                {"name": "patched", "fields": {"id": "BIGINT", "name": "VARCHAR", "tier": "VARCHAR", "balance": "DECIMAL", "keyword": "VARCHAR"}}""")
                .status()).isEqualTo(201);
        assertThat(rest.put(REGIONS + "/patched/entries/1", "{\"name\": \"Ann\", \"tier\": \"gold\", \"balance\": 10.5, \"keyword\": \"k\"}")
                .status()).isEqualTo(201);

        Rest.Response merged = rest.patch(REGIONS + "/patched/entries/1", "{\"tier\": \"silver\"}");
        assertThat(merged.status()).as(merged.toString()).isEqualTo(200);
        assertThat(merged.contentType()).startsWith("application/json");
        assertThat(merged.json()).isEqualTo(rest.get(REGIONS + "/patched/entries/1").json());
        JsonNode row = merged.json();
        assertThat(row.path("id").asLong()).isEqualTo(1);
        assertThat(row.path("name").asText()).isEqualTo("Ann");
        assertThat(row.path("tier").asText()).isEqualTo("silver");
        assertThat(row.path("balance").decimalValue()).isEqualByComparingTo("10.5");

        // a JSON null sets that column to null (also a column whose name starts with "key"); the key may be repeated
        JsonNode nulled = rest.patch(REGIONS + "/patched/entries/1", "{\"id\": 1, \"balance\": null, \"keyword\": null}").json();
        assertThat(nulled.path("balance").isNull()).as(nulled.toString()).isTrue();
        assertThat(nulled.path("keyword").isNull()).as(nulled.toString()).isTrue();
        assertThat(nulled.path("name").asText()).isEqualTo("Ann");
        assertThat(nulled.path("tier").asText()).isEqualTo("silver");

        // a missing key is a 404 and creates nothing
        assertProblem(rest.patch(REGIONS + "/patched/entries/2", "{\"tier\": \"gold\"}"), 404, null);
        assertProblem(rest.get(REGIONS + "/patched/entries/2"), 404, null);
        assertProblem(rest.patch(REGIONS + "/no_region/entries/1", "{}"), 404, null);

        // bad bodies are 400 naming the field, and change nothing
        Rest.Response unknown = rest.patch(REGIONS + "/patched/entries/1", "{\"tier\": \"bronze\", \"colour\": \"red\"}");
        assertProblem(unknown, 400, "colour");
        assertThat(unknown.json().path("detail").asText()).contains("[id, name, tier, balance, keyword]");
        assertProblem(rest.patch(REGIONS + "/patched/entries/1", "{\"balance\": \"lots\"}"), 400, "balance");
        assertProblem(rest.patch(REGIONS + "/patched/entries/1", "{\"id\": 2}"), 400, "id");
        assertProblem(rest.patch(REGIONS + "/patched/entries/1", "[1]"), 400, "body");
        assertProblem(rest.patch(REGIONS + "/patched/entries/x", "{}"), 400, "key");
        assertThat(rest.get(REGIONS + "/patched/entries/1").json()).isEqualTo(nulled);
    }

    @Test
    void patchOfAnAtomicRegionMergesByCompareAndReplace() {
        assertThat(rest.post(REGIONS, """
                {"name": "patched_atomic", "atomicity_mode": "ATOMIC", "key_fields": ["k", "v"],
                 "fields": {"k": "VARCHAR", "v": "INT", "a": "INT", "b": "VARCHAR"}}""").status()).isEqualTo(201);
        assertThat(rest.put(REGIONS + "/patched_atomic/entries/x,1", "{\"a\": 1, \"b\": \"one\"}").status()).isEqualTo(201);
        JsonNode row = rest.patch(REGIONS + "/patched_atomic/entries/x,1", "{\"a\": 2}").json();
        assertThat(row.path("a").asInt()).as(row.toString()).isEqualTo(2);
        assertThat(row.path("b").asText()).isEqualTo("one");
        assertThat(rest.get(REGIONS + "/patched_atomic/entries/x,1").json()).isEqualTo(row);
        assertProblem(rest.patch(REGIONS + "/patched_atomic/entries/x,2", "{\"a\": 2}"), 404, null);
        assertProblem(rest.get(REGIONS + "/patched_atomic/entries/x,2"), 404, null);
    }

    /** Eight clients patch one column each of the same entry at once: no merge may lose another's write. */
    @Test
    void concurrentPatchesOfOneEntryLoseNoColumn() throws Exception {
        for (String mode : List.of("TRANSACTIONAL", "ATOMIC")) {
            String region = "contended_" + mode.toLowerCase();
            StringBuilder fields = new StringBuilder("\"id\": \"BIGINT\"");
            for (int c = 0; c < 8; c++) {
                fields.append(", \"c").append(c).append("\": \"INT\"");
            }
            assertThat(rest.post(REGIONS, "{\"name\": \"" + region + "\", \"atomicity_mode\": \"" + mode + "\", \"fields\": {" + fields + "}}")
                    .status()).isEqualTo(201);
            assertThat(rest.put(REGIONS + "/" + region + "/entries/1", "{}").status()).isEqualTo(201);
            List<Thread> threads = new ArrayList<>();
            List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int c = 0; c < 8; c++) {
                String column = "c" + c;
                threads.add(new Thread(() -> {
                    for (int n = 1; n <= 15; n++) {
                        Rest.Response r = rest.patch(REGIONS + "/" + region + "/entries/1", "{\"" + column + "\": " + n + "}");
                        if (r.status() != 200) {
                            failures.add(r.toString());
                        }
                    }
                }));
            }
            threads.forEach(Thread::start);
            for (Thread t : threads) {
                t.join(60_000);
            }
            assertThat(failures).as(mode).isEmpty();
            JsonNode row = rest.get(REGIONS + "/" + region + "/entries/1").json();
            for (int c = 0; c < 8; c++) {
                assertThat(row.path("c" + c).asInt()).as(mode + " " + row).isEqualTo(15);
            }
        }
    }

    @Test
    void compositeKeys() {
        assertThat(rest.post(REGIONS, """
                {"name": "features", "key_fields": ["entity_id", "version"],
                 "fields": {"entity_id": "VARCHAR", "version": "INT", "value": "DOUBLE"}}""").status()).isEqualTo(201);
        assertThat(rest.put(REGIONS + "/features/entries/user_1,3", "{\"value\": 0.5}").status()).isEqualTo(201);
        JsonNode got = rest.get(REGIONS + "/features/entries/user_1,3").json();
        assertThat(got.path("entity_id").asText()).isEqualTo("user_1");
        assertThat(got.path("version").asInt()).isEqualTo(3);
        assertThat(got.path("value").asDouble()).isEqualTo(0.5);
        assertProblem(rest.get(REGIONS + "/features/entries/user_1"), 400, "key");
        assertProblem(rest.get(REGIONS + "/features/entries/user_1,x"), 400, "key.version");
    }

    @Test
    void batchPutIsAllOrNothingAndBatchGetReportsMissing() {
        assertThat(rest.post(REGIONS, "{\"name\": \"batch\", \"fields\": {\"id\": \"VARCHAR\", \"n\": \"INT\"}}").status()).isEqualTo(201);
        Rest.Response ok = rest.put(REGIONS + "/batch/entries", "{\"entries\": {\"a\": {\"n\": 1}, \"b\": {\"n\": 2}, \"c\": {\"n\": 3}}}");
        assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
        assertThat(ok.json().path("stored").asInt()).isEqualTo(3);
        assertThat(ok.json().path("created").asInt()).isEqualTo(3);

        Rest.Response bad = rest.put(REGIONS + "/batch/entries", "{\"entries\": {\"a\": {\"n\": 10}, \"d\": {\"n\": \"four\"}}}");
        assertProblem(bad, 400, "entries.d.n");
        assertThat(rest.get(REGIONS + "/batch/entries/a").json().path("n").asInt()).isEqualTo(1);
        assertProblem(rest.get(REGIONS + "/batch/entries/d"), 404, null);

        JsonNode got = rest.post(REGIONS + "/batch/entries/batch-get", "{\"keys\": [\"a\", \"c\", \"zz\"]}").json();
        assertThat(got.path("entries").path("a").path("n").asInt()).isEqualTo(1);
        assertThat(got.path("entries").path("c").path("n").asInt()).isEqualTo(3);
        assertThat(got.path("missing").get(0).asText()).isEqualTo("zz");

        StringBuilder big = new StringBuilder("{\"entries\": {");
        for (int i = 0; i <= 1000; i++) {
            big.append(i == 0 ? "" : ",").append("\"k").append(i).append("\": {\"n\": ").append(i).append('}');
        }
        assertProblem(rest.put(REGIONS + "/batch/entries", big.append("}}").toString()), 400, "entries");
        StringBuilder keys = new StringBuilder("{\"keys\": [");
        for (int i = 0; i <= 1000; i++) {
            keys.append(i == 0 ? "" : ",").append("\"k").append(i).append('"');
        }
        assertProblem(rest.post(REGIONS + "/batch/entries/batch-get", keys.append("]}").toString()), 400, "keys");
        assertProblem(rest.put(REGIONS + "/batch/entries", "{\"entries\": {}}"), 400, "entries");
        assertThat(rest.get(REGIONS + "/batch/stats").json().path("total").path("size").asInt()).isEqualTo(3);
    }

    @Test
    void boundedRegionRefusesNewKeysWhenFull() {
        assertThat(rest.post(REGIONS, "{\"name\": \"small\", \"eviction_max_size\": 2}").status()).isEqualTo(201);
        assertThat(rest.put(REGIONS + "/small/entries/a", "{}").status()).isEqualTo(201);
        assertThat(rest.put(REGIONS + "/small/entries/b", "{}").status()).isEqualTo(201);
        assertProblem(rest.put(REGIONS + "/small/entries/c", "{}"), 507, null);
        assertThat(rest.put(REGIONS + "/small/entries/a", "{}").status()).isEqualTo(200);
        assertProblem(rest.put(REGIONS + "/small/entries", "{\"entries\": {\"x\": {}, \"y\": {}}}"), 507, null);
        assertProblem(rest.get(REGIONS + "/small/entries/c"), 404, null);
    }

    @Test
    void expiryRemovesEntries() {
        assertThat(rest.post(REGIONS, "{\"name\": \"short_lived\", \"expiry_policy\": {\"create\": 1}}").status()).isEqualTo(201);
        assertThat(rest.put(REGIONS + "/short_lived/entries/k", "{}").status()).isEqualTo(201);
        Await.until(Duration.ofSeconds(15), "the entry expired", () -> rest.get(REGIONS + "/short_lived/entries/k").status() == 404);
    }

    @Test
    void sqlThroughTheJdbcThinDriverSeesRestPuts() throws Exception {
        assertThat(rest.post(REGIONS, """
                {"name": "asset_metadata", "key_fields": ["asset_id"],
                 "fields": {"asset_id": "VARCHAR", "asset_type": "VARCHAR", "created_at": "TIMESTAMP"},
                 "indexes": [["asset_type"]]}""").status()).isEqualTo(201);
        rest.put(REGIONS + "/asset_metadata/entries", """
                {"entries": {"a1": {"asset_type": "model", "created_at": "2024-03-01T00:00:00Z"},
                             "a2": {"asset_type": "model", "created_at": "2023-03-01T00:00:00Z"},
                             "a3": {"asset_type": "dataset", "created_at": "2024-03-01T00:00:00Z"}}}""");
        try (Connection c = DriverManager.getConnection(io.dih.testing.HubCredentials.jdbcUrl(node.thinClientPort()));
             PreparedStatement ps = c.prepareStatement(
                     "SELECT asset_id FROM asset_metadata WHERE asset_type = ? AND created_at > ? ORDER BY asset_id")) {
            ps.setString(1, "model");
            ps.setTimestamp(2, java.sql.Timestamp.from(java.time.Instant.parse("2024-01-01T00:00:00Z")));
            List<String> ids = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
            assertThat(ids).containsExactly("a1");
            // and SQL writes are visible through REST
            c.createStatement().executeUpdate("INSERT INTO asset_metadata (asset_id, asset_type) VALUES ('a9', 'report')");
        }
        assertThat(rest.get(REGIONS + "/asset_metadata/entries/a9").json().path("asset_type").asText()).isEqualTo("report");
    }

    @Test
    void healthMetricsAndProbes() {
        JsonNode h = rest.get("/api/v1/dih/health").json();
        assertThat(h.path("status").asText()).isEqualTo("ready");
        assertThat(h.path("cluster_size").asInt()).isEqualTo(1);
        assertThat(h.path("topology_version").asLong()).isPositive();
        assertThat(h.path("cluster_state").asText()).isEqualTo("ACTIVE");

        rest.post(REGIONS, "{\"name\": \"metered\"}");
        rest.put(REGIONS + "/metered/entries/a", "{}");
        Rest.Response m = rest.get("/api/v1/dih/metrics");
        assertThat(m.status()).isEqualTo(200);
        assertThat(m.contentType()).startsWith("text/plain");
        assertThat(m.body()).contains("dih_http_requests_seconds_count{method=\"PUT\"")
                .contains("route=\"/api/v1/dih/cache-regions/{name}/entries/{key}\"")
                .as("a histogram, so p99 can be taken across nodes").containsPattern("dih_http_requests_seconds_bucket\\{[^}]*le=\"0\\.025\"")
                .contains("dih_region_entries{node=")
                .contains("region=\"metered\"")
                .contains("dih_offheap_used_bytes")
                .contains("jvm_memory_used_bytes");

        JsonNode v = rest.get("/ignite?cmd=version").json();
        assertThat(v.path("successStatus").asInt()).isZero();
        assertThat(v.path("response").asText()).startsWith("2.17.0");
        Rest.Response probe = rest.get("/ignite?cmd=probe");
        assertThat(probe.status()).isEqualTo(200);
        assertThat(probe.json().path("response").asText()).isEqualTo("grid has started");
        assertProblem(rest.get("/ignite?cmd=top"), 400, "cmd");
        assertProblem(rest.get("/ignite"), 400, "cmd");
        assertProblem(rest.get("/api/v1/dih/nothing-here"), 404, null);
    }

    static void assertMethodNotAllowed(Rest.Response r, String method, String path, String allow) {
        assertProblem(r, 405, null);
        assertThat(r.json().path("title").asText()).isEqualTo("Method not allowed");
        assertThat(r.json().path("detail").asText()).as(r.toString()).contains(method).contains(path);
        assertThat(r.header("Allow")).as(r.toString()).isEqualTo(allow);
    }

    @Test
    void aKnownPathWithAnotherMethodIs405WithAllow() {
        assertThat(rest.post(REGIONS, "{\"name\": \"methods\"}").status()).isEqualTo(201);
        assertMethodNotAllowed(rest.send("PATCH", REGIONS, "{}"), "PATCH", REGIONS, "GET, POST");
        assertMethodNotAllowed(rest.delete(REGIONS), "DELETE", REGIONS, "GET, POST");
        assertMethodNotAllowed(rest.put("/api/v1/dih/health", "{}"), "PUT", "/api/v1/dih/health", "GET");
        assertMethodNotAllowed(rest.send("PATCH", REGIONS + "/methods", "{}"), "PATCH", REGIONS + "/methods", "GET, DELETE");
        assertMethodNotAllowed(rest.get(REGIONS + "/methods/entries"), "GET", REGIONS + "/methods/entries", "PUT");
        assertMethodNotAllowed(rest.post(REGIONS + "/methods/entries/k", "{}"), "POST", REGIONS + "/methods/entries/k", "GET, PUT, PATCH, DELETE");
        assertMethodNotAllowed(rest.post("/api/v1/dih/data-sources/x/status", ""), "POST", "/api/v1/dih/data-sources/x/status", "GET");
        assertMethodNotAllowed(rest.delete("/api/v1/dih/openapi.json"), "DELETE", "/api/v1/dih/openapi.json", "GET");
        assertMethodNotAllowed(rest.post("/ignite?cmd=version", ""), "POST", "/ignite", "GET");
        assertMethodNotAllowed(rest.put("/api/v1/dih/api-endpoints/session/validate", "{}"), "PUT", "/api/v1/dih/api-endpoints/session/validate", "GET, DELETE");
        assertMethodNotAllowed(rest.delete("/api/v1/dih/query/session/validate"), "DELETE", "/api/v1/dih/query/session/validate", "GET, POST");

        // unknown paths stay 404, without Allow; the right method still works
        Rest.Response unknown = rest.send("PATCH", "/api/v1/dih/nothing-here", "{}");
        assertProblem(unknown, 404, null);
        assertThat(unknown.header("Allow")).isNull();
        assertProblem(rest.get(REGIONS + "/methods/stats/extra"), 404, null);
        assertThat(rest.get(REGIONS + "/methods").status()).isEqualTo(200);
        assertThat(rest.get("/api/v1/dih/health").status()).isEqualTo(200);
    }

    @Test
    void openApiDocumentsEveryRoute() {
        JsonNode doc = rest.get("/api/v1/dih/openapi.json").json();
        JsonNode paths = doc.path("paths");
        String[][] routes = {
            {REGIONS, "post"}, {REGIONS, "get"}, {REGIONS + "/{name}", "get"}, {REGIONS + "/{name}", "delete"},
            {REGIONS + "/{name}/stats", "get"}, {REGIONS + "/{name}/entries", "put"},
            {REGIONS + "/{name}/entries/batch-get", "post"}, {REGIONS + "/{name}/entries/{key}", "get"},
            {REGIONS + "/{name}/entries/{key}", "put"}, {REGIONS + "/{name}/entries/{key}", "delete"},
            {REGIONS + "/{name}/entries/{key}", "patch"},
            {"/api/v1/dih/data-sources", "post"}, {"/api/v1/dih/data-sources", "get"}, {"/api/v1/dih/data-sources/validate", "post"},
            {"/api/v1/dih/data-sources/{name}", "get"}, {"/api/v1/dih/data-sources/{name}", "delete"},
            {"/api/v1/dih/data-sources/{name}/sync", "post"}, {"/api/v1/dih/data-sources/{name}/status", "get"},
            {"/api/v1/dih/api-endpoints", "post"}, {"/api/v1/dih/api-endpoints", "get"},
            {"/api/v1/dih/api-endpoints/{path}", "get"}, {"/api/v1/dih/api-endpoints/{path}", "delete"},
            {"/api/v1/dih/api-endpoints/{path}/stats", "get"}, {"/api/v1/dih/query/{path}", "post"}, {"/api/v1/dih/query/{path}", "get"},
            {"/api/v1/dih/health", "get"}, {"/api/v1/dih/metrics", "get"}, {"/ignite", "get"}};
        for (String[] r : routes) {
            assertThat(paths.path(r[0]).has(r[1])).as(r[1] + " " + r[0]).isTrue();
        }
        assertThat(paths.path(REGIONS).path("post").path("responses").has("400")).isTrue();
        JsonNode entry = paths.path(REGIONS + "/{name}/entries/{key}");
        assertThat(entry.path("put").path("description").asText()).contains("PUT replaces");
        assertThat(entry.path("patch").path("description").asText()).contains("PATCH merges");
        assertThat(entry.path("patch").path("responses").has("404")).isTrue();
    }
}
