package io.dih.server.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dih.server.region.EntryCodec;
import io.dih.server.region.Region;
import io.dih.server.testing.Rest;
import io.dih.server.testing.TestingHubCluster;
import io.dih.testing.Await;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.ignite.IgniteDataStreamer;
import org.apache.ignite.binary.BinaryObject;
import org.apache.ignite.cache.CachePeekMode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** Three real hub nodes in one cluster: shared registry, replicated reads, SQL on any node, failover without loss. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {
    static final String REGIONS = "/api/v1/dih/cache-regions";
    static TestingHubCluster cluster;
    static Rest a;
    static Rest b;
    static Rest c;

    @BeforeAll
    static void start() {
        cluster = TestingHubCluster.start(3);
        a = new Rest(cluster.node(0).baseUrl());
        b = new Rest(cluster.node(1).baseUrl());
        c = new Rest(cluster.node(2).baseUrl());
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void everyNodeSeesTheCluster() {
        for (Rest r : new Rest[] {a, b, c}) {
            JsonNode h = r.get("/api/v1/dih/health").json();
            assertThat(h.path("cluster_size").asInt()).isEqualTo(3);
            assertThat(h.path("status").asText()).isEqualTo("ready");
        }
    }

    @Test
    @Order(2)
    void registryChangesOnOneNodeAreSeenThroughEveryGateway() {
        assertThat(a.post(REGIONS, "{\"name\": \"shared\", \"fields\": {\"id\": \"VARCHAR\", \"n\": \"INT\"}}").status()).isEqualTo(201);
        assertThat(b.get(REGIONS + "/shared").json().path("fields").path("n").asText()).isEqualTo("INT");
        assertThat(c.post(REGIONS, "{\"name\": \"shared\", \"fields\": {\"id\": \"VARCHAR\", \"n\": \"INT\"}}").status()).isEqualTo(200);
        assertThat(a.put(REGIONS + "/shared/entries/k", "{\"n\": 1}").status()).isEqualTo(201);
        assertThat(c.get(REGIONS + "/shared/entries/k").json().path("n").asInt()).isEqualTo(1);

        assertThat(b.delete(REGIONS + "/shared").status()).isEqualTo(204);
        Await.until(Duration.ofSeconds(10), "node A forgets the deleted region", () -> a.get(REGIONS + "/shared").status() == 404);
        assertThat(a.get(REGIONS + "/shared/entries/k").status()).isEqualTo(404);

        // recreated elsewhere with other columns: A serves the new spec, not a stale copy
        assertThat(c.post(REGIONS, "{\"name\": \"shared\", \"fields\": {\"id\": \"VARCHAR\", \"label\": \"VARCHAR\"}}").status()).isEqualTo(201);
        Await.until(Duration.ofSeconds(10), "node A writes with the new spec",
                () -> a.put(REGIONS + "/shared/entries/k", "{\"label\": \"new\"}").status() == 201);
        assertThat(b.get(REGIONS + "/shared/entries/k").json().path("label").asText()).isEqualTo("new");
    }

    @Test
    @Order(3)
    void replicatedRegionIsReadableOnEveryNode() {
        assertThat(a.post(REGIONS, "{\"name\": \"everywhere\", \"cache_mode\": \"REPLICATED\", \"fields\": {\"id\": \"VARCHAR\", \"v\": \"INT\"}}").status()).isEqualTo(201);
        StringBuilder body = new StringBuilder("{\"entries\": {");
        for (int i = 0; i < 200; i++) {
            body.append(i == 0 ? "" : ",").append("\"k").append(i).append("\": {\"v\": ").append(i).append('}');
        }
        assertThat(a.put(REGIONS + "/everywhere/entries", body.append("}}").toString()).status()).isEqualTo(200);
        for (int n = 0; n < 3; n++) {
            Region r = cluster.node(n).regions().get("everywhere");
            assertThat(r.cache().localSizeLong(CachePeekMode.PRIMARY, CachePeekMode.BACKUP)).as("local copy on node " + n).isEqualTo(200);
        }
        for (Rest r : new Rest[] {a, b, c}) {
            assertThat(r.get(REGIONS + "/everywhere/entries/k199").json().path("v").asInt()).isEqualTo(199);
        }
    }

    @Test
    @Order(4)
    void sqlOnAnyNodeSeesRestWrites() throws Exception {
        assertThat(a.post(REGIONS, "{\"name\": \"orders\", \"fields\": {\"id\": \"BIGINT\", \"customer\": \"VARCHAR\", \"total\": \"DECIMAL\"}, \"indexes\": [[\"customer\"]]}").status()).isEqualTo(201);
        assertThat(a.put(REGIONS + "/orders/entries", "{\"entries\": {\"1\": {\"customer\": \"ann\", \"total\": 10.5}, \"2\": {\"customer\": \"bob\", \"total\": 3}, \"3\": {\"customer\": \"ann\", \"total\": 1.25}}}").status()).isEqualTo(200);
        try (Connection conn = DriverManager.getConnection(io.dih.testing.HubCredentials.jdbcUrl(cluster.node(2).thinClientPort()));
             ResultSet rs = conn.createStatement().executeQuery("SELECT customer, SUM(total), COUNT(*) FROM orders GROUP BY customer ORDER BY customer")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("ann");
            assertThat(rs.getBigDecimal(2)).isEqualByComparingTo("11.75");
            assertThat(rs.getLong(3)).isEqualTo(2);
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("bob");
        }
    }

    @Test
    @Order(5)
    void partitionedRegionWithOneBackupLosesNothingWhenANodeStops() throws Exception {
        int count = 100_000;
        assertThat(a.post(REGIONS, "{\"name\": \"big\", \"backups\": 1, \"fields\": {\"id\": \"BIGINT\", \"payload\": \"VARCHAR\", \"n\": \"INT\"}}").status()).isEqualTo(201);
        HubNode loader = cluster.node(0);
        Region big = loader.regions().get("big");
        try (IgniteDataStreamer<Object, Object> s = loader.ignite().dataStreamer("big")) {
            s.keepBinary(true);
            for (long i = 0; i < count; i++) {
                JsonNode row = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode().put("payload", "p-" + i).put("n", (int) (i % 1000));
                s.addData(i, EntryCodec.value(big, loader.ignite().binary(), i, row, "row"));
            }
        }
        assertThat(big.cache().sizeLong(CachePeekMode.PRIMARY)).isEqualTo(count);

        cluster.stopNode(1, true);

        for (int survivor : new int[] {0, 2}) {
            HubNode n = cluster.node(survivor);
            Await.until(Duration.ofSeconds(30), "node " + survivor + " sees a two-node cluster",
                    () -> n.ignite().cluster().forServers().nodes().size() == 2);
            Region r = n.regions().get("big");
            // backups become primaries once the partition map exchange for the departure completes
            Await.until(Duration.ofSeconds(30), "node " + survivor + " counts every entry as primary after the stop",
                    () -> r.cache().sizeLong(CachePeekMode.PRIMARY) == count);
            assertThat(r.cache().lostPartitions()).isEmpty();
        }
        // every key, with its value, still there
        Region r = cluster.node(2).regions().get("big");
        for (long from = 0; from < count; from += 1000) {
            Set<Object> keys = new HashSet<>();
            for (long i = from; i < from + 1000; i++) {
                keys.add(i);
            }
            Map<Object, Object> got = r.cache().getAll(keys);
            assertThat(got).as("keys %d..%d", from, from + 999).hasSize(1000);
            assertThat(((BinaryObject) got.get(from)).<String>field("payload")).isEqualTo("p-" + from);
        }
        try (Connection conn = DriverManager.getConnection(io.dih.testing.HubCredentials.jdbcUrl(cluster.node(2).thinClientPort()));
             ResultSet rs = conn.createStatement().executeQuery("SELECT COUNT(*) FROM big")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(count);
        }
        assertThat(c.get(REGIONS + "/big/entries/99999").json().path("payload").asText()).isEqualTo("p-99999");
        assertThat(c.get(REGIONS + "/big/stats").json().path("total").path("size").asLong()).isEqualTo(count);
    }
}
