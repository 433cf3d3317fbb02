package io.dih.server.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dih.server.gateway.GatewayApp;
import io.dih.server.region.EntryCodec;
import io.dih.server.region.Region;
import io.dih.server.testing.Rest;
import io.dih.server.testing.TestingHubCluster;
import io.dih.testing.TestingPostgresServer;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.LongStream;
import javax.cache.Cache;
import org.apache.ignite.Ignite;
import org.apache.ignite.binary.BinaryObject;
import org.apache.ignite.cache.CachePeekMode;
import org.apache.ignite.cache.affinity.Affinity;
import org.apache.ignite.cluster.ClusterNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Joins of PARTITIONED regions on three nodes. {@code orders} is keyed by (id, customer_id) with
 * {@code affinity_key: customer_id}, so each order lives with its customer and the join without distributed joins
 * answers what PostgreSQL answers; {@code orders_plain} (keyed by id alone) is spread by order id, so the same join
 * misses rows unless {@code distributed_joins} is on.
 */
class AffinityJoinIT {
    static final String SQL = "/api/v1/dih/sql-query";
    static final String REGIONS = "/api/v1/dih/cache-regions";
    static final ObjectMapper JSON = new ObjectMapper();
    static final int CUSTOMERS = 60;
    static final String JOIN = "SELECT c.id, COUNT(*), SUM(o.total) FROM customers c JOIN %s o ON o.customer_id = c.id "
            + "GROUP BY c.id ORDER BY c.id";

    static TestingHubCluster cluster;
    static List<Rest> nodes = new ArrayList<>();
    static TestingPostgresServer pg;
    static int orderCount;

    @BeforeAll
    static void start() throws Exception {
        pg = TestingPostgresServer.shared();
        pg.execute("DROP TABLE IF EXISTS aff_orders", "DROP TABLE IF EXISTS aff_customers",
                "CREATE TABLE aff_customers (id BIGINT PRIMARY KEY, name TEXT)",
                "CREATE TABLE aff_orders (id BIGINT PRIMARY KEY, customer_id BIGINT, total NUMERIC(12, 2))");
        cluster = TestingHubCluster.start(3);
        for (int i = 0; i < 3; i++) {
            nodes.add(new Rest(cluster.node(i).baseUrl()));
        }
        Rest first = nodes.get(0);
        created(first.post(REGIONS, """
                {"name": "customers", "key_fields": ["id"], "fields": {"id": "BIGINT", "name": "VARCHAR"}}"""));
        created(first.post(REGIONS, """
                {"name": "orders", "key_fields": ["id", "customer_id"], "affinity_key": "customer_id",
                 "fields": {"id": "BIGINT", "customer_id": "BIGINT", "total": "DECIMAL"}}"""));
        created(first.post(REGIONS, """
                {"name": "customers_everywhere", "cache_mode": "REPLICATED", "key_fields": ["id"], "fields": {"id": "BIGINT", "name": "VARCHAR"}}"""));
        created(first.post(REGIONS, """
                {"name": "orders_plain", "key_fields": ["id"], "indexes": [["customer_id"]],
                 "fields": {"id": "BIGINT", "customer_id": "BIGINT", "total": "DECIMAL"}}"""));

        ObjectNode customers = JSON.createObjectNode();
        ObjectNode orders = JSON.createObjectNode();
        ObjectNode plain = JSON.createObjectNode();
        try (Connection c = pg.connect();
                PreparedStatement insCustomer = c.prepareStatement("INSERT INTO aff_customers VALUES (?, ?)");
                PreparedStatement insOrder = c.prepareStatement("INSERT INTO aff_orders VALUES (?, ?, ?)")) {
            long orderId = 1;
            for (long cid = 1; cid <= CUSTOMERS; cid++) {
                customers.putObject(String.valueOf(cid)).put("name", "c" + cid);
                insCustomer.setLong(1, cid);
                insCustomer.setString(2, "c" + cid);
                insCustomer.addBatch();
                // 0 to 8 orders each; a customer with none is not in the join
                for (int n = 0; n < (cid * 7) % 9; n++, orderId++) {
                    BigDecimal total = BigDecimal.valueOf(orderId * 37 % 1000, 2).add(BigDecimal.valueOf(n));
                    orders.putObject(orderId + "," + cid).put("total", total);
                    plain.putObject(String.valueOf(orderId)).put("customer_id", cid).put("total", total);
                    insOrder.setLong(1, orderId);
                    insOrder.setLong(2, cid);
                    insOrder.setBigDecimal(3, total);
                    insOrder.addBatch();
                }
            }
            insCustomer.executeBatch();
            insOrder.executeBatch();
            orderCount = (int) orderId - 1;
        }
        assertThat(orderCount).isGreaterThan(200);
        ok(first.put(REGIONS + "/customers/entries", JSON.createObjectNode().set("entries", customers).toString()));
        ok(first.put(REGIONS + "/customers_everywhere/entries", JSON.createObjectNode().set("entries", customers).toString()));
        ok(nodes.get(1).put(REGIONS + "/orders/entries", JSON.createObjectNode().set("entries", orders).toString()));
        ok(nodes.get(2).put(REGIONS + "/orders_plain/entries", JSON.createObjectNode().set("entries", plain).toString()));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
        if (pg != null) {
            pg.execute("DROP TABLE IF EXISTS aff_orders", "DROP TABLE IF EXISTS aff_customers");
        }
    }

    @Test
    void colocatedJoinAnswersWhatPostgresAnswersOnEveryNode() throws Exception {
        List<String> expected = postgres(JOIN.formatted("aff_orders").replace("customers c", "aff_customers c"));
        assertThat(expected).hasSize((int) LongStream.rangeClosed(1, CUSTOMERS).filter(c -> (c * 7) % 9 != 0).count());
        for (Rest node : nodes) {
            assertThat(hub(node, JOIN.formatted("orders"), false)).as(node.toString()).isEqualTo(expected);
        }
    }

    @Test
    void aJoinOfRegionsNotColocatedMissesRowsUnlessDistributed() throws Exception {
        List<String> expected = postgres(JOIN.formatted("aff_orders").replace("customers c", "aff_customers c"));
        for (Rest node : nodes) {
            List<String> local = hub(node, JOIN.formatted("orders_plain"), false);
            assertThat(orders(local)).as("rows of orders on another node than their customer are missed").isLessThan(orderCount);
            assertThat(hub(node, JOIN.formatted("orders_plain"), true)).isEqualTo(expected);
        }
    }

    @Test
    void anOuterJoinOfColocatedRegionsKeepsTheCustomersWithoutOrders() throws Exception {
        String left = "SELECT c.id, COUNT(o.id), COALESCE(SUM(o.total), 0) FROM %s c LEFT JOIN %s o ON o.customer_id = c.id "
                + "GROUP BY c.id ORDER BY c.id";
        List<String> expected = postgres(left.formatted("aff_customers", "aff_orders"));
        assertThat(expected).hasSize(CUSTOMERS).contains("9 0 0");
        for (Rest node : nodes) {
            assertThat(hub(node, left.formatted("customers", "orders"), false)).isEqualTo(expected);
            assertThat(hub(node, left.formatted("customers", "orders_plain"), false)).isNotEqualTo(expected);
            assertThat(hub(node, left.formatted("customers", "orders_plain"), true)).isEqualTo(expected);
        }
    }

    @Test
    void aReplicatedRegionOnTheKeptSideOfAnOuterJoinIsABadRequest() {
        // a REPLICATED cache has 512 partitions, a PARTITIONED one 1024: Ignite will not run this join, even distributed
        for (boolean distributed : new boolean[] {false, true}) {
            Rest.Response r = nodes.get(0).post(SQL, JSON.createObjectNode().put("distributed_joins", distributed)
                    .put("query", "SELECT COUNT(*) FROM customers_everywhere c LEFT JOIN orders o ON o.customer_id = c.id").toString());
            assertThat(r.status()).as(r.toString()).isEqualTo(400);
            assertThat(r.json().path("detail").asText()).contains("customers_everywhere").contains("keep the PARTITIONED side");
        }
        // the inner join, and the outer join that keeps the PARTITIONED side, are complete
        JsonNode inner = post(nodes.get(0), "{\"query\": \"SELECT COUNT(*) FROM customers_everywhere c JOIN orders_plain o ON o.customer_id = c.id\"}");
        assertThat(inner.path("rows").get(0).get(0).asLong()).isEqualTo(orderCount);
        JsonNode kept = post(nodes.get(0), "{\"query\": \"SELECT COUNT(*) FROM orders_plain o LEFT JOIN customers_everywhere c ON o.customer_id = c.id "
                + "WHERE c.id IS NOT NULL\"}");
        assertThat(kept.path("rows").get(0).get(0).asLong()).isEqualTo(orderCount);
    }

    @Test
    void everyOrderLivesOnTheNodeOfItsCustomer() {
        Ignite ignite = cluster.node(0).ignite();
        Affinity<Object> customers = ignite.affinity("customers");
        Affinity<Object> orders = ignite.affinity("orders");
        Affinity<Object> plain = ignite.affinity("orders_plain");
        Region region = cluster.node(0).regions().get("orders");
        int elsewhere = 0;
        for (Cache.Entry<Object, Object> e : cluster.node(0).regions().get("orders_plain").cache()) {
            long id = (Long) e.getKey();
            long cid = ((BinaryObject) e.getValue()).<Long>field("customer_id");
            Object key = EntryCodec.key(region, ignite.binary(), id + "," + cid);
            assertThat(orders.partition(key)).as("order %d of customer %d", id, cid).isEqualTo(customers.partition(cid));
            assertThat(orders.mapKeyToNode(key)).isEqualTo(customers.mapKeyToNode(cid));
            if (!plain.mapKeyToNode(id).equals(customers.mapKeyToNode(cid))) {
                elsewhere++;
            }
        }
        assertThat(elsewhere).as("orders_plain rows away from their customer").isGreaterThan(0);

        // and the stored entries themselves: each node's primary orders belong to its own primary customers
        int seen = 0;
        for (int i = 0; i < 3; i++) {
            Ignite n = cluster.node(i).ignite();
            ClusterNode self = n.cluster().localNode();
            Set<Long> local = new HashSet<>();
            for (Cache.Entry<Object, Object> c : n.cache("customers").withKeepBinary().localEntries(CachePeekMode.PRIMARY)) {
                local.add((Long) c.getKey());
            }
            for (Cache.Entry<Object, Object> o : n.cache("orders").withKeepBinary().localEntries(CachePeekMode.PRIMARY)) {
                long cid = ((BinaryObject) o.getKey()).<Long>field("customer_id");
                assertThat(local).as("node %s holds order %s", self.consistentId(), o.getKey()).contains(cid);
                seen++;
            }
        }
        assertThat(seen).isEqualTo(orderCount);
    }

    @Test
    void aQueryByTheAffinityColumnFindsEveryRowOfItsValue() throws Exception {
        for (long cid : new long[] {1, 2, 5, 17, 44}) {
            long expected = Long.parseLong(postgres("SELECT COUNT(*), 0, 0 FROM aff_orders WHERE customer_id = " + cid).get(0).split(" ")[0]);
            for (Rest node : nodes) {
                JsonNode r = post(node, "{\"query\": \"SELECT COUNT(*) FROM orders WHERE customer_id = ?\", \"params\": [" + cid + "]}");
                assertThat(r.path("rows").get(0).get(0).asLong()).as("customer %d", cid).isEqualTo(expected);
            }
        }
    }

    @Test
    void theSpecShowsItsAffinityKeyAndABadOneIsRefused() {
        Rest node = nodes.get(2);
        JsonNode orders = node.get(REGIONS + "/orders").json();
        assertThat(orders.path("affinity_key").asText()).isEqualTo("customer_id");
        assertThat(node.get(REGIONS + "/orders_plain").json().has("affinity_key")).isFalse();

        Rest.Response bad = node.post(REGIONS, """
                {"name": "bad_orders", "key_fields": ["id"], "affinity_key": "customer_id",
                 "fields": {"id": "BIGINT", "customer_id": "BIGINT"}}""");
        assertThat(bad.status()).as(bad.toString()).isEqualTo(400);
        assertThat(bad.body()).contains("affinity_key").contains("key_fields");
        assertThat(node.get(REGIONS + "/bad_orders").status()).isEqualTo(404);

        // the OpenAPI document names every property as its Java record component (affinityKey for affinity_key)
        JsonNode schemas = node.get(GatewayApp.OPENAPI_PATH).json().path("components").path("schemas");
        for (String schema : new String[] {"RegionSpec", "RegionView"}) {
            JsonNode property = schemas.path(schema).path("properties").path("affinityKey");
            assertThat(property.path("type").asText()).as(schema).isEqualTo("string");
        }
    }

    /** Rows "id count sum" of a join in PostgreSQL. */
    static List<String> postgres(String sql) throws Exception {
        List<String> out = new ArrayList<>();
        try (Connection c = pg.connect(); ResultSet rs = c.createStatement().executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getLong(1) + " " + rs.getLong(2) + " " + new BigDecimal(rs.getString(3)).stripTrailingZeros().toPlainString());
            }
        }
        return out;
    }

    /** Rows "id count sum" of a query over REST, every page of it. */
    static List<String> hub(Rest node, String sql, boolean distributedJoins) {
        ObjectNode body = JSON.createObjectNode().put("query", sql).put("distributed_joins", distributedJoins).put("page_size", 1000);
        JsonNode page = post(node, body.toString());
        assertThat(page.path("next_page").isNull()).as("one page").isTrue();
        List<String> out = new ArrayList<>();
        for (JsonNode r : page.path("rows")) {
            out.add(r.get(0).asLong() + " " + r.get(1).asLong() + " " + r.get(2).decimalValue().stripTrailingZeros().toPlainString());
        }
        return out;
    }

    static int orders(List<String> rows) {
        return rows.stream().mapToInt(r -> Integer.parseInt(r.split(" ")[1])).sum();
    }

    static JsonNode post(Rest node, String body) {
        Rest.Response r = node.post(SQL, body);
        assertThat(r.status()).as(body + " -> " + r).isEqualTo(200);
        return r.json();
    }

    static void created(Rest.Response r) {
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
    }

    static void ok(Rest.Response r) {
        assertThat(r.status()).as(r.toString()).isBetween(200, 204);
    }
}
