package io.dih.server.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dih.server.testing.Rest;
import io.dih.server.testing.TestingHubCluster;
import io.dih.testing.Await;
import io.dih.testing.TestingKafkaServer;
import io.dih.testing.TestingPostgresServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * With native persistence, writes still pending when the whole cluster stops (the database was down) are sent once
 * the cluster is back and the database with it; and a CDC source resumes exactly where it stopped.
 */
class SyncRestartIT {
    static final String REGIONS = "/api/v1/dih/cache-regions";

    @Test
    void pendingWritesResumeAfterAFullClusterRestart() throws Exception {
        try (TestingPostgresServer pg = TestingPostgresServer.start();
             TestingHubCluster cluster = TestingHubCluster.start(1, t -> {
                 ((ObjectNode) t.get("storage")).put("persistence", true);
                 t.putObject("sync").putObject("write_behind").put("shutdown_flush_seconds", 1).put("max_backoff_ms", 500);
             })) {
            pg.execute("CREATE TABLE events (id BIGINT PRIMARY KEY, kind TEXT NOT NULL)");
            Rest rest = new Rest(cluster.node(0).baseUrl());
            assertThat(rest.post(REGIONS, "{\"name\": \"events\", \"cache_strategy\": \"WRITE_BEHIND\", \"fields\": {\"id\": \"BIGINT\", \"kind\": \"VARCHAR\"}}")
                    .status()).isEqualTo(201);
            assertThat(rest.post("/api/v1/dih/data-sources", """
                    {"source_name": "event_db", "source_type": "postgresql", "sync_mode": "NONE",
                     "connection_params": {"host": "127.0.0.1", "port": %d, "database": "%s", "user": "%s", "password": "%s",
                                           "connect_timeout_seconds": 1},
                     "target_regions": ["events"]}""".formatted(pg.port(), pg.database(), pg.user(), pg.password())).status()).isEqualTo(201);
            pg.suspend();
            StringBuilder body = new StringBuilder("{\"entries\": {");
            for (int i = 0; i < 200; i++) {
                body.append(i == 0 ? "" : ",").append('"').append(i).append("\": {\"kind\": \"k").append(i).append("\"}");
            }
            assertThat(rest.put(REGIONS + "/events/entries", body.append("}}").toString()).status()).isEqualTo(200);
            assertThat(rest.delete(REGIONS + "/events/entries/7").status()).isEqualTo(204);

            cluster.stopNode(0, false); // graceful: the flusher tries for a second, the database is still down
            cluster.startStoppedInParallel();
            Rest again = new Rest(cluster.node(0).baseUrl());
            assertThat(again.get(REGIONS + "/events/write-behind").json().path("pending").asLong()).as("kept across the restart").isEqualTo(200);
            pg.resume();
            Await.until(Duration.ofSeconds(60), "the pending writes are sent",
                    () -> again.get(REGIONS + "/events/write-behind").json().path("pending").asLong() == 0);
            try (Connection c = pg.connect(); ResultSet rs = c.createStatement().executeQuery(
                    "SELECT count(*), count(*) FILTER (WHERE id = 7), count(*) FILTER (WHERE id = 199 AND kind = 'k199') FROM events")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(199);
                assertThat(rs.getLong(2)).as("the delete is pending too: the row was never inserted").isZero();
                assertThat(rs.getLong(3)).isEqualTo(1);
            }
        }
    }

    @Test
    void aGracefulStopSendsWhatIsPending() throws Exception {
        try (TestingPostgresServer pg = TestingPostgresServer.start();
             TestingHubCluster cluster = TestingHubCluster.start(1, t -> t.putObject("sync").putObject("write_behind")
                     .put("flush_delay_ms", 600_000).put("batch_size", 10_000).put("shutdown_flush_seconds", 30))) {
            pg.execute("CREATE TABLE parcels (id BIGINT PRIMARY KEY, weight INT NOT NULL)");
            Rest rest = new Rest(cluster.node(0).baseUrl());
            assertThat(rest.post(REGIONS, "{\"name\": \"parcels\", \"cache_strategy\": \"WRITE_BEHIND\", \"fields\": {\"id\": \"BIGINT\", \"weight\": \"INT\"}}")
                    .status()).isEqualTo(201);
            assertThat(rest.post("/api/v1/dih/data-sources", """
                    {"source_name": "parcel_db", "source_type": "postgresql", "sync_mode": "NONE",
                     "connection_params": {"host": "127.0.0.1", "port": %d, "database": "%s", "user": "%s", "password": "%s"},
                     "target_regions": ["parcels"]}""".formatted(pg.port(), pg.database(), pg.user(), pg.password())).status()).isEqualTo(201);
            StringBuilder body = new StringBuilder("{\"entries\": {");
            for (int i = 0; i < 300; i++) {
                body.append(i == 0 ? "" : ",").append('"').append(i).append("\": {\"weight\": ").append(i).append('}');
            }
            assertThat(rest.put(REGIONS + "/parcels/entries", body.append("}}").toString()).status()).isEqualTo(200);
            assertThat(rest.get(REGIONS + "/parcels/write-behind").json().path("pending").asLong())
                    .as("batches wait for 10 minutes or 10,000 writes").isEqualTo(300);

            // writes that bypass the hub's entry API (SQL, thin client) reach the database at once instead
            try (java.sql.Connection c = java.sql.DriverManager.getConnection(io.dih.testing.HubCredentials.jdbcUrl(cluster.node(0).thinClientPort()))) {
                c.createStatement().executeUpdate("INSERT INTO parcels (id, weight) VALUES (1000, 7)");
            }
            try (Connection c = pg.connect(); ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM parcels")) {
                rs.next();
                assertThat(rs.getLong(1)).as("only the SQL insert is in the database yet").isEqualTo(1);
            }

            cluster.stopNode(0, false);
            try (Connection c = pg.connect(); ResultSet rs = c.createStatement().executeQuery("SELECT count(*), sum(weight) FROM parcels")) {
                rs.next();
                assertThat(rs.getLong(1)).as("the stop drained the queue").isEqualTo(301);
                assertThat(rs.getLong(2)).isEqualTo(299L * 300 / 2 + 7);
            }
        }
    }

    @Test
    void cdcResumesExactlyAfterAGracefulRestart() throws Exception {
        try (TestingPostgresServer pg = TestingPostgresServer.start();
             TestingHubCluster cluster = TestingHubCluster.start(1, t -> ((ObjectNode) t.get("storage")).put("persistence", true))) {
            pg.execute("CREATE TABLE tallies (id BIGINT PRIMARY KEY, n BIGINT NOT NULL)", "INSERT INTO tallies SELECT g, 0 FROM generate_series(1, 20) g");
            Rest rest = new Rest(cluster.node(0).baseUrl());
            assertThat(rest.post(REGIONS, "{\"name\": \"tallies\", \"fields\": {\"id\": \"BIGINT\"}}").status()).isEqualTo(201);
            assertThat(rest.post("/api/v1/dih/data-sources", """
                    {"source_name": "tally_cdc", "source_type": "postgresql", "sync_mode": "CDC",
                     "connection_params": {"host": "127.0.0.1", "port": %d, "database": "%s", "user": "%s", "password": "%s"},
                     "target_regions": ["tallies"]}""".formatted(pg.port(), pg.database(), pg.user(), pg.password())).status()).isEqualTo(201);
            String status = "/api/v1/dih/data-sources/tally_cdc/status";
            Await.until(Duration.ofSeconds(60), "streaming", () -> "STREAMING".equals(rest.get(status).json().path("cdc").path("state").asText()));
            for (int i = 0; i < 100; i++) {
                pg.execute("UPDATE tallies SET n = n + 1 WHERE id = " + (1 + i % 20));
            }
            Await.until(Duration.ofSeconds(30), "the 100 changes are counted", () -> rest.get(status).json().path("cdc").path("events").asLong() == 120);

            cluster.stopNode(0, false); // graceful: the engine stops and its offsets stay (persisted)
            for (int i = 0; i < 50; i++) {
                pg.execute("UPDATE tallies SET n = n + 1 WHERE id = " + (1 + i % 20)); // made while the hub is down
            }
            cluster.startStoppedInParallel();
            Rest again = new Rest(cluster.node(0).baseUrl());
            Await.until(Duration.ofSeconds(60), "the changes made while the hub was down arrive",
                    () -> again.get(REGIONS + "/tallies/entries/10").json().path("n").asLong() == 8);
            Await.until(Duration.ofSeconds(10), "counted", () -> again.get(status).json().path("cdc").path("events").asLong() >= 170);
            Thread.sleep(1500);
            JsonNode cdc = again.get(status).json().path("cdc");
            assertThat(cdc.path("events").asLong()).as("each change exactly once, no second snapshot: " + cdc).isEqualTo(170);
            assertThat(cdc.path("snapshot_rows").asLong()).isEqualTo(20);
            assertThat(cdc.path("stale_skipped").asLong()).isZero();
            for (long id = 1; id <= 20; id++) {
                assertThat(again.get(REGIONS + "/tallies/entries/" + id).json().path("n").asLong()).as("tally " + id).isEqualTo(id <= 10 ? 8 : 7);
            }
        }
    }

    @Test
    void aStreamResumesFromItsCommittedOffsetsAfterAGracefulRestart() throws Exception {
        TestingKafkaServer kafka = TestingKafkaServer.shared();
        kafka.createTopic("restart_ticks", 2);
        try (TestingHubCluster cluster = TestingHubCluster.start(1, t -> ((ObjectNode) t.get("storage")).put("persistence", true))) {
            Rest rest = new Rest(cluster.node(0).baseUrl());
            assertThat(rest.post(REGIONS, "{\"name\": \"restart_ticks\", \"fields\": {\"id\": \"BIGINT\", \"n\": \"BIGINT\"}}").status())
                    .isEqualTo(201);
            assertThat(rest.post("/api/v1/dih/data-sources", """
                    {"source_name": "restart_ticks", "source_type": "kafka", "connection_params": {"bootstrap_servers": "%s"},
                     "target_regions": ["restart_ticks"], "bindings": {"restart_ticks": {"topic": "restart_ticks", "key_columns": ["id"]}}}"""
                    .formatted(kafka.bootstrapServers())).status()).isEqualTo(201);
            kafka.sendAll("restart_ticks", ticks(0, 100));
            String status = "/api/v1/dih/data-sources/restart_ticks/status";
            Await.until(Duration.ofSeconds(60), "the first 100 messages", () -> rest.get(status).json().path("stream").path("messages").asLong() == 100);

            cluster.stopNode(0, false); // graceful: the consumer commits and leaves; the region stays (persisted)
            kafka.sendAll("restart_ticks", ticks(100, 50)); // sent while the hub is down
            cluster.startStoppedInParallel();
            Rest again = new Rest(cluster.node(0).baseUrl());
            Await.until(Duration.ofSeconds(60), "the messages sent while the hub was down arrive",
                    () -> again.get(status).json().path("stream").path("messages").asLong() >= 150);
            Thread.sleep(1500);
            JsonNode stream = again.get(status).json().path("stream");
            assertThat(stream.path("messages").asLong()).as("each message once, none read again: " + stream).isEqualTo(150);
            assertThat(stream.path("stale_skipped").asLong()).isZero();
            for (long id = 0; id < 10; id++) {
                assertThat(again.get(REGIONS + "/restart_ticks/entries/" + id).json().path("n").asLong()).as("tick " + id).isEqualTo(14);
            }
        }
    }

    /** Messages {"id": i % 10, "n": i / 10} for i in [from, from + count): key i % 10 ends at the last n sent for it. */
    private static List<Map.Entry<String, String>> ticks(int from, int count) {
        List<Map.Entry<String, String>> out = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            out.add(new AbstractMap.SimpleEntry<>(Integer.toString(i % 10), "{\"id\": " + i % 10 + ", \"n\": " + i / 10 + "}"));
        }
        return out;
    }
}
