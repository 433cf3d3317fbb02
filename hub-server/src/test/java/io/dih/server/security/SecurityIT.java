package io.dih.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.dih.server.testing.Rest;
import io.dih.server.testing.TestingHubCluster;
import io.dih.testing.Await;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.ignite.Ignition;
import org.apache.ignite.client.IgniteClient;
import org.apache.ignite.configuration.ClientConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Security on three nodes: credentials (none, malformed, wrong, revoked, expired, rotated), roles, and two tenants that
 * cannot see, change or learn of each other's regions, entries, sources, endpoints, transactions, subscriptions and
 * keys (another tenant's object answers exactly as one that does not exist); the audit log; brute force.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SecurityIT {
    static final String API = "/api/v1/dih";
    static TestingHubCluster cluster;
    static Rest operator;
    /** Every secret a test saw: none may appear in the audit log. */
    static final List<String> secrets = new ArrayList<>();

    @BeforeAll
    static void start() {
        cluster = TestingHubCluster.start(3);
        operator = new Rest(cluster.node(0).baseUrl());
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    static Rest node(int i, String key) {
        return Rest.withKey(cluster.node(i).baseUrl(), key);
    }

    static String key(String tenant, String role, String name) {
        Rest.Response r = operator.post(API + "/api-keys", "{\"name\": \"" + name + "\", \"tenant\": " + (tenant == null ? "null" : "\"" + tenant + "\"")
                + ", \"role\": \"" + role + "\"}");
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        String key = r.json().path("key").asText();
        secrets.add(key);
        return key;
    }

    static void problem(Rest.Response r, int status) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
    }

    @Test
    @Order(1)
    void everyRouteButHealthNeedsAValidCredentialAndALoginFailureSaysNothingMore() {
        Rest anonymous = Rest.anonymous(cluster.node(1).baseUrl());
        assertThat(anonymous.get(API + "/health").status()).isEqualTo(200);
        assertThat(anonymous.get(API + "/openapi.json").status()).isEqualTo(200);
        Rest.Response none = anonymous.get(API + "/cache-regions");
        problem(none, 401);
        assertThat(none.header("WWW-Authenticate")).startsWith("Bearer");
        for (String bad : List.of("dih_0123456789abcdef_wrongsecretwrongsecretwrongsecret1234567", "nonsense-of-the-right-length-0000",
                "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln")) {
            Rest.Response r = node(1, bad).get(API + "/cache-regions");
            problem(r, 401);
            assertThat(r.json().path("detail").asText()).as("a wrong credential is told nothing a missing one is not")
                    .isEqualTo(none.json().path("detail").asText());
        }
        problem(anonymous.withHeader("Authorization", "Basic dXNlcjpwYXNz").get(API + "/cache-regions"), 401);
        problem(anonymous.post(API + "/cache-regions", "{\"name\": \"sneaky\"}"), 401);
        assertThat(operator.get(API + "/cache-regions/sneaky").status()).as("nothing was created").isEqualTo(404);
    }

    @Test
    @Order(2)
    void twoTenantsNeverSeeEachOthersObjectsOnAnyRouteOrNode() {
        assertThat(operator.post(API + "/tenants", "{\"name\": \"acme\", \"quotas\": {\"max_regions\": 2}}").status()).isEqualTo(201);
        assertThat(operator.post(API + "/tenants", "{\"name\": \"acme\", \"quotas\": {\"max_regions\": 2}}").status()).as("idempotent").isEqualTo(200);
        assertThat(operator.post(API + "/tenants", "{\"name\": \"globex\"}").status()).isEqualTo(201);
        problem(operator.post(API + "/tenants", "{\"name\": \"Bad_Name\"}"), 400);
        String acmeAdmin = key("acme", "admin", "acme ops");
        String acmeWriter = key("acme", "writer", "acme app");
        String acmeReader = key("acme", "reader", "acme dashboards");
        String globexAdmin = key("globex", "admin", "globex ops");
        Rest acme = node(2, acmeAdmin); // made on node 0, used on node 2
        Rest globex = node(1, globexAdmin);

        // names: a tenant's objects carry its prefix
        Rest.Response unprefixed = acme.post(API + "/cache-regions", "{\"name\": \"orders\", \"fields\": {\"id\": \"BIGINT\", \"total\": \"DOUBLE\"}}");
        problem(unprefixed, 400);
        assertThat(unprefixed.json().path("field").asText()).isEqualTo("name");
        assertThat(unprefixed.json().path("detail").asText()).contains("acme_orders");
        assertThat(acme.post(API + "/cache-regions", "{\"name\": \"acme_orders\", \"fields\": {\"id\": \"BIGINT\", \"total\": \"DOUBLE\"}}").status())
                .isEqualTo(201);
        assertThat(globex.post(API + "/cache-regions", "{\"name\": \"globex_orders\", \"fields\": {\"id\": \"BIGINT\", \"total\": \"DOUBLE\"}}").status())
                .isEqualTo(201);
        problem(node(0, acmeReader).post(API + "/cache-regions", "{\"name\": \"acme_x\", \"fields\": {\"id\": \"BIGINT\"}}"), 403);

        // entries: the writer writes, the reader reads, the other tenant gets "does not exist"
        assertThat(node(0, acmeWriter).put(API + "/cache-regions/acme_orders/entries/1", "{\"total\": 9.5}").status()).isIn(200, 201, 204);
        assertThat(node(1, acmeReader).get(API + "/cache-regions/acme_orders/entries/1").json().path("total").asDouble()).isEqualTo(9.5);
        problem(node(1, acmeReader).put(API + "/cache-regions/acme_orders/entries/2", "{\"total\": 1}"), 403);

        String missing = operator.get(API + "/cache-regions/zz_missing").json().path("detail").asText().replace("zz_missing", "acme_orders");
        for (String path : List.of("/cache-regions/acme_orders", "/cache-regions/acme_orders/stats", "/cache-regions/acme_orders/entries/1",
                "/subscriptions/acme_orders", "/subscriptions/acme_orders/journal")) {
            Rest.Response r = globex.get(API + path);
            problem(r, 404);
            assertThat(r.json().path("detail").asText()).as(path).isEqualTo(missing);
        }
        assertThat(webSocketStatus(1, globexAdmin, "acme_orders")).as("a WebSocket subscription to another tenant's region").isEqualTo(404);
        assertThat(webSocketStatus(1, null, "globex_orders")).as("a WebSocket subscription without a credential").isEqualTo(401);
        assertThat(webSocketStatus(1, globexAdmin, "globex_orders")).as("its own region").isEqualTo(101);
        problem(globex.put(API + "/cache-regions/acme_orders/entries/1", "{\"total\": 0}"), 404);
        problem(globex.delete(API + "/cache-regions/acme_orders/entries/1"), 404);
        problem(globex.delete(API + "/cache-regions/acme_orders"), 404);
        problem(globex.post(API + "/cache-regions/acme_orders/entries/batch-get", "{\"keys\": [\"1\"]}"), 404);
        Rest.Response tx = globex.post(API + "/transactions", "{\"operations\": [{\"region\": \"acme_orders\", \"operation\": \"get\", \"data\": {\"key\": \"1\"}}]}");
        problem(tx, 400);
        assertThat(tx.json().path("detail").asText()).contains("there is no region 'acme_orders'");
        assertThat(node(0, acmeWriter).post(API + "/transactions",
                "{\"operations\": [{\"region\": \"acme_orders\", \"operation\": \"get\", \"data\": {\"key\": \"1\"}}]}").status()).isEqualTo(200);

        // listings show only one's own
        assertThat(names(globex.get(API + "/cache-regions").json().path("regions"), "name")).containsExactly("globex_orders");
        assertThat(names(acme.get(API + "/cache-regions").json().path("regions"), "name")).containsExactly("acme_orders");
        assertThat(names(operator.get(API + "/cache-regions").json().path("regions"), "name")).contains("acme_orders", "globex_orders");

        // keys: a tenant's admin sees and manages its own only, never a secret
        Rest.Response keys = acme.get(API + "/api-keys");
        assertThat(names(keys.json().path("api_keys"), "tenant")).containsOnly("acme");
        assertThat(keys.body()).doesNotContain("hash", acmeAdmin.substring(22), acmeWriter.substring(22));
        String globexKeyId = globexAdmin.substring(4, 20);
        problem(acme.delete(API + "/api-keys/" + globexKeyId), 404);
        problem(acme.post(API + "/api-keys/" + globexKeyId + "/rotate", ""), 404);
        problem(acme.post(API + "/api-keys", "{\"name\": \"x\", \"tenant\": \"globex\", \"role\": \"admin\"}"), 400);

        // SQL and endpoints: a tenant's statements name its own tables; another's is a table that does not exist
        Rest.Response own = node(0, acmeReader).post(API + "/sql-query", "{\"query\": \"SELECT total FROM acme_orders\"}");
        assertThat(own.status()).as(own.toString()).isEqualTo(200);
        assertThat(own.json().path("rows").toString()).isEqualTo("[[9.5]]");
        String noTable = globex.post(API + "/sql-query", "{\"query\": \"SELECT * FROM globex_orders o JOIN zz_missing a ON o.id = a.id\"}")
                .json().path("detail").asText().replace("ZZ_MISSING", "ACME_ORDERS");
        Rest.Response theirs = globex.post(API + "/sql-query", "{\"query\": \"SELECT * FROM globex_orders o JOIN acme_orders a ON o.id = a.id\"}");
        problem(theirs, 400);
        assertThat(theirs.json().path("detail").asText()).isEqualTo(noTable);
        problem(globex.post(API + "/sql-query", "{\"query\": \"SELECT TABLE_NAME FROM SYS.TABLES\"}"), 400);
        problem(node(2, globexAdmin).post(API + "/sql-query", "{\"query\": \"DELETE FROM acme_orders\"}"), 400);
        assertThat(acme.post(API + "/api-endpoints", "{\"path\": \"acme/big\", \"cache_regions\": [\"acme_orders\"], \"query_template\": "
                + "\"SELECT id, total FROM acme_orders WHERE total > 1\"}").status()).isEqualTo(201);
        assertThat(node(1, acmeReader).get(API + "/query/acme/big").body()).contains("9.5");
        problem(node(1, globexAdmin).get(API + "/query/acme/big"), 404);
        problem(globex.post(API + "/api-endpoints", "{\"path\": \"globex/peek\", \"cache_regions\": [\"globex_orders\"], \"query_template\": "
                + "\"SELECT * FROM acme_orders\"}"), 400);
        assertThat(acme.delete(API + "/api-endpoints/acme/big").status()).isEqualTo(204);
        // closed to tenants: tenants, metrics
        problem(acme.get(API + "/tenants"), 403);
        problem(acme.get(API + "/metrics"), 403);
        // the operator's reader may SELECT but not change
        String operatorReader = key(null, "reader", "operator dashboards");
        assertThat(node(0, operatorReader).post(API + "/sql-query", "{\"query\": \"SELECT COUNT(*) FROM acme_orders\"}").status()).isEqualTo(200);
        problem(node(0, operatorReader).post(API + "/sql-query", "{\"query\": \"DELETE FROM acme_orders\"}"), 403);
        assertThat(node(1, acmeReader).get(API + "/cache-regions/acme_orders/entries/1").status()).as("nothing deleted").isEqualTo(200);

        // quotas
        assertThat(acme.post(API + "/cache-regions", "{\"name\": \"acme_customers\", \"fields\": {\"id\": \"BIGINT\"}}").status()).isEqualTo(201);
        Rest.Response over = acme.post(API + "/cache-regions", "{\"name\": \"acme_more\", \"fields\": {\"id\": \"BIGINT\"}}");
        problem(over, 403);
        assertThat(over.json().path("detail").asText()).contains("max_regions");
        assertThat(acme.post(API + "/cache-regions", "{\"name\": \"acme_customers\", \"fields\": {\"id\": \"BIGINT\"}}").status())
                .as("the same region again is not a new one").isEqualTo(200);

        // sources: names and target regions
        Rest.Response src = acme.post(API + "/data-sources", "{\"source_name\": \"acme_db\", \"source_type\": \"postgresql\", \"connection_params\": "
                + "{\"host\": \"127.0.0.1\", \"port\": 1, \"database\": \"x\", \"username\": \"x\", \"password\": \"x\"}, \"target_regions\": [\"globex_orders\"]}");
        problem(src, 400);
        assertThat(src.body()).contains("region 'globex_orders' does not exist");
        assertThat(operator.get(API + "/audit?outcome=denied&limit=1000").body()).as("audited as refused")
                .contains("POST /api/v1/dih/data-sources");

        // deleting a tenant that still owns regions: refused; once empty: gone, with its keys
        problem(operator.delete(API + "/tenants/acme"), 409);
        assertThat(acme.delete(API + "/cache-regions/acme_customers").status()).isEqualTo(204);
        assertThat(acme.delete(API + "/cache-regions/acme_orders").status()).isEqualTo(204);
        assertThat(operator.delete(API + "/tenants/acme").status()).isEqualTo(204);
        problem(node(2, acmeAdmin).get(API + "/cache-regions"), 401);
        problem(operator.get(API + "/tenants/acme"), 404);
    }

    @Test
    @Order(3)
    void theThinClientAndJdbcTakeOnlyTheOperatorsCredentials() throws Exception {
        assertThat(operator.post(API + "/tenants", "{\"name\": \"umbrella\"}").status()).isIn(200, 201);
        String tenantKey = key("umbrella", "admin", "umbrella ops");
        String operatorKey = key(null, "reader", "operator jdbc");
        int port = cluster.node(1).thinClientPort();
        for (String password : new String[] {null, "wrong-password-0123456789", tenantKey}) {
            Properties props = new Properties();
            if (password != null) {
                props.setProperty("user", "operator");
                props.setProperty("password", password);
            }
            assertThatThrownBy(() -> DriverManager.getConnection("jdbc:ignite:thin://127.0.0.1:" + port, props).close())
                    .as("JDBC with " + (password == null ? "no password" : "a refused credential")).isInstanceOf(SQLException.class);
            ClientConfiguration cc = new ClientConfiguration().setAddresses("127.0.0.1:" + port);
            if (password != null) {
                cc.setUserName("operator").setUserPassword(password);
            }
            assertThatThrownBy(() -> Ignition.startClient(cc).close()).as("the thin client").isInstanceOf(Exception.class);
        }
        Properties props = new Properties();
        props.setProperty("user", "operator");
        props.setProperty("password", operatorKey);
        try (Connection c = DriverManager.getConnection("jdbc:ignite:thin://127.0.0.1:" + port, props);
             ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM SYS.NODES")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).isEqualTo(3);
        }
        try (IgniteClient thin = Ignition.startClient(new ClientConfiguration().setAddresses("127.0.0.1:" + port).setUserName("operator")
                .setUserPassword(io.dih.testing.HubCredentials.ADMIN_KEY))) {
            assertThat(thin.cacheNames()).isNotEmpty();
        }
        Rest.Response audit = operator.get(API + "/audit?outcome=denied&limit=1000");
        assertThat(audit.body()).contains("CONNECT thin-client").doesNotContain(tenantKey.substring(21));
    }

    @Test
    @Order(4)
    void aTenantsSubscriptionsStayWithinItsQuota() throws Exception {
        assertThat(operator.post(API + "/tenants", "{\"name\": \"initrode\", \"quotas\": {\"max_subscriptions\": 1}}").status()).isIn(200, 201);
        String reader = key("initrode", "reader", "initrode feed");
        assertThat(operator.post(API + "/cache-regions", "{\"name\": \"initrode_events\", \"fields\": {\"id\": \"BIGINT\"}}").status()).isEqualTo(201);
        CompletableFuture<Integer> firstClosed = new CompletableFuture<>();
        CompletableFuture<Void> firstSubscribed = new CompletableFuture<>();
        WebSocket first = openSocket(0, reader, "initrode_events", firstClosed, firstSubscribed);
        firstSubscribed.get(10, TimeUnit.SECONDS); // the slot is taken once the subscription is (after the upgrade)
        // with a timeout: a stream that opened after all would never end
        HttpResponse<String> sse = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(cluster.node(0).baseUrl() + API
                        + "/subscriptions/initrode_events")).header("Accept", "text/event-stream").header("Authorization", "Bearer " + reader)
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(sse.statusCode()).as(sse.body()).isEqualTo(429);
        assertThat(sse.body()).contains("max_subscriptions");
        CompletableFuture<Integer> secondClosed = new CompletableFuture<>();
        openSocket(0, reader, "initrode_events", secondClosed, new CompletableFuture<>());
        assertThat(secondClosed.get(10, TimeUnit.SECONDS)).as("a WebSocket past the quota is closed with 4429").isEqualTo(4429);
        assertThat(firstClosed).as("the first stays open").isNotDone();
        first.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
        Await.until(Duration.ofSeconds(10), "the slot is free again", () -> {
            try {
                CompletableFuture<Integer> closed = new CompletableFuture<>();
                WebSocket again = openSocket(0, reader, "initrode_events", closed, new CompletableFuture<>());
                try {
                    closed.get(1, TimeUnit.SECONDS);
                    return false; // closed by the server: still no slot
                } catch (TimeoutException stillOpen) {
                    again.abort();
                    return true;
                }
            } catch (Exception e) {
                return false;
            }
        });
    }

    @Test
    @Order(5)
    void aTenantsEntriesStayWithinItsQuota() throws InterruptedException {
        assertThat(operator.post(API + "/tenants", "{\"name\": \"hooli\", \"quotas\": {\"max_entries\": 2}}").status()).isIn(200, 201);
        Rest hooli = node(1, key("hooli", "admin", "hooli app"));
        assertThat(hooli.post(API + "/cache-regions", "{\"name\": \"hooli_kv\", \"fields\": {\"id\": \"BIGINT\", \"v\": \"INT\"}}").status())
                .isEqualTo(201);
        assertThat(hooli.put(API + "/cache-regions/hooli_kv/entries/1", "{\"v\": 1}").status()).isEqualTo(201);
        assertThat(hooli.put(API + "/cache-regions/hooli_kv/entries/2", "{\"v\": 2}").status()).isEqualTo(201);
        Thread.sleep(1200); // the quota counts entries at most a second old: let the count see both
        Rest.Response over = hooli.put(API + "/cache-regions/hooli_kv/entries/3", "{\"v\": 3}");
        problem(over, 403);
        assertThat(over.json().path("detail").asText()).contains("max_entries");
        problem(hooli.post(API + "/transactions", "{\"operations\": [{\"region\": \"hooli_kv\", \"operation\": \"insert\", "
                + "\"data\": {\"key\": \"4\", \"updates\": {\"v\": 4}}}]}"), 403);
        assertThat(hooli.patch(API + "/cache-regions/hooli_kv/entries/1", "{\"v\": 10}").status()).as("an update adds nothing").isEqualTo(200);
        assertThat(hooli.post(API + "/transactions", "{\"operations\": [{\"region\": \"hooli_kv\", \"operation\": \"increment\", "
                + "\"data\": {\"key\": \"2\", \"updates\": {\"v\": 1}}}]}").status()).isEqualTo(200);
        assertThat(hooli.delete(API + "/cache-regions/hooli_kv/entries/1").status()).isEqualTo(204);
        Thread.sleep(1200);
        assertThat(hooli.put(API + "/cache-regions/hooli_kv/entries/3", "{\"v\": 3}").status()).as("room again after a delete").isEqualTo(201);
        assertThat(operator.put(API + "/cache-regions/hooli_kv/entries/9", "{\"v\": 9}").status()).as("the operator is not limited").isEqualTo(201);
    }

    /**
     * A WebSocket subscription that completes {@code subscribed} when the server confirms it and {@code closed} with the
     * close code the server sends.
     */
    private static WebSocket openSocket(int node, String key, String region, CompletableFuture<Integer> closed, CompletableFuture<Void> subscribed)
            throws Exception {
        return HttpClient.newHttpClient().newWebSocketBuilder().header("Authorization", "Bearer " + key)
                .buildAsync(URI.create(cluster.node(node).baseUrl().replace("http", "ws") + API + "/subscriptions/" + region), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
                        if (data.toString().contains("SUBSCRIBED")) {
                            subscribed.complete(null);
                        }
                        ws.request(1);
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
                        closed.complete(statusCode);
                        return null;
                    }

                    @Override
                    public void onError(WebSocket ws, Throwable error) {
                        closed.completeExceptionally(error);
                    }
                }).get(10, TimeUnit.SECONDS);
    }

    @Test
    @Order(6)
    void keysRotateWithAnOverlapRevokeEverywhereAndExpire() throws Exception {
        String k = key(null, "reader", "rotated");
        String id = k.substring(4, 20);
        Rest.Response rotated = operator.post(API + "/api-keys/" + id + "/rotate", "{\"overlap_seconds\": 600}");
        assertThat(rotated.status()).as(rotated.toString()).isEqualTo(200);
        String k2 = rotated.json().path("key").asText();
        secrets.add(k2);
        assertThat(k2).isNotEqualTo(k);
        for (int i = 0; i < 3; i++) {
            assertThat(node(i, k).get(API + "/cache-regions").status()).as("the old secret, within the overlap").isEqualTo(200);
            assertThat(node(i, k2).get(API + "/cache-regions").status()).isEqualTo(200);
        }
        String k3 = operator.post(API + "/api-keys/" + id + "/rotate", "{\"overlap_seconds\": 0}").json().path("key").asText();
        secrets.add(k3);
        problem(node(1, k2).get(API + "/cache-regions"), 401);
        problem(node(1, k).get(API + "/cache-regions"), 401);
        assertThat(node(1, k3).get(API + "/cache-regions").status()).isEqualTo(200);
        assertThat(operator.delete(API + "/api-keys/" + id).status()).isEqualTo(204);
        for (int i = 0; i < 3; i++) {
            problem(node(i, k3).get(API + "/cache-regions"), 401);
        }
        problem(operator.post(API + "/api-keys", "{\"name\": \"late\", \"role\": \"reader\", \"expires_at\": \"2020-01-01T00:00:00Z\"}"), 400);
        Rest.Response shortLived = operator.post(API + "/api-keys", "{\"name\": \"short\", \"role\": \"reader\", \"expires_at\": \""
                + Instant.now().plusSeconds(2) + "\"}");
        String sk = shortLived.json().path("key").asText();
        secrets.add(sk);
        assertThat(node(0, sk).get(API + "/cache-regions").status()).isEqualTo(200);
        Await.until(Duration.ofSeconds(10), "the key expires", () -> node(0, sk).get(API + "/cache-regions").status() == 401);
        problem(operator.post(API + "/api-keys", "{\"name\": \"x\", \"role\": \"root\"}"), 400);
    }

    @Test
    @Order(7)
    void theAuditLogHasEveryAdminActionAndEveryRefusalAndNoSecret() {
        Rest.Response audit = operator.get(API + "/audit?limit=1000");
        assertThat(audit.status()).as(audit.toString()).isEqualTo(200);
        List<String> actions = new ArrayList<>();
        audit.json().path("events").forEach(e -> actions.add(e.path("outcome").asText() + " " + e.path("status").asInt() + " " + e.path("action").asText()
                + " " + e.path("tenant").asText("-")));
        assertThat(actions).anyMatch(a -> a.startsWith("allowed 201 POST /api/v1/dih/cache-regions acme"));
        assertThat(actions).anyMatch(a -> a.startsWith("denied 401 GET /api/v1/dih/cache-regions"));
        assertThat(actions).anyMatch(a -> a.startsWith("denied 404 GET /api/v1/dih/cache-regions/acme_orders globex"));
        assertThat(actions).anyMatch(a -> a.startsWith("denied 403 GET /api/v1/dih/tenants"));
        assertThat(actions).anyMatch(a -> a.startsWith("failed 409 DELETE /api/v1/dih/tenants/acme"));
        for (String s : secrets) {
            assertThat(audit.body()).doesNotContain(s.substring(21)); // the secret part of a key
        }
        assertThat(audit.body()).doesNotContain(io.dih.testing.HubCredentials.ADMIN_KEY);
        Rest.Response denied = operator.get(API + "/audit?outcome=denied&since=" + Instant.now().minusSeconds(3600));
        denied.json().path("events").forEach(e -> assertThat(e.path("outcome").asText()).isEqualTo("denied"));
        problem(operator.get(API + "/audit?since=yesterday"), 400);
    }

    @Test
    @Order(8)
    void guessingKeysIsCutOffWith429() {
        Rest guesser = node(2, "dih_00000000000000ff_guess");
        int status = 0;
        for (int i = 0; i < 30 && status != 429; i++) {
            status = guesser.get(API + "/cache-regions").status();
        }
        assertThat(status).isEqualTo(429);
        Rest.Response right = new Rest(cluster.node(2).baseUrl()).get(API + "/cache-regions");
        problem(right, 429);
        assertThat(Long.parseLong(right.header("Retry-After"))).isBetween(1L, 61L);
        assertThat(operator.get(API + "/cache-regions").status()).as("other nodes count their own failures").isEqualTo(200);
    }

    /** The status of a WebSocket upgrade to a region's subscription: 101 when it opened. */
    private static int webSocketStatus(int node, String key, String region) {
        WebSocket.Builder b = HttpClient.newHttpClient().newWebSocketBuilder();
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        try {
            WebSocket ws = b.buildAsync(URI.create(cluster.node(node).baseUrl().replace("http", "ws") + API + "/subscriptions/" + region),
                    new WebSocket.Listener() { }).get(10, TimeUnit.SECONDS);
            ws.abort();
            return 101;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException h) {
                return h.getResponse().statusCode();
            }
            throw new AssertionError(e);
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError(e);
        }
    }

    private static List<String> names(JsonNode array, String field) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.path(field).asText()));
        return out;
    }
}
