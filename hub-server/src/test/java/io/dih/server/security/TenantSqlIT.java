package io.dih.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dih.api.RegionSpec;
import io.dih.client.HubClient;
import io.dih.client.HubClientException;
import io.dih.client.SqlRows;
import io.dih.server.testing.Rest;
import io.dih.server.testing.TestingHubCluster;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * SQL over REST and endpoint registration for tenants: a tenant's statement may name its own tables only, and every
 * statement that names another tenant's table, a system view or the hub's own schemas is answered exactly as it was
 * before that table existed — same status, same words, same error position.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TenantSqlIT {
    static final String API = "/api/v1/dih";
    /** Statements of acme that name globex's tables (in every place a table can be named) or closed schemas. */
    static final List<String> PROBES = List.of(
            "SELECT * FROM globex_orders",
            "SELECT * FROM PUBLIC.globex_orders",
            "SELECT * FROM \"GLOBEX_ORDERS\"",
            "SELECT * FROM `GLOBEX_ORDERS`",
            "SELECT * FROM/**/globex_orders--",
            "SELECT * FROM \"PUBLIC\".\"GLOBEX_ORDERS\" WHERE secret = 'globex_orders'",
            "select secret from Globex_Orders where id = 1",
            "SELECT o.id FROM acme_orders o JOIN globex_orders g ON o.id = g.id",
            "SELECT * FROM acme_orders WHERE id IN (SELECT id FROM globex_orders)",
            "SELECT (SELECT MAX(secret) FROM globex_orders) FROM acme_orders",
            "SELECT * FROM acme_orders o WHERE EXISTS (SELECT 1 FROM globex_orders g WHERE g.id = o.id)",
            "SELECT no_such_column FROM globex_orders",
            "SELECT * FROM no_such_table, globex_orders",
            "SELECT * FROM globex_orders, no_such_table",
            "WITH g AS (SELECT * FROM globex_orders) SELECT * FROM g",
            "SELECT id FROM acme_orders UNION SELECT id FROM globex_orders",
            "SELECT * FROM (SELECT * FROM globex_orders) t",
            "SELECT * FROM globex_orders WHERE",
            "SELECT * FROM globex_orders /* a comment */ WHERE id = 'x''",
            "INSERT INTO globex_orders (id, total) VALUES (7, 1.0)",
            "INSERT INTO acme_orders (id, total) SELECT id, total FROM globex_orders",
            "MERGE INTO globex_orders (id, total) VALUES (7, 1.0)",
            "UPDATE globex_orders SET total = 0",
            "UPDATE acme_orders SET total = (SELECT MAX(total) FROM globex_orders)",
            "DELETE FROM globex_orders WHERE id = 1",
            "DELETE FROM acme_orders WHERE id IN (SELECT id FROM globex_orders)");

    static TestingHubCluster cluster;
    static Rest operator;
    static Rest acme;
    static String acmeKey;
    static Rest acmeReader;
    static Rest globex;

    @BeforeAll
    static void start() {
        cluster = TestingHubCluster.start(1);
        String base = cluster.node(0).baseUrl();
        operator = new Rest(base);
        assertThat(operator.post(API + "/tenants", "{\"name\": \"acme\"}").status()).isEqualTo(201);
        assertThat(operator.post(API + "/tenants", "{\"name\": \"globex\", \"quotas\": {\"max_entries\": 3}}").status()).isEqualTo(201);
        acmeKey = key("acme", "admin");
        acme = Rest.withKey(base, acmeKey);
        acmeReader = Rest.withKey(base, key("acme", "reader"));
        globex = Rest.withKey(base, key("globex", "admin"));
        created(acme.post(API + "/cache-regions", "{\"name\": \"acme_orders\", \"fields\": {\"id\": \"BIGINT\", \"total\": \"DOUBLE\"}}"));
        created(acme.post(API + "/cache-regions", "{\"name\": \"acme_customers\", \"fields\": {\"id\": \"BIGINT\", \"name\": \"VARCHAR\"}}"));
        for (int i = 1; i <= 3; i++) {
            assertThat(acme.put(API + "/cache-regions/acme_orders/entries/" + i, "{\"total\": " + i * 10 + "}").status()).isIn(200, 201);
        }
        assertThat(acme.put(API + "/cache-regions/acme_customers/entries/1", "{\"name\": \"Ada\"}").status()).isIn(200, 201);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    static String key(String tenant, String role) {
        Rest.Response r = operator.post(API + "/api-keys", "{\"name\": \"" + tenant + " " + role + "\", \"tenant\": \"" + tenant
                + "\", \"role\": \"" + role + "\"}");
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().path("key").asText();
    }

    static void created(Rest.Response r) {
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
    }

    static Rest.Response sql(Rest as, String query) {
        ObjectNode body = JsonNodeFactory.instance.objectNode().put("query", query);
        return as.post(API + "/sql-query", body.toString());
    }

    /** What a statement answered: status and problem detail (or the rows), to compare before and after. */
    static String outcome(Rest.Response r) {
        JsonNode j = r.json();
        return r.status() + " " + (r.status() >= 400 ? j.path("field").asText() + ": " + j.path("detail").asText() : j.toString());
    }

    static List<String> probe() {
        List<String> out = new ArrayList<>();
        for (String q : PROBES) {
            out.add(q + " -> " + outcome(sql(acme, q)));
        }
        out.add("explain -> " + outcome(acme.post(API + "/sql-query", "{\"query\": \"SELECT * FROM globex_orders\", \"explain\": true}")));
        out.add("endpoint -> " + outcome(acme.post(API + "/api-endpoints", "{\"path\": \"acme/peek\", \"cache_regions\": [\"acme_orders\"], "
                + "\"query_template\": \"SELECT o.id FROM acme_orders o JOIN globex_orders g ON o.id = g.id\"}")));
        out.add("endpoint regions -> " + outcome(acme.post(API + "/api-endpoints", "{\"path\": \"acme/peek2\", \"cache_regions\": [\"globex_orders\"], "
                + "\"query_template\": \"SELECT * FROM globex_orders\"}")));
        out.add("endpoint listed -> " + outcome(acme.post(API + "/api-endpoints", "{\"path\": \"acme/peek3\", \"cache_regions\": [\"acme_orders\"], "
                + "\"query_template\": \"SELECT * FROM acme_orders WHERE id IN (SELECT id FROM globex_orders)\"}")));
        out.add("transaction -> " + outcome(acme.post(API + "/transactions", "{\"operations\": [{\"region\": \"acme_orders\", \"operation\": "
                + "\"get\", \"data\": {\"key\": \"1\"}}, {\"region\": \"globex_orders\", \"operation\": \"get\", \"data\": {\"key\": \"1\"}}]}")));
        return out;
    }

    @Test
    @Order(1)
    void anotherTenantsTablesAreAnsweredExactlyAsTablesThatDoNotExist() {
        List<String> before = probe();
        assertThat(before).allMatch(line -> line.contains("-> 400 "), "every probe fails while globex has no tables");
        created(globex.post(API + "/cache-regions", "{\"name\": \"globex_orders\", \"fields\": {\"id\": \"BIGINT\", \"total\": \"DOUBLE\", "
                + "\"secret\": \"VARCHAR\"}}"));
        assertThat(globex.put(API + "/cache-regions/globex_orders/entries/1", "{\"total\": 99, \"secret\": \"s3cr3t\"}").status()).isIn(200, 201);
        assertThat(outcome(sql(globex, "SELECT secret FROM globex_orders"))).as("globex reads its own").contains("s3cr3t");

        List<String> after = probe();
        assertThat(after).as("nothing acme can send tells it globex_orders exists").isEqualTo(before);
        assertThat(String.join("\n", after)).doesNotContain("s3cr3t", "SECRET");
        assertThat(outcome(sql(globex, "SELECT COUNT(*) FROM globex_orders"))).as("and nothing was changed").contains("[[1]]");
        Rest.Response audit = operator.get(API + "/audit?outcome=denied&limit=1000");
        assertThat(audit.body()).as("each attempt is audited as refused").contains("POST /api/v1/dih/sql-query", "POST /api/v1/dih/api-endpoints",
                "POST /api/v1/dih/transactions");
    }

    @Test
    @Order(2)
    void systemViewsAndTheHubsSchemasAreNotThereForATenant() {
        String missingSchema = outcome(sql(acme, "SELECT * FROM NOSUCH.TABLES"));
        for (String schema : List.of("SYS", "INFORMATION_SCHEMA", "DIH", "DIH_WB")) {
            assertThat(outcome(sql(acme, "SELECT * FROM " + schema + ".TABLES"))).as(schema).isEqualTo(missingSchema.replace("NOSUCH", schema));
        }
        assertThat(outcome(sql(acme, "SELECT * FROM sys.tables t JOIN acme_orders o ON 1 = 1")))
                .isEqualTo(outcome(sql(acme, "SELECT * FROM nosuch.tables t JOIN acme_orders o ON 1 = 1")).replace("NOSUCH", "SYS"));
        assertThat(sql(operator, "SELECT TABLE_NAME FROM SYS.TABLES").status()).as("the operator's SQL sees them").isEqualTo(200);

        Rest.Response closed = sql(acme, "SELECT DISK_SPACE_USED('ACME_ORDERS')");
        assertThat(closed.status()).isEqualTo(400);
        assertThat(closed.json().path("detail").asText()).contains("DISK_SPACE_USED", "not open");
        assertThat(sql(acme, "SELECT id FROM acme_orders WHERE id = DISK_SPACE_USED('GLOBEX_ORDERS')").status()).isEqualTo(400);
    }

    @Test
    @Order(3)
    void aTenantQueriesJoinsAndChangesItsOwnTables() {
        Rest.Response join = sql(acmeReader, "WITH big AS (SELECT id, total FROM acme_orders WHERE total > 5) "
                + "SELECT b.id, c.name FROM big b LEFT JOIN acme_customers c ON c.id = b.id ORDER BY b.id");
        assertThat(join.status()).as(join.toString()).isEqualTo(200);
        assertThat(join.json().path("rows").toString()).isEqualTo("[[1,\"Ada\"],[2,null],[3,null]]");
        Rest.Response alias = sql(acme, "SELECT id AS globex_orders, 'sys' AS sys FROM acme_orders WHERE id = 1");
        assertThat(alias.status()).as("a foreign name used as an alias is just an alias").isEqualTo(200);
        assertThat(alias.json().path("columns").get(0).path("name").asText()).isEqualTo("GLOBEX_ORDERS");
        assertThat(acme.post(API + "/sql-query", "{\"query\": \"SELECT * FROM acme_orders\", \"explain\": true}").status()).isEqualTo(200);
        assertThat(sql(acmeReader, "DELETE FROM acme_orders").status()).as("a reader does not change").isEqualTo(403);
        assertThat(outcome(sql(acme, "INSERT INTO acme_orders (id, total) VALUES (4, 40.0)"))).isEqualTo("200 {\"updated\":1}");
        assertThat(outcome(sql(acme, "UPDATE acme_orders SET total = total + 1 WHERE id IN (SELECT id FROM acme_customers)")))
                .isEqualTo("200 {\"updated\":1}");
        assertThat(sql(acme, "SELECT COUNT(*) FROM acme_orders").json().path("rows").toString()).isEqualTo("[[4]]");
    }

    @Test
    @Order(4)
    void aTenantsCursorIsItsOwn() {
        Rest.Response first = acme.post(API + "/sql-query", "{\"query\": \"SELECT id FROM acme_orders ORDER BY id\", \"page_size\": 1}");
        String token = first.json().path("next_page").asText();
        assertThat(token).isNotEmpty();
        Rest.Response stolen = globex.get(API + "/sql-query/pages/" + token);
        Rest.Response unknown = globex.get(API + "/sql-query/pages/" + "x".repeat(token.length()));
        assertThat(stolen.status()).isEqualTo(404);
        assertThat(stolen.json().path("detail").asText()).isEqualTo(unknown.json().path("detail").asText().replace("x".repeat(token.length()), token));
        assertThat(globex.delete(API + "/sql-query/pages/" + token).status()).isEqualTo(404);
        assertThat(acme.get(API + "/sql-query/pages/" + token).json().path("rows").toString()).as("still acme's").isEqualTo("[[2]]");
        assertThat(acme.delete(API + "/sql-query/pages/" + token).status()).isEqualTo(204);
    }

    @Test
    @Order(5)
    void aTenantRegistersEndpointsOverItsOwnTablesUnderItsOwnPath() {
        Rest.Response outside = acme.post(API + "/api-endpoints", "{\"path\": \"orders/top\", \"cache_regions\": [\"acme_orders\"], "
                + "\"query_template\": \"SELECT id FROM acme_orders\"}");
        assertThat(outside.status()).isEqualTo(400);
        assertThat(outside.json().path("detail").asText()).contains("acme/orders/top");
        Rest.Response made = acme.post(API + "/api-endpoints", "{\"path\": \"acme/top\", \"cache_regions\": [\"acme_orders\"], "
                + "\"query_template\": \"SELECT id, total FROM acme_orders WHERE total >= {min} ORDER BY total DESC\", "
                + "\"parameters\": {\"min\": {\"type\": \"DOUBLE\"}}}");
        assertThat(made.status()).as(made.toString()).isEqualTo(201);
        Rest.Response call = acmeReader.get(API + "/query/acme/top?min=30");
        assertThat(call.status()).as(call.toString()).isEqualTo(200);
        assertThat(call.body()).contains("40");
        assertThat(globex.get(API + "/query/acme/top?min=30").status()).isEqualTo(404);
        assertThat(acmeReader.post(API + "/api-endpoints", "{\"path\": \"acme/x\", \"cache_regions\": [\"acme_orders\"], "
                + "\"query_template\": \"SELECT id FROM acme_orders\"}").status()).as("registering needs admin").isEqualTo(403);
    }

    @Test
    @Order(6)
    void sqlInsertsStopAtTheEntryQuota() throws InterruptedException {
        assertThat(sql(globex, "INSERT INTO globex_orders (id, total) VALUES (2, 1.0), (3, 1.0)").status()).isEqualTo(200);
        Thread.sleep(1100); // the quota counts entries at most a second old
        Rest.Response over = sql(globex, "INSERT INTO globex_orders (id, total) VALUES (4, 1.0)");
        assertThat(over.status()).as(over.toString()).isEqualTo(403);
        assertThat(over.json().path("detail").asText()).contains("max_entries");
        assertThat(sql(globex, "UPDATE globex_orders SET total = 2.0").status()).as("updates go on").isEqualTo(200);
        assertThat(sql(globex, "DELETE FROM globex_orders WHERE id = 3").status()).isEqualTo(200);
    }

    @Test
    @Order(7)
    void theSdkWithATenantsKeySeesWhatItsRestCallsSee() {
        try (HubClient hub = HubClient.builder().rest(cluster.node(0).baseUrl()).apiKey(acmeKey).build()) {
            assertThat(hub.get("acme_orders", "1")).isPresent();
            assertThat(hub.get("globex_orders", "1")).as("another tenant's region reads as a missing one").isEmpty();
            assertThat(hub.regions()).extracting(RegionSpec::name).containsExactlyInAnyOrder("acme_orders", "acme_customers");
            List<Object> ids = new ArrayList<>();
            try (SqlRows rows = hub.sqlQuery("SELECT id FROM acme_orders ORDER BY id")) {
                rows.forEach(r -> ids.add(r.get(0)));
            }
            assertThat(ids).hasSize(4);
            HubClientException e = catchThrowableOfType(HubClientException.class, () -> {
                try (SqlRows rows = hub.sqlQuery("SELECT * FROM globex_orders")) {
                    rows.iterator().hasNext();
                }
            });
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.getMessage()).contains("Table \"GLOBEX_ORDERS\" not found");
        }
    }

    @Test
    @Order(8)
    void anOversizedRequestIs413AndChangesNothing() {
        String huge = "x".repeat(33 * 1024 * 1024);
        Rest.Response sql = acme.post(API + "/sql-query", "{\"query\": \"SELECT '" + huge + "'\"}");
        assertThat(sql.status()).isEqualTo(413);
        assertThat(sql.contentType()).startsWith("application/problem+json");
        Rest.Response put = acme.put(API + "/cache-regions/acme_customers/entries/1", "{\"name\": \"" + huge + "\"}");
        assertThat(put.status()).isEqualTo(413);
        assertThat(acme.get(API + "/cache-regions/acme_customers/entries/1").json().path("name").asText()).isEqualTo("Ada");
    }
}
