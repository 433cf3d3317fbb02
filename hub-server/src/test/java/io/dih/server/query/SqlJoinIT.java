package io.dih.server.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dih.server.testing.Rest;
import io.dih.server.testing.TestingHubCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** SQL over REST on two nodes: a join of a PARTITIONED region with a REPLICATED one, distributed joins, cursors per node. */
class SqlJoinIT {
    static final String SQL = "/api/v1/dih/sql-query";
    static final String REGIONS = "/api/v1/dih/cache-regions";
    static final ObjectMapper JSON = new ObjectMapper();
    static final int CUSTOMERS = 20;
    static final int ORDERS_EACH = 10;

    static TestingHubCluster cluster;
    static Rest first;
    static Rest second;

    @BeforeAll
    static void start() {
        cluster = TestingHubCluster.start(2);
        first = new Rest(cluster.node(0).baseUrl());
        second = new Rest(cluster.node(1).baseUrl());
        ok(first.post(REGIONS, """
                {"name": "sj_customers", "cache_mode": "REPLICATED", "key_fields": ["id"], "fields": {"id": "BIGINT", "name": "VARCHAR"}}"""));
        ok(first.post(REGIONS, """
                {"name": "sj_orders", "cache_mode": "PARTITIONED", "key_fields": ["order_id"], "indexes": [["customer_id"]],
                 "fields": {"order_id": "BIGINT", "customer_id": "BIGINT", "total": "DECIMAL"}}"""));
        ObjectNode customers = JSON.createObjectNode();
        ObjectNode orders = JSON.createObjectNode();
        for (int c = 1; c <= CUSTOMERS; c++) {
            customers.putObject(String.valueOf(c)).put("name", String.format("c%02d", c));
            for (int o = 1; o <= ORDERS_EACH; o++) {
                int id = c * 100 + o;
                orders.putObject(String.valueOf(id)).put("customer_id", c).put("total", new java.math.BigDecimal(o + ".25"));
            }
        }
        ok(first.put(REGIONS + "/sj_customers/entries", JSON.createObjectNode().set("entries", customers).toString()));
        ok(second.put(REGIONS + "/sj_orders/entries", JSON.createObjectNode().set("entries", orders).toString()));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void partitionedJoinsReplicatedOnEitherNode() {
        String body = "{\"query\": \"SELECT c.name, COUNT(*), SUM(o.total) FROM sj_orders o JOIN sj_customers c ON o.customer_id = c.id "
                + "WHERE c.name >= ? GROUP BY c.name ORDER BY c.name\", \"params\": [\"c00\"], \"page_size\": 7}";
        for (Rest node : new Rest[] {first, second}) {
            JsonNode page = post(node, body);
            StringBuilder all = new StringBuilder();
            int rows = 0;
            while (true) {
                for (JsonNode r : page.path("rows")) {
                    rows++;
                    assertThat(r.get(1).asLong()).as(r.toString()).isEqualTo(ORDERS_EACH);
                    // 1.25 + 2.25 + … + 10.25, exactly
                    assertThat(r.get(2).decimalValue()).as(r.toString()).isEqualByComparingTo("57.50");
                    all.append(r.get(0).asText()).append(' ');
                }
                if (page.path("next_page").isNull()) {
                    break;
                }
                Rest.Response next = node.get(SQL + "/pages/" + page.path("next_page").asText());
                assertThat(next.status()).as(next.toString()).isEqualTo(200);
                page = next.json();
            }
            assertThat(rows).isEqualTo(CUSTOMERS);
            assertThat(all.toString()).startsWith("c01 c02 ").endsWith("c20 ");
        }
    }

    @Test
    void distributedJoinOfTwoPartitionedTables() {
        JsonNode b = post(first, "{\"query\": \"SELECT COUNT(*) FROM sj_orders a JOIN sj_orders b ON a.customer_id = b.customer_id\", "
                + "\"distributed_joins\": true}");
        assertThat(b.path("rows").get(0).get(0).asLong()).isEqualTo((long) CUSTOMERS * ORDERS_EACH * ORDERS_EACH);
        Rest.Response noIndex = first.post(SQL, "{\"query\": \"SELECT COUNT(*) FROM sj_orders a JOIN sj_orders b ON a.total = b.total\", "
                + "\"distributed_joins\": true}");
        assertThat(noIndex.status()).as(noIndex.toString()).isEqualTo(400);
        assertThat(noIndex.json().path("detail").asText()).contains("needs an index");
    }

    @Test
    void anEndpointOverAJoinKeepsEveryColumnOfTheSameName() {
        ok(first.post("/api/v1/dih/api-endpoints", """
                {"path": "orders/with-customer", "cache_regions": ["sj_orders", "sj_customers"], "ttl_seconds": 60,
                 "query_template": "SELECT o.order_id, o.customer_id AS id, c.id, c.name, c.name FROM sj_orders o JOIN sj_customers c ON o.customer_id = c.id WHERE o.order_id = {id}",
                 "parameters": {"id": {"type": "BIGINT"}}}"""));
        for (Rest node : new Rest[] {first, second}) {
            Rest.Response r = node.get("/api/v1/dih/query/orders/with-customer?id=305");
            ok(r);
            assertThat(r.json().path("columns").toString()).isEqualTo("[\"order_id\",\"sj_orders.id\",\"sj_customers.id\",\"sj_customers.name\",\"sj_customers.name_2\"]");
            assertThat(r.json().path("rows").toString())
                    .isEqualTo("[{\"order_id\":305,\"sj_orders.id\":3,\"sj_customers.id\":3,\"sj_customers.name\":\"c03\",\"sj_customers.name_2\":\"c03\"}]");
        }
        assertThat(first.delete("/api/v1/dih/api-endpoints/orders/with-customer").status()).isEqualTo(204);
    }

    @Test
    void aCursorLivesOnTheNodeThatOpenedIt() {
        JsonNode b = post(first, "{\"query\": \"SELECT order_id FROM sj_orders\", \"page_size\": 5}");
        String token = b.path("next_page").asText();
        Rest.Response elsewhere = second.get(SQL + "/pages/" + token);
        assertThat(elsewhere.status()).isEqualTo(404);
        assertThat(elsewhere.json().path("detail").asText()).contains("another node");
        assertThat(first.get(SQL + "/pages/" + token).status()).isEqualTo(200);
        assertThat(first.delete(SQL + "/pages/" + token).status()).isEqualTo(204);
    }

    @Test
    void dmlOnOneNodeIsSeenOnTheOther() {
        assertThat(post(second, "{\"query\": \"UPDATE sj_customers SET name = ? WHERE id = ?\", \"params\": [\"c20\", 20]}").path("updated").asLong())
                .isEqualTo(1);
        assertThat(post(first, "{\"query\": \"SELECT name FROM sj_customers WHERE id = 20\"}").path("rows").toString()).isEqualTo("[[\"c20\"]]");
    }

    static JsonNode post(Rest node, String body) {
        Rest.Response r = node.post(SQL, body);
        assertThat(r.status()).as(body + " -> " + r).isEqualTo(200);
        return r.json();
    }

    static void ok(Rest.Response r) {
        assertThat(r.status()).as(r.toString()).isBetween(200, 201);
    }
}
