package io.dih.server.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.dih.server.testing.HubProcess;
import io.dih.server.testing.Rest;
import io.dih.testing.Await;
import io.dih.testing.TestingPostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three hub processes write behind to a real PostgreSQL that is down; the node running the flusher is killed with
 * SIGKILL while every write is still pending; once the database is back, every acknowledged write is in it, row by
 * row.
 */
class WriteBehindKillIT {
    static final String REGIONS = "/api/v1/dih/cache-regions";
    static final int KEYS = 3000;

    @TempDir
    Path work;

    @Test
    void killDashNineOfTheFlusherNodeLosesNoAcknowledgedWrite() throws Exception {
        List<HubProcess> nodes = new ArrayList<>();
        try (TestingPostgresServer pg = TestingPostgresServer.start()) {
            pg.execute("CREATE TABLE shipments (id BIGINT PRIMARY KEY, qty BIGINT NOT NULL, note TEXT)");
            nodes.addAll(HubProcess.startCluster(work, "wbkill", 3, Map.of("DIH_SYNC_WRITE_BEHIND_MAX_BACKOFF_MS", "1000")));
            Rest a = new Rest(nodes.get(0).baseUrl());
            Await.until(Duration.ofSeconds(30), "three nodes form one cluster",
                    () -> a.get("/api/v1/dih/health").json().path("cluster_size").asInt() == 3);
            assertThat(a.post(REGIONS, "{\"name\": \"shipments\", \"cache_strategy\": \"WRITE_BEHIND\", \"backups\": 1, "
                    + "\"fields\": {\"id\": \"BIGINT\", \"qty\": \"BIGINT\", \"note\": \"VARCHAR\"}}").status()).isEqualTo(201);
            Rest.Response reg = a.post("/api/v1/dih/data-sources", """
                    {"source_name": "ship_db", "source_type": "postgresql", "sync_mode": "NONE",
                     "connection_params": {"host": "127.0.0.1", "port": %d, "database": "%s", "user": "%s", "password": "%s",
                                           "connect_timeout_seconds": 2},
                     "target_regions": ["shipments"]}""".formatted(pg.port(), pg.database(), pg.user(), pg.password()));
            assertThat(reg.status()).as(reg.toString()).isEqualTo(201);
            Await.until(Duration.ofSeconds(30), "the flusher runs somewhere",
                    () -> !a.get(REGIONS + "/shipments/write-behind").json().path("flusher_node").isMissingNode());

            pg.suspend();
            Map<Long, Long> acked = new HashMap<>();
            for (int round = 1; round <= 2; round++) { // every key written twice: the second value must win
                for (int from = 0; from < KEYS; from += 500) {
                    StringBuilder body = new StringBuilder("{\"entries\": {");
                    for (long id = from; id < from + 500; id++) {
                        body.append(id == from ? "" : ",").append('"').append(id).append("\": {\"qty\": ").append(id * 10 + round)
                                .append(", \"note\": \"round ").append(round).append("\"}");
                    }
                    Rest via = new Rest(nodes.get((from / 500) % 3).baseUrl());
                    Rest.Response r = via.put(REGIONS + "/shipments/entries", body.append("}}").toString());
                    assertThat(r.status()).as(r.toString()).isEqualTo(200);
                    for (long id = from; id < from + 500; id++) {
                        acked.put(id, id * 10 + round);
                    }
                }
            }
            assertThat(a.get(REGIONS + "/shipments/write-behind").json().path("pending").asLong()).isEqualTo(KEYS);

            String flusher = a.get(REGIONS + "/shipments/write-behind").json().path("flusher_node").asText();
            int victim = Integer.parseInt(flusher.substring(flusher.lastIndexOf('-') + 1));
            nodes.get(victim).kill();
            Rest survivor = new Rest(nodes.get((victim + 1) % 3).baseUrl());
            Await.until(Duration.ofSeconds(60), "the survivors see the killed node gone",
                    () -> survivor.get("/api/v1/dih/health").json().path("cluster_size").asInt() == 2);
            for (long id = KEYS; id < KEYS + 100; id++) { // the survivors keep taking writes
                Rest.Response r = survivor.put(REGIONS + "/shipments/entries/" + id, "{\"qty\": " + id + ", \"note\": \"after\"}");
                for (int attempt = 0; r.status() == 503 && attempt < 20; attempt++) {
                    Thread.sleep(250); // the cluster is still settling after the kill: a 503 says nothing was stored, retry
                    r = survivor.put(REGIONS + "/shipments/entries/" + id, "{\"qty\": " + id + ", \"note\": \"after\"}");
                }
                assertThat(r.status()).as(r.toString()).isIn(200, 201);
                acked.put(id, id);
            }
            pg.resume();
            Await.until(Duration.ofSeconds(120), "a survivor drains the queue",
                    () -> survivor.get(REGIONS + "/shipments/write-behind").json().path("pending").asLong() == 0);
            assertThat(survivor.get(REGIONS + "/shipments/write-behind").json().path("flusher_node").asText()).isNotEqualTo(flusher);

            Map<Long, Long> db = new HashMap<>();
            try (Connection c = pg.connect(); ResultSet rs = c.createStatement().executeQuery("SELECT id, qty FROM shipments")) {
                while (rs.next()) {
                    db.put(rs.getLong(1), rs.getLong(2));
                }
            }
            assertThat(db).as("every acknowledged write is in PostgreSQL, row by row").isEqualTo(acked);
        } finally {
            nodes.forEach(HubProcess::close);
        }
    }
}
