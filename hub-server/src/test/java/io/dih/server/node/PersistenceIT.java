package io.dih.server.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.dih.server.testing.Rest;
import io.dih.server.testing.TestingHubCluster;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import org.junit.jupiter.api.Test;

/** With native persistence, regions (the registry) and their data survive a full cluster restart. */
class PersistenceIT {
    static final String REGIONS = "/api/v1/dih/cache-regions";

    @Test
    void regionsAndDataSurviveAFullClusterRestart() throws Exception {
        try (TestingHubCluster cluster = TestingHubCluster.start(2, t -> ((com.fasterxml.jackson.databind.node.ObjectNode) t.get("storage")).put("persistence", true))) {
            // the first node activated the cluster alone; take the second into the baseline now, as an operator
            // would (control.sh --baseline), instead of waiting for the auto-adjust timeout
            org.apache.ignite.IgniteCluster ic = cluster.node(0).ignite().cluster();
            ic.baselineAutoAdjustEnabled(false);
            ic.setBaselineTopology(ic.topologyVersion());
            ic.baselineAutoAdjustEnabled(true);
            Rest a = new Rest(cluster.node(0).baseUrl());
            assertThat(a.post(REGIONS, """
                    {"name": "durable", "backups": 1, "expiry_policy": {"access": 86400},
                     "fields": {"id": "BIGINT", "name": "VARCHAR", "amount": "DECIMAL"}, "indexes": [["name"]]}""").status()).isEqualTo(201);
            StringBuilder body = new StringBuilder("{\"entries\": {");
            for (int i = 0; i < 500; i++) {
                body.append(i == 0 ? "" : ",").append('"').append(i).append("\": {\"name\": \"n").append(i).append("\", \"amount\": ").append(i).append(".5}");
            }
            assertThat(a.put(REGIONS + "/durable/entries", body.append("}}").toString()).status()).isEqualTo(200);
            try (Connection c = DriverManager.getConnection(io.dih.testing.HubCredentials.jdbcUrl(cluster.node(1).thinClientPort()))) {
                c.createStatement().executeUpdate("INSERT INTO durable (id, name, amount) VALUES (1000, 'via-sql', 1.25)");
            }

            cluster.stopNode(1, false);
            cluster.stopNode(0, false);
            cluster.startStoppedInParallel();

            for (int n = 0; n < 2; n++) {
                Rest r = new Rest(cluster.node(n).baseUrl());
                assertThat(r.get("/api/v1/dih/health").json().path("status").asText()).isEqualTo("ready");
                assertThat(r.get(REGIONS + "/durable").json().path("expiry_policy").path("access").asLong()).isEqualTo(86400);
                assertThat(r.get(REGIONS + "/durable/entries/499").json().path("name").asText()).isEqualTo("n499");
                assertThat(r.get(REGIONS + "/durable/entries/1000").json().path("name").asText()).isEqualTo("via-sql");
                assertThat(r.get(REGIONS + "/durable/stats").json().path("total").path("size").asLong()).isEqualTo(501);
            }
            try (Connection c = DriverManager.getConnection(io.dih.testing.HubCredentials.jdbcUrl(cluster.node(0).thinClientPort()));
                 ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*), SUM(amount) FROM durable WHERE name LIKE 'n%'")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(500);
                assertThat(rs.getBigDecimal(2)).isEqualByComparingTo("125000");
            }
            // the registry still decides: the same spec is a no-op, another one a conflict
            assertThat(new Rest(cluster.node(0).baseUrl()).post(REGIONS, "{\"name\": \"durable\"}").status()).isEqualTo(409);
        }
    }
}
