package io.dih.server.sync;

import static org.assertj.core.api.Assertions.assertThat;

import io.dih.server.testing.HubProcess;
import io.dih.server.testing.MonotonicReaders;
import io.dih.server.testing.Rest;
import io.dih.testing.Await;
import io.dih.testing.TestingPostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three hub processes follow a PostgreSQL table by CDC while it takes a steady stream of more than 10k updates; the
 * node running the CDC engine is killed with SIGKILL mid-stream; another node resumes from the stored offsets, and once
 * it has caught up the region equals the table, row by row. Readers on every node check throughout that no counter
 * ever goes backwards (a change delivered again after the kill must not overwrite a newer one).
 */
class CdcKillIT {
    static final String REGIONS = "/api/v1/dih/cache-regions";
    static final int KEYS = 200;

    @TempDir
    Path work;

    static Map<Long, Long> table(TestingPostgresServer pg) throws Exception {
        Map<Long, Long> out = new HashMap<>();
        try (Connection c = pg.connect(); ResultSet rs = c.createStatement().executeQuery("SELECT id, seq FROM counters")) {
            while (rs.next()) {
                out.put(rs.getLong(1), rs.getLong(2));
            }
        }
        return out;
    }

    static Map<Long, Long> region(HubProcess node) throws Exception {
        return MonotonicReaders.read(node, "SELECT id, seq FROM counters");
    }

    @Test
    void killDashNineOfTheCdcNodeLosesNoChange() throws Exception {
        List<HubProcess> nodes = new ArrayList<>();
        try (TestingPostgresServer pg = TestingPostgresServer.start()) {
            pg.execute("CREATE TABLE counters (id BIGINT PRIMARY KEY, seq BIGINT NOT NULL)",
                    "INSERT INTO counters SELECT g, 0 FROM generate_series(1, " + KEYS + ") g");
            nodes.addAll(HubProcess.startCluster(work, "cdckill", 3, Map.of()));
            Rest a = new Rest(nodes.get(0).baseUrl());
            Await.until(Duration.ofSeconds(30), "three nodes form one cluster",
                    () -> a.get("/api/v1/dih/health").json().path("cluster_size").asInt() == 3);
            assertThat(a.post(REGIONS, "{\"name\": \"counters\", \"backups\": 1, \"fields\": {\"id\": \"BIGINT\", \"seq\": \"BIGINT\"}}").status())
                    .isEqualTo(201);
            Rest.Response reg = a.post("/api/v1/dih/data-sources", """
                    {"source_name": "counter_cdc", "source_type": "postgresql", "sync_mode": "CDC",
                     "connection_params": {"host": "127.0.0.1", "port": %d, "database": "%s", "user": "%s", "password": "%s"},
                     "target_regions": ["counters"]}""".formatted(pg.port(), pg.database(), pg.user(), pg.password()));
            assertThat(reg.status()).as(reg.toString()).isEqualTo(201);
            Await.until(Duration.ofSeconds(60), "the snapshot",
                    () -> "STREAMING".equals(a.get("/api/v1/dih/data-sources/counter_cdc/status").json().path("cdc").path("state").asText()));

            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong changes = new AtomicLong();
            Thread writer = new Thread(() -> {
                try (Connection c = pg.connect(); PreparedStatement ps = c.prepareStatement("UPDATE counters SET seq = seq + 1 WHERE id = ?")) {
                    for (long n = 0; !stop.get(); n++) {
                        ps.setLong(1, 1 + n % KEYS);
                        ps.executeUpdate();
                        changes.incrementAndGet();
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, "pg-writer");
            writer.start();
            MonotonicReaders readers = new MonotonicReaders(nodes, "SELECT id, seq FROM counters");
            try {
                Await.until(Duration.ofSeconds(30), "changes flow", () -> changes.get() > 3000);
                String cdcNode = a.get("/api/v1/dih/data-sources/counter_cdc/status").json().path("cdc").path("node").asText();
                int victim = Integer.parseInt(cdcNode.substring(cdcNode.lastIndexOf('-') + 1));
                nodes.get(victim).kill();
                Rest survivor = new Rest(nodes.get((victim + 1) % 3).baseUrl());
                Await.until(Duration.ofSeconds(60), "another node runs the engine", () -> {
                    String n = survivor.get("/api/v1/dih/data-sources/counter_cdc/status").json().path("cdc").path("node").asText();
                    return !n.isEmpty() && !n.equals(cdcNode);
                });
                Await.until(Duration.ofSeconds(60), "more changes after the kill", () -> changes.get() > 12_000);
            } finally {
                stop.set(true);
                writer.join();
            }
            Map<Long, Long> expected = table(pg);
            HubProcess alive = nodes.stream().filter(n -> n.process().isAlive()).findFirst().orElseThrow();
            Await.until(Duration.ofSeconds(90), "the region catches up with the table", () -> {
                try {
                    return region(alive).equals(expected);
                } catch (Exception e) {
                    return false;
                }
            });
            readers.close(); // the readers watched the whole catch-up too
            assertThat(region(alive)).as("the region equals the table, row by row").isEqualTo(expected);
            assertThat(readers.backwards()).as("no value ever went backwards").isEmpty();
            assertThat(readers.reads()).as("the readers read the region throughout; errors: " + readers.errors()).isGreaterThan(30);
        } finally {
            nodes.forEach(HubProcess::close);
        }
    }
}
