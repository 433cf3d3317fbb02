package io.dih.server.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dih.server.testing.Rest;
import io.dih.server.testing.TestingHubCluster;
import io.dih.testing.Await;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.ignite.Ignition;
import org.apache.ignite.client.IgniteClient;
import org.apache.ignite.configuration.ClientConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Templated API endpoints on a real 2-node cluster: registration, bound parameters, cached answers and their invalidation. */
class EndpointIT {
    static final String ENDPOINTS = "/api/v1/dih/api-endpoints";
    static final String QUERY = "/api/v1/dih/query/";
    static final String REGIONS = "/api/v1/dih/cache-regions";
    static final String SQL = "/api/v1/dih/sql-query";
    static final String TRANSACTIONS = "/api/v1/dih/transactions";

    /** Seed 004's endpoint body exactly as written. */
    static final String SEED_ENDPOINT = """
            {
                "path": "session/validate",
                "cache_regions": ["user_sessions"],
                "query_template": "SELECT * FROM user_sessions WHERE session_token = '{token}'",
                "cache_key_pattern": "session:{token}",
                "ttl_seconds": 60
            }
            """;

    static TestingHubCluster cluster;
    static Rest rest;
    static Rest rest1;

    @BeforeAll
    static void start() {
        cluster = TestingHubCluster.start(2);
        rest = new Rest(cluster.node(0).baseUrl());
        rest1 = new Rest(cluster.node(1).baseUrl());
        ok(rest.post(REGIONS, """
                {"name": "user_sessions", "cache_mode": "REPLICATED", "atomicity_mode": "TRANSACTIONAL",
                 "key_fields": ["session_token"],
                 "fields": {"session_token": "VARCHAR", "user_id": "VARCHAR", "tenant_id": "VARCHAR"}}"""));
        ok(rest.put(REGIONS + "/user_sessions/entries", """
                {"entries": {"abc123": {"user_id": "u1", "tenant_id": "acme"}, "def456": {"user_id": "u2", "tenant_id": "acme"}}}"""));
        ok(rest.post(REGIONS, """
                {"name": "accounts", "key_fields": ["id"],
                 "fields": {"id": "BIGINT", "owner": "VARCHAR", "balance": "DECIMAL"}}"""));
        ok(rest.put(REGIONS + "/accounts/entries", """
                {"entries": {"1": {"owner": "ann", "balance": 10.50}, "2": {"owner": "bob", "balance": 20},
                             "3": {"owner": "O'Brien", "balance": 30}, "4": {"owner": "cid", "balance": 40},
                             "5": {"owner": "dee", "balance": 50}}}"""));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    static Rest.Response ok(Rest.Response r) {
        assertThat(r.status()).as(r.toString()).isBetween(200, 299);
        return r;
    }

    static void assertProblem(Rest.Response r, int status, String field, String detailContains) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        assertThat(r.contentType()).as(r.toString()).startsWith("application/problem+json");
        if (field != null) {
            assertThat(r.json().path("field").asText()).as(r.toString()).isEqualTo(field);
        }
        if (detailContains != null) {
            assertThat(r.json().path("detail").asText()).as(r.toString()).contains(detailContains);
        }
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static String endpoint(String path, String regions, String template, String extra) {
        return "{\"path\": \"" + path + "\", \"cache_regions\": " + regions + ", \"query_template\": \"" + template + "\""
                + (extra.isEmpty() ? "" : ", " + extra) + "}";
    }

    static List<String> owners(JsonNode result) {
        List<String> out = new ArrayList<>();
        result.path("rows").forEach(r -> out.add(r.path("owner").asText()));
        return out;
    }

    @Test
    void seedBodyRegistersIdempotentlyListsGetsAndDeletes() {
        Rest.Response created = rest.post(ENDPOINTS, SEED_ENDPOINT);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        JsonNode spec = created.json();
        assertThat(spec.path("path").asText()).isEqualTo("session/validate");
        assertThat(spec.path("max_rows").asInt()).isEqualTo(1000);
        assertThat(spec.path("ttl_seconds").asInt()).isEqualTo(60);
        Rest.Response again = rest.post(ENDPOINTS, SEED_ENDPOINT);
        assertThat(again.status()).as(again.toString()).isEqualTo(200);
        assertThat(again.json()).isEqualTo(spec);
        assertProblem(rest.post(ENDPOINTS, SEED_ENDPOINT.replace("\"ttl_seconds\": 60", "\"ttl_seconds\": 5")), 409, null, "session/validate");
        assertProblem(rest.post(ENDPOINTS, SEED_ENDPOINT.replace("session/validate", "SESSION/Validate/").replace("60", "5")), 409, null, null);

        assertThat(rest.get(ENDPOINTS).json().path("endpoints").findValuesAsText("path")).contains("session/validate");
        assertThat(rest.get(ENDPOINTS + "/session/validate").json()).isEqualTo(spec);
        assertThat(rest1.get(ENDPOINTS + "/Session/Validate").json()).isEqualTo(spec);
        assertProblem(rest.get(ENDPOINTS + "/session/nope"), 404, null, "session/nope");

        // the seed's call, by POST and by GET; the second is answered from the cache
        JsonNode first = ok(rest.post(QUERY + "session/validate", "{\"token\": \"abc123\"}")).json();
        assertThat(first.path("cached").asBoolean()).as(first.toString()).isFalse();
        assertThat(first.path("truncated").asBoolean()).isFalse();
        assertThat(first.path("columns")).extracting(JsonNode::asText).containsExactly("session_token", "user_id", "tenant_id");
        assertThat(first.path("rows")).hasSize(1);
        assertThat(first.path("rows").get(0).path("user_id").asText()).isEqualTo("u1");
        JsonNode second = ok(rest.get(QUERY + "session/validate?token=abc123")).json();
        assertThat(second.path("cached").asBoolean()).as(second.toString()).isTrue();
        assertThat(second.path("rows")).isEqualTo(first.path("rows"));
        assertThat(ok(rest.get(QUERY + "session/validate?token=nope")).json().path("rows")).isEmpty();

        // a region an endpoint reads cannot be deleted
        assertProblem(rest.delete(REGIONS + "/user_sessions"), 409, null, "session/validate");

        assertThat(rest.delete(ENDPOINTS + "/session/validate").status()).isEqualTo(204);
        assertProblem(rest.get(ENDPOINTS + "/session/validate"), 404, null, null);
        assertProblem(rest.delete(ENDPOINTS + "/session/validate"), 404, null, null);
        assertProblem(rest.post(QUERY + "session/validate", "{\"token\": \"abc123\"}"), 404, null, "session/validate");
        assertProblem(rest.get(ENDPOINTS + "/session/validate/stats"), 404, null, null);
    }

    @Test
    void injectionPayloadsAreBoundValuesThatMatchNothingAndChangeNothing() throws Exception {
        ok(rest.post(ENDPOINTS, endpoint("accounts/by-owner", "[\"accounts\"]",
                "SELECT id, owner FROM accounts WHERE owner = '{owner}' ORDER BY id", "\"ttl_seconds\": 0")));
        ok(rest.post(ENDPOINTS, endpoint("accounts/by-id", "[\"accounts\"]",
                "SELECT id, owner FROM accounts WHERE id = {id}", "\"parameters\": {\"id\": {\"type\": \"BIGINT\"}}")));
        String[] payloads = {
            "x' OR '1'='1", "x' OR 1=1 --", "'; DROP TABLE accounts;--", "'; DELETE FROM accounts;--", "ann' /* */ OR 'a'='a",
            "ann'--", "x\u2019 OR \u20191\u2019=\u20191", "x\u02bc OR 1=1 --", "{owner}", "?", "ann\\' OR 1=1 --", "ann%", "*/ OR 1=1 /*",
        };
        for (String p : payloads) {
            JsonNode viaPost = ok(rest.post(QUERY + "accounts/by-owner", "{\"owner\": " + new com.fasterxml.jackson.databind.ObjectMapper()
                    .writeValueAsString(p) + "}")).json();
            assertThat(viaPost.path("rows")).as("POST " + p).isEmpty();
            JsonNode viaGet = ok(rest.get(QUERY + "accounts/by-owner?owner=" + enc(p))).json();
            assertThat(viaGet.path("rows")).as("GET " + p).isEmpty();
        }
        // a quote in a value is just a character: O'Brien is found
        assertThat(owners(ok(rest.get(QUERY + "accounts/by-owner?owner=" + enc("O'Brien"))).json())).containsExactly("O'Brien");
        // a typed parameter refuses what is not its type instead of letting it near the SQL
        assertProblem(rest.get(QUERY + "accounts/by-id?id=" + enc("1 OR 1=1")), 400, "id", null);
        assertProblem(rest.post(QUERY + "accounts/by-id", "{\"id\": \"1; DROP TABLE accounts\"}"), 400, "id", null);
        // nothing changed
        assertThat(rest.get(REGIONS + "/accounts/entries/1").json().path("owner").asText()).isEqualTo("ann");
        try (Connection c = DriverManager.getConnection(io.dih.testing.HubCredentials.jdbcUrl(cluster.node(1).thinClientPort()));
             PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM accounts");
             java.sql.ResultSet rs = ps.executeQuery()) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(5);
        }
        assertThat(ok(rest.get(QUERY + "accounts/by-id?id=2")).json().path("rows").get(0).path("owner").asText()).isEqualTo("bob");
        rest.delete(ENDPOINTS + "/accounts/by-owner");
        rest.delete(ENDPOINTS + "/accounts/by-id");
    }

    @Test
    void badTemplatesAre400NamingTheProblemAndRegisterNothing() {
        String acc = "[\"accounts\"]";
        assertProblem(rest.post(ENDPOINTS, endpoint("bad/a", "[\"nowhere\"]", "SELECT * FROM nowhere", "")), 400, "cache_regions[0]", "nowhere");
        assertProblem(rest.post(ENDPOINTS, endpoint("bad/b", acc, "SELECT * FROM user_sessions", "")), 400, "cache_regions", "user_sessions");
        assertProblem(rest.post(ENDPOINTS, endpoint("bad/c", acc, "DROP TABLE accounts", "")), 400, "query_template", "SELECT");
        assertProblem(rest.post(ENDPOINTS, endpoint("bad/d", acc, "DELETE FROM accounts WHERE id = {id}", "")), 400, "query_template", "SELECT");
        assertProblem(rest.post(ENDPOINTS, endpoint("bad/e", acc, "UPDATE accounts SET owner = {o}", "")), 400, "query_template", "SELECT");
        assertProblem(rest.post(ENDPOINTS, endpoint("bad/f", acc, "SELECT * FROM accounts; DELETE FROM accounts", "")), 400, "query_template", "one statement");
        assertProblem(rest.post(ENDPOINTS, endpoint("bad/g", acc, "SELECT colour FROM accounts WHERE id = {id}", "")), 400, "query_template", "COLOUR");
        assertProblem(rest.post(ENDPOINTS, endpoint("bad/h", acc, "SELECT * FROM accounts WHERE id = {}", "")), 400, "query_template", "{name}");
        assertProblem(rest.post(ENDPOINTS, endpoint("bad/i", acc, "SELECT * FROM accounts WHERE id = {1}", "")), 400, "query_template", "{name}");
        assertProblem(rest.post(ENDPOINTS, endpoint("bad/j", acc, "SELECT * FROM accounts WHERE id = ?", "")), 400, "query_template", "?");
        assertProblem(rest.post(ENDPOINTS, endpoint("bad/k", acc, "SELECT * FROM accounts WHERE owner LIKE '%{o}%'", "")), 400, "query_template", "literal");
        assertProblem(rest.post(ENDPOINTS, endpoint("bad/l", acc, "SELECT * FROM accounts WHERE owner = {o}",
                "\"cache_key_pattern\": \"acc\"")), 400, "cache_key_pattern", "{o}");
        assertProblem(rest.post(ENDPOINTS, endpoint("bad/m", acc, "SELECT * FROM accounts WHERE owner = {o}",
                "\"parameters\": {\"x\": {\"type\": \"INT\"}}")), 400, "parameters.x", "not used");
        assertProblem(rest.post(ENDPOINTS, endpoint("bad/n", acc, "SELECT * FROM accounts WHERE id = {id}",
                "\"parameters\": {\"id\": {\"type\": \"BIGINT\", \"default\": \"many\"}}")), 400, "parameters.id.default", null);
        assertProblem(rest.post(ENDPOINTS, endpoint("bad/o", acc, "SELECT * FROM accounts WHERE id = {id}",
                "\"parameters\": {\"id\": {\"type\": \"LIST\"}}")), 400, "parameters.id.type", null);
        assertProblem(rest.post(ENDPOINTS, endpoint("bad/stats", acc, "SELECT * FROM accounts", "")), 400, "path", "stats");
        assertProblem(rest.post(ENDPOINTS, endpoint("bad/{id}", acc, "SELECT * FROM accounts", "")), 400, "path", null);
        assertProblem(rest.post(ENDPOINTS, endpoint("bad/p", acc, "SELECT * FROM accounts", "\"max_rows\": 0")), 400, "max_rows", null);
        assertProblem(rest.post(ENDPOINTS, endpoint("bad/q", acc, "SELECT * FROM accounts", "\"colour\": 1")), 400, null, "colour");
        assertThat(rest.get(ENDPOINTS).json().path("endpoints").findValuesAsText("path")).noneMatch(p -> p.startsWith("bad/"));
    }

    @Test
    void parametersAreCheckedTypedAndDefaulted() {
        ok(rest.post(ENDPOINTS, endpoint("accounts/rich", "[\"accounts\"]",
                "SELECT owner FROM accounts WHERE balance >= {min} AND owner <> '{except}' ORDER BY id",
                "\"parameters\": {\"min\": {\"type\": \"DECIMAL\", \"required\": true}, \"except\": {\"default\": \"nobody\"}}, \"max_rows\": 2")));
        JsonNode r = ok(rest.post(QUERY + "accounts/rich", "{\"min\": 20}")).json();
        assertThat(owners(r)).containsExactly("bob", "O'Brien");
        assertThat(r.path("truncated").asBoolean()).isTrue();
        assertThat(owners(ok(rest.get(QUERY + "accounts/rich?min=35&except=cid")).json())).containsExactly("dee");
        assertThat(ok(rest.get(QUERY + "accounts/rich?min=45")).json().path("truncated").asBoolean()).isFalse();
        assertProblem(rest.post(QUERY + "accounts/rich", "{}"), 400, "min", "required");
        assertProblem(rest.post(QUERY + "accounts/rich", "{\"min\": null}"), 400, "min", "required");
        assertProblem(rest.post(QUERY + "accounts/rich", "{\"min\": \"lots\"}"), 400, "min", "DECIMAL");
        assertProblem(rest.post(QUERY + "accounts/rich", "{\"min\": [1]}"), 400, "min", null);
        assertProblem(rest.post(QUERY + "accounts/rich", "{\"min\": 1, \"colour\": \"red\"}"), 400, "colour", "not a parameter");
        assertProblem(rest.get(QUERY + "accounts/rich?min=1&min=2"), 400, "min", null);
        assertProblem(rest.post(QUERY + "accounts/rich", "[1]"), 400, "body", null);
        assertProblem(rest.post(QUERY + "no/such/endpoint", "{}"), 404, null, "no/such/endpoint");
        assertProblem(rest.get(QUERY + "no/such/endpoint"), 404, null, null);

        JsonNode stats = ok(rest.get(ENDPOINTS + "/accounts/rich/stats")).json();
        assertThat(stats.path("calls").asLong()).as(stats.toString()).isEqualTo(10);
        assertThat(stats.path("errors").asLong()).isEqualTo(7);
        assertThat(stats.path("misses").asLong() + stats.path("hits").asLong()).isEqualTo(3);
        assertThat(stats.path("latency_ms_p99").asDouble()).isGreaterThan(0);
        String metrics = rest.get("/api/v1/dih/metrics").body();
        assertThat(metrics).contains("dih_endpoint_calls_total{endpoint=\"accounts/rich\"", "dih_endpoint_errors_total{endpoint=\"accounts/rich\"",
                "dih_endpoint_latency_seconds");
        rest.delete(ENDPOINTS + "/accounts/rich");
    }

    /** Registers an endpoint over {@code region} and returns once a call of it was answered from the cache. */
    static void cachedOnce(Rest r, String path, String params) {
        Await.until(Duration.ofSeconds(20), path + " answered from the cache", () ->
                ok(r.get(QUERY + path + params)).json().path("cached").asBoolean());
    }

    static long waitForFresh(Rest r, String path, String params, java.util.function.Predicate<JsonNode> isNew) {
        long started = System.nanoTime();
        Await.until(Duration.ofSeconds(20), path + " answered the new value, not the cached one", () -> {
            JsonNode a = ok(r.get(QUERY + path + params)).json();
            return isNew.test(a);
        });
        return (System.nanoTime() - started) / 1_000_000;
    }

    @Test
    void cachedAnswersAreDroppedByEveryWritePathOnEveryNode() throws Exception {
        ok(rest.post(REGIONS, """
                {"name": "prices", "key_fields": ["sku"], "fields": {"sku": "VARCHAR", "price": "INT"}}"""));
        ok(rest.put(REGIONS + "/prices/entries/a", "{\"price\": 1}"));
        ok(rest.post(ENDPOINTS, endpoint("prices/of", "[\"prices\"]", "SELECT price FROM prices WHERE sku = '{sku}'",
                "\"cache_key_pattern\": \"price:{sku}\", \"ttl_seconds\": 600")));
        java.util.function.IntFunction<java.util.function.Predicate<JsonNode>> price = p -> a -> !a.path("cached").asBoolean()
                && a.path("rows").size() == 1 && a.path("rows").get(0).path("price").asInt() == p;

        // REST put on the same node: the very next call answers the new value
        cachedOnce(rest, "prices/of", "?sku=a");
        ok(rest.put(REGIONS + "/prices/entries/a", "{\"price\": 2}"));
        assertThat(price.apply(2).test(ok(rest.get(QUERY + "prices/of?sku=a")).json())).isTrue();

        // SQL DML through the JDBC thin driver
        cachedOnce(rest, "prices/of", "?sku=a");
        try (Connection c = DriverManager.getConnection(io.dih.testing.HubCredentials.jdbcUrl(cluster.node(0).thinClientPort()));
             PreparedStatement ps = c.prepareStatement("UPDATE prices SET price = ? WHERE sku = ?")) {
            ps.setInt(1, 3);
            ps.setString(2, "a");
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
        long sqlMs = waitForFresh(rest, "prices/of", "?sku=a", price.apply(3)); // JDBC: the continuous query tells, ms later

        // a thin-client cache operation (a remove: the key is the plain string)
        cachedOnce(rest, "prices/of", "?sku=a");
        try (IgniteClient client = Ignition.startClient(new ClientConfiguration().setAddresses("127.0.0.1:" + cluster.node(1).thinClientPort()).setUserName("operator").setUserPassword(io.dih.testing.HubCredentials.ADMIN_KEY))) {
            assertThat(client.cache("prices").remove("a")).isTrue();
        }
        long thinMs = waitForFresh(rest, "prices/of", "?sku=a", a -> !a.path("cached").asBoolean() && a.path("rows").isEmpty());

        // writes through the hub's calls on node 0, each followed at once by a call on node 1 that was cached: never stale
        ok(rest.put(REGIONS + "/prices/entries/a", "{\"price\": 4}"));
        waitForFresh(rest1, "prices/of", "?sku=a", price.apply(4));
        for (int p = 5; p < 45; p++) {
            cachedOnce(rest1, "prices/of", "?sku=a");
            switch (p % 4) {
                case 0 -> ok(rest.put(REGIONS + "/prices/entries/a", "{\"price\": " + p + "}"));
                case 1 -> ok(rest.patch(REGIONS + "/prices/entries/a", "{\"price\": " + p + "}"));
                case 2 -> ok(rest.post(SQL, "{\"query\": \"UPDATE prices SET price = ? WHERE sku = 'a'\", \"params\": [" + p + "]}"));
                default -> ok(rest.post(TRANSACTIONS, "{\"operations\": [{\"region\": \"prices\", \"operation\": \"put\", "
                        + "\"data\": {\"key\": \"a\", \"updates\": {\"price\": " + p + "}}}]}"));
            }
            JsonNode a = ok(rest1.get(QUERY + "prices/of?sku=a")).json();
            assertThat(price.apply(p).test(a)).as("write %d (kind %d), then %s", p, p % 4, a).isTrue();
        }
        System.out.printf("endpoint invalidation seen after: SQL DML over JDBC %d ms, thin client %d ms%n", sqlMs, thinMs);

        // another key's answer stays cached until its own region changes... and any change of the region drops it
        ok(rest.put(REGIONS + "/prices/entries/b", "{\"price\": 7}"));
        waitForFresh(rest, "prices/of", "?sku=b", price.apply(7));
        cachedOnce(rest, "prices/of", "?sku=b");

        // stats: the cluster's totals and each node's share (both nodes answered calls)
        JsonNode stats = ok(rest1.get(ENDPOINTS + "/prices/of/stats")).json();
        assertThat(stats.path("nodes")).as(stats.toString()).hasSize(2);
        long calls = 0;
        long hits = 0;
        for (JsonNode n : stats.path("nodes")) {
            assertThat(n.path("calls").asLong()).as(stats.toString()).isPositive();
            calls += n.path("calls").asLong();
            hits += n.path("hits").asLong();
        }
        assertThat(stats.path("calls").asLong()).isEqualTo(calls);
        assertThat(stats.path("hits").asLong()).isEqualTo(hits).isPositive();
        assertThat(stats.path("errors").asLong()).isZero();
        rest.delete(ENDPOINTS + "/prices/of");
    }

    @Test
    void expiryDropsCachedAnswers() {
        ok(rest.post(REGIONS, """
                {"name": "tokens", "key_fields": ["t"], "fields": {"t": "VARCHAR", "who": "VARCHAR"},
                 "expiry_policy": {"create": 2}}"""));
        ok(rest.post(ENDPOINTS, endpoint("tokens/who", "[\"tokens\"]", "SELECT who FROM tokens WHERE t = {t}", "\"ttl_seconds\": 600")));
        ok(rest.put(REGIONS + "/tokens/entries/x", "{\"who\": \"ann\"}"));
        cachedOnce(rest, "tokens/who", "?t=x");
        assertThat(ok(rest.get(QUERY + "tokens/who?t=x")).json().path("rows")).hasSize(1);
        waitForFresh(rest, "tokens/who", "?t=x", a -> !a.path("cached").asBoolean() && a.path("rows").isEmpty());
        rest.delete(ENDPOINTS + "/tokens/who");
    }
}
