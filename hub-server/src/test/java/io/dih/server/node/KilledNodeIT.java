package io.dih.server.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dih.server.testing.HubProcess;
import io.dih.server.testing.Rest;
import io.dih.testing.Await;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Three node processes; one is killed with SIGKILL; not one acknowledged entry is lost (backups = 1). */
class KilledNodeIT {
    static final String REGIONS = "/api/v1/dih/cache-regions";
    static final int BATCHES = 20;

    @TempDir
    Path work;

    @Test
    void killDashNineOfOneNodeLosesNothing() throws Exception {
        List<HubProcess> nodes = new ArrayList<>();
        try {
            nodes.addAll(HubProcess.startCluster(work, "killtest", 3, Map.of()));
            Rest a = new Rest(nodes.get(0).baseUrl());
            Rest c = new Rest(nodes.get(2).baseUrl());
            Await.until(Duration.ofSeconds(30), "three nodes form one cluster",
                    () -> a.get("/api/v1/dih/health").json().path("cluster_size").asInt() == 3);

            assertThat(a.post(REGIONS, "{\"name\": \"ledger\", \"backups\": 1, \"fields\": {\"id\": \"BIGINT\", \"amount\": \"DECIMAL\"}}").status()).isEqualTo(201);
            for (int b = 0; b < BATCHES; b++) {
                StringBuilder body = new StringBuilder("{\"entries\": {");
                for (int i = 0; i < 1000; i++) {
                    long id = b * 1000L + i;
                    body.append(i == 0 ? "" : ",").append('"').append(id).append("\": {\"amount\": ").append(id).append(".01}");
                }
                Rest.Response r = a.put(REGIONS + "/ledger/entries", body.append("}}").toString());
                assertThat(r.status()).as(r.toString()).isEqualTo(200);
            }

            nodes.get(1).kill();
            Await.until(Duration.ofSeconds(60), "the survivors see the killed node gone",
                    () -> c.get("/api/v1/dih/health").json().path("cluster_size").asInt() == 2);
            Await.until(Duration.ofSeconds(60), "the survivors count every entry",
                    () -> c.get(REGIONS + "/ledger/stats").json().path("total").path("size").asLong() == BATCHES * 1000L);

            for (int b = 0; b < BATCHES; b++) {
                StringBuilder keys = new StringBuilder("{\"keys\": [");
                for (int i = 0; i < 1000; i++) {
                    keys.append(i == 0 ? "" : ",").append('"').append(b * 1000L + i).append('"');
                }
                JsonNode got = c.post(REGIONS + "/ledger/entries/batch-get", keys.append("]}").toString()).json();
                assertThat(got.path("missing")).as("missing keys in batch %d", b).isEmpty();
                assertThat(got.path("entries").path(Long.toString(b * 1000L + 7)).path("amount").decimalValue())
                        .isEqualByComparingTo((b * 1000L + 7) + ".01");
            }
            try (Connection conn = DriverManager.getConnection(io.dih.testing.HubCredentials.jdbcUrl(nodes.get(0).thinClientPort()));
                 ResultSet rs = conn.createStatement().executeQuery("SELECT COUNT(*) FROM ledger")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(BATCHES * 1000L);
            }
            assertThat(c.get("/api/v1/dih/health").json().path("status").asText()).isEqualTo("ready");
            assertThat(a.put(REGIONS + "/ledger/entries/999999", "{\"amount\": 1}").status()).isEqualTo(201);
        } finally {
            nodes.forEach(HubProcess::close);
        }
    }
}
