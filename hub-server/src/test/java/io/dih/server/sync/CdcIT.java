package io.dih.server.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dih.server.testing.Rest;
import io.dih.server.testing.WsClient;
import io.dih.testing.Await;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * CDC from a real PostgreSQL (Debezium, pgoutput) into regions of a two-node hub: the snapshot, then inserts, updates,
 * deletes and a truncate as they happen; a column added mid-stream; the feed's slot dropped with the source.
 */
class CdcIT extends SyncFixture {
    static JsonNode status(String source) {
        return rest.get(SOURCES + "/" + source + "/status").json();
    }

    static boolean has(String path, String field, String value) {
        Rest.Response r = rest2.get(path);
        return r.status() == 200 && value.equals(r.json().path(field).asText());
    }

    /** A CDC source's region reports the engine's state, the rows its snapshot put there and the changes applied since. */
    static void assertRegion(String source, String region, String state, long snapshotRows, long events) {
        JsonNode r = status(source).path("regions").path(region);
        assertThat(r.path("state").asText()).as(r.toString()).isEqualTo(state);
        assertThat(r.path("kind").asText()).as(r.toString()).isEqualTo("cdc");
        assertThat(r.path("rows_loaded").asLong()).as(r.toString()).isEqualTo(snapshotRows);
        assertThat(r.path("events").asLong()).as(r.toString()).isEqualTo(events);
    }

    @Test
    void snapshotThenEveryChangeAsItHappens() throws Exception {
        pg.execute("CREATE TABLE cdc_items (id BIGINT PRIMARY KEY, name TEXT NOT NULL, price NUMERIC(10,2), updated TIMESTAMP)",
                "INSERT INTO cdc_items VALUES (1, 'one', 1.10, '2024-01-01 10:00:00'), (2, 'two', 2.20, NULL), (3, 'three', 3.30, NULL)");
        assertThat(rest.post(REGIONS, "{\"name\": \"cdc_items\", \"fields\": {\"id\": \"BIGINT\"}}").status()).isEqualTo(201);
        Rest.Response reg = rest.post(SOURCES, source("items_cdc", "cdc_items", "cdc_items", "\"sync_mode\": \"CDC\","));
        assertThat(reg.status()).as(reg.toString()).isEqualTo(201);

        Await.until(Duration.ofSeconds(60), "the snapshot", () -> has(REGIONS + "/cdc_items/entries/3", "name", "three"));
        assertThat(rest2.get(REGIONS + "/cdc_items/entries/1").json().path("price").decimalValue()).isEqualByComparingTo("1.10");
        Await.until(Duration.ofSeconds(30), "the snapshot is done", () -> "STREAMING".equals(status("items_cdc").path("cdc").path("state").asText()));
        assertThat(status("items_cdc").path("cdc").path("snapshot_rows").asLong()).isEqualTo(3);

        pg.execute("INSERT INTO cdc_items VALUES (4, 'four', 4.40, NULL)", "UPDATE cdc_items SET name = 'uno', price = 1.50 WHERE id = 1",
                "DELETE FROM cdc_items WHERE id = 2");
        Await.until(Duration.ofSeconds(30), "the insert", () -> has(REGIONS + "/cdc_items/entries/4", "name", "four"));
        Await.until(Duration.ofSeconds(30), "the update", () -> has(REGIONS + "/cdc_items/entries/1", "name", "uno"));
        Await.until(Duration.ofSeconds(30), "the delete", () -> rest2.get(REGIONS + "/cdc_items/entries/2").status() == 404);
        assertThat(rest.get(REGIONS + "/cdc_items/entries/1").json().path("price").decimalValue()).isEqualByComparingTo("1.50");
        try (Connection c = DriverManager.getConnection(io.dih.testing.HubCredentials.jdbcUrl(cluster.node(1).thinClientPort()));
             ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*), SUM(price) FROM cdc_items")) {
            rs.next();
            assertThat(rs.getLong(1)).as("SQL sees the same rows").isEqualTo(3);
            assertThat(rs.getBigDecimal(2)).isEqualByComparingTo("9.20");
        }

        // a column added mid-stream becomes a region column
        pg.execute("ALTER TABLE cdc_items ADD COLUMN color TEXT", "UPDATE cdc_items SET color = 'red' WHERE id = 3");
        Await.until(Duration.ofSeconds(30), "the new column", () -> has(REGIONS + "/cdc_items/entries/3", "color", "red"));
        try (Connection c = DriverManager.getConnection(io.dih.testing.HubCredentials.jdbcUrl(cluster.node(0).thinClientPort()));
             ResultSet rs = c.createStatement().executeQuery("SELECT name FROM cdc_items WHERE color = 'red'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("three");
        }

        // a table added to the feed's publication by hand, with no binding: its changes are ignored, the feed goes on
        pg.execute("CREATE TABLE cdc_unbound (id BIGINT PRIMARY KEY, v TEXT)", "ALTER PUBLICATION dih_items_cdc ADD TABLE cdc_unbound",
                "INSERT INTO cdc_unbound VALUES (1, 'x')", "UPDATE cdc_items SET name = 'tres' WHERE id = 3");
        Await.until(Duration.ofSeconds(30), "a change after the unbound one", () -> has(REGIONS + "/cdc_items/entries/3", "name", "tres"));
        assertThat(status("items_cdc").path("cdc").path("state").asText()).isEqualTo("STREAMING");

        pg.execute("TRUNCATE cdc_items");
        Await.until(Duration.ofSeconds(30), "the truncate", () -> rest.get(REGIONS + "/cdc_items/stats").json().path("total").path("size").asLong() == 0);
        pg.execute("INSERT INTO cdc_items (id, name) VALUES (9, 'after truncate')");
        Await.until(Duration.ofSeconds(30), "a row after the truncate", () -> has(REGIONS + "/cdc_items/entries/9", "name", "after truncate"));

        Await.until(Duration.ofSeconds(10), "status counts every change (published once a second)",
                () -> status("items_cdc").path("cdc").path("events").asLong() >= 9);
        JsonNode cdc = status("items_cdc").path("cdc");
        assertThat(cdc.path("state").asText()).isEqualTo("STREAMING");
        assertThat(cdc.path("snapshot_rows").asLong()).isEqualTo(3);
        assertThat(cdc.path("events").asLong()).isGreaterThanOrEqualTo(9);
        assertThat(cdc.path("lag_ms").asLong()).isNotNegative();
        assertThat(rest.get("/api/v1/dih/metrics").body() + rest2.get("/api/v1/dih/metrics").body())
                .as("the node running the engine has the lag histogram").contains("dih_cdc_lag_seconds");
        String metrics = rest2.get("/api/v1/dih/metrics").body();
        assertThat(metrics).containsPattern("dih_cdc_state\\{[^}]*source=\"items_cdc\"[^}]*state=\"STREAMING\"[^}]*\\} 1")
                .containsPattern("dih_cdc_events\\{[^}]*source=\"items_cdc\"").contains("dih_cdc_snapshot_percent");

        // deleting the source stops the engine and drops its replication slot and publication
        assertThat(rest.delete(SOURCES + "/items_cdc").status()).isEqualTo(204);
        assertThat(count("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'dih_items_cdc'")).isZero();
        assertThat(count("SELECT count(*) FROM pg_publication WHERE pubname = 'dih_items_cdc'")).isZero();
        long positionsLeft = 0;
        for (javax.cache.Cache.Entry<Object, Object> e : cluster.node(1).ignite().cache("dih_cdc_positions")) {
            positionsLeft += e.getKey().toString().startsWith("items_cdc/") ? 1 : 0;
        }
        assertThat(positionsLeft).as("the source's per-key positions are forgotten with it").isZero();
        pg.execute("INSERT INTO cdc_items (id, name) VALUES (10, 'not followed')");
        Thread.sleep(1500);
        assertThat(rest.get(REGIONS + "/cdc_items/entries/10").status()).isEqualTo(404);
    }

    @Test
    void subscribersGetEveryRowOfALoadEveryCdcChangeAndAResyncForATruncate() throws Exception {
        pg.execute("CREATE TABLE sub_src (id BIGINT PRIMARY KEY, name TEXT NOT NULL)", "INSERT INTO sub_src VALUES (1, 'a'), (2, 'b'), (3, 'c')");
        // a load into an empty, journaled region still raises an event per row
        assertThat(rest.post(REGIONS, "{\"name\": \"sub_loaded\", \"fields\": {\"id\": \"BIGINT\"}}").status()).isEqualTo(201);
        try (WsClient ws = WsClient.subscribe(cluster.node(1).baseUrl(), "sub_loaded")) {
            Rest.Response reg = rest.post(SOURCES, source("sub_load", "sub_loaded", "sub_src", "\"sync_mode\": \"LOAD\","));
            assertThat(reg.status()).as(reg.toString()).isEqualTo(201);
            List<JsonNode> rows = ws.take(3, Duration.ofSeconds(30));
            assertThat(rows).extracting(e -> e.path("op").asText() + " " + e.path("value").path("name").asText())
                    .containsExactlyInAnyOrder("PUT a", "PUT b", "PUT c");
        }
        assertThat(rest.delete(SOURCES + "/sub_load").status()).isEqualTo(204);
        // a CDC region: each change, and a RESYNC when a truncate empties it
        assertThat(rest.post(REGIONS, "{\"name\": \"sub_followed\", \"fields\": {\"id\": \"BIGINT\"}}").status()).isEqualTo(201);
        Rest.Response reg = rest.post(SOURCES, source("sub_cdc", "sub_followed", "sub_src", "\"sync_mode\": \"CDC\","));
        assertThat(reg.status()).as(reg.toString()).isEqualTo(201);
        Await.until(Duration.ofSeconds(30), "the snapshot is done", () -> "STREAMING".equals(status("sub_cdc").path("cdc").path("state").asText()));
        try (WsClient ws = WsClient.subscribe(cluster.node(0).baseUrl(), "sub_followed?filter=" + java.net.URLEncoder.encode("id >= 2", "UTF-8"))) {
            pg.execute("UPDATE sub_src SET name = 'bb' WHERE id = 2", "UPDATE sub_src SET name = 'aa' WHERE id = 1", "TRUNCATE sub_src");
            // (a RESYNC is announced by the node that cleared the region: it is not ordered with the changes before it)
            List<JsonNode> got = ws.take(2, Duration.ofSeconds(30));
            assertThat(got).extracting(e -> e.path("op").asText() + " " + e.path("value").path("name").asText(""))
                    .containsExactlyInAnyOrder("PUT bb", "RESYNC ");
            assertThat(got).anySatisfy(e -> assertThat(e.path("reason").asText()).contains("truncated"));
            assertThat(ws.next(Duration.ofMillis(500))).as("the truncate's deletes are not sent one by one").isNull();
        }
        assertThat(rest.delete(SOURCES + "/sub_cdc").status()).isEqualTo(204);
    }

    @Test
    void pauseResumeAndRestartLoseNothingAndRepeatNothing() throws Exception {
        pg.execute("CREATE TABLE cdc_life (id BIGINT PRIMARY KEY, v BIGINT NOT NULL, note TEXT)",
                "INSERT INTO cdc_life SELECT g, 0, 'n' || g FROM generate_series(1, 500) g");
        assertThat(rest.post(REGIONS, "{\"name\": \"cdc_life\", \"fields\": {\"id\": \"BIGINT\"}}").status()).isEqualTo(201);
        Rest.Response reg = rest.post(SOURCES, source("life_cdc", "cdc_life", "cdc_life", "\"sync_mode\": \"CDC\","));
        assertThat(reg.status()).as(reg.toString()).isEqualTo(201);
        Await.until(Duration.ofSeconds(60), "the snapshot is done", () -> "STREAMING".equals(status("life_cdc").path("cdc").path("state").asText()));
        Await.until(Duration.ofSeconds(10), "snapshot progress is published",
                () -> status("life_cdc").path("cdc").path("snapshot_percent").asDouble() == 100.0);
        JsonNode cdc = status("life_cdc").path("cdc");
        assertThat(cdc.path("snapshot_total").asLong()).isEqualTo(500);
        assertThat(cdc.path("snapshot_rows").asLong()).isEqualTo(500);
        assertRegion("life_cdc", "cdc_life", "STREAMING", 500, 0);

        // paused: nothing is read, the database keeps the changes
        Rest.Response paused = rest.post(SOURCES + "/life_cdc/pause", "");
        assertThat(paused.status()).as(paused.toString()).isEqualTo(200);
        assertThat(paused.json().path("cdc").path("state").asText()).isEqualTo("PAUSED");
        assertThat(paused.json().path("regions").path("cdc_life").path("state").asText()).as(paused.toString()).isEqualTo("PAUSED");
        pg.execute("UPDATE cdc_life SET v = 1 WHERE id <= 10");
        Thread.sleep(2000);
        assertThat(rest2.get(REGIONS + "/cdc_life/entries/1").json().path("v").asLong()).isZero();
        assertThat(status("life_cdc").path("state").asText()).isEqualTo("PAUSED");

        // resumed: the changes made meanwhile arrive, each exactly once
        assertThat(rest2.post(SOURCES + "/life_cdc/resume", "").status()).isEqualTo(200);
        Await.until(Duration.ofSeconds(30), "the changes made while paused", () -> rest.get(REGIONS + "/cdc_life/entries/10").json().path("v").asLong() == 1);
        Await.until(Duration.ofSeconds(10), "every change counted once", () -> status("life_cdc").path("cdc").path("events").asLong() >= 510);
        Thread.sleep(1500);
        cdc = status("life_cdc").path("cdc");
        assertThat(cdc.path("events").asLong()).as("no change delivered twice after a pause: " + cdc).isEqualTo(510);
        assertThat(cdc.path("stale_skipped").asLong()).isZero();
        assertRegion("life_cdc", "cdc_life", "STREAMING", 500, 10);

        // restarted: goes on from the stored offsets, again without repeats
        assertThat(rest.post(SOURCES + "/life_cdc/restart", "").status()).isEqualTo(200);
        pg.execute("UPDATE cdc_life SET v = 2 WHERE id <= 5");
        Await.until(Duration.ofSeconds(30), "a change after the restart", () -> rest.get(REGIONS + "/cdc_life/entries/5").json().path("v").asLong() == 2);
        Await.until(Duration.ofSeconds(10), "counted", () -> status("life_cdc").path("cdc").path("events").asLong() >= 515);
        Thread.sleep(1500);
        cdc = status("life_cdc").path("cdc");
        assertThat(cdc.path("events").asLong()).as("no change delivered twice after a restart: " + cdc).isEqualTo(515);
        assertRegion("life_cdc", "cdc_life", "STREAMING", 500, 15);
        assertThat(cdc.path("state").asText()).isEqualTo("STREAMING");
        assertThat(cdc.path("lag_p99_ms").asLong()).isGreaterThanOrEqualTo(cdc.path("lag_p50_ms").asLong());

        // a dropped column stops being written; the region keeps it for the rows not changed since
        pg.execute("ALTER TABLE cdc_life DROP COLUMN note", "UPDATE cdc_life SET v = 3 WHERE id = 1");
        Await.until(Duration.ofSeconds(30), "a change after the drop", () -> rest.get(REGIONS + "/cdc_life/entries/1").json().path("v").asLong() == 3);
        assertThat(rest.get(REGIONS + "/cdc_life/entries/1").json().path("note").isMissingNode()
                || rest.get(REGIONS + "/cdc_life/entries/1").json().path("note").isNull()).isTrue();
        assertThat(rest.get(REGIONS + "/cdc_life/entries/2").json().path("note").asText()).isEqualTo("n2");
        assertThat(status("life_cdc").path("cdc").path("state").asText()).isEqualTo("STREAMING");

        assertThat(rest.post(SOURCES + "/no_such_source/pause", "").status()).isEqualTo(404);
        Rest.Response regionDelete = rest.delete(REGIONS + "/cdc_life");
        assertThat(regionDelete.status()).as("a region a CDC source follows into is kept").isEqualTo(409);
        assertThat(regionDelete.body()).contains("life_cdc");
        assertThat(rest.delete(SOURCES + "/life_cdc").status()).isEqualTo(204);
        assertThat(count("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'dih_life_cdc'")).isZero();
    }

    @Test
    void writesThroughTheHubAreNotUndoneByTheirOwnEchoes() throws Exception {
        pg.execute("CREATE TABLE cdc_echo (id BIGINT PRIMARY KEY, v BIGINT NOT NULL)", "INSERT INTO cdc_echo VALUES (1, 0)");
        assertThat(rest.post(REGIONS, "{\"name\": \"cdc_echo\", \"cache_strategy\": \"WRITE_THROUGH\", \"fields\": {\"id\": \"BIGINT\"}}").status())
                .isEqualTo(201);
        assertThat(rest.post(SOURCES, source("echo_cdc", "cdc_echo", "cdc_echo", "\"sync_mode\": \"CDC\",")).status()).isEqualTo(201);
        Await.until(Duration.ofSeconds(60), "streaming", () -> "STREAMING".equals(status("echo_cdc").path("cdc").path("state").asText()));

        // quick writes of one key through the hub; each comes back from the database as a change a moment later
        java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.List<String> backwards = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        Thread reader = new Thread(() -> {
            long seen = 0;
            while (writing.get()) {
                long v = rest2.get(REGIONS + "/cdc_echo/entries/1").json().path("v").asLong();
                if (v < seen) {
                    backwards.add(seen + " -> " + v);
                }
                seen = Math.max(seen, v);
            }
        }, "echo-reader");
        reader.start();
        for (int v = 1; v <= 150; v++) {
            assertThat(rest.put(REGIONS + "/cdc_echo/entries/1", "{\"v\": " + v + "}").status()).isIn(200, 201);
        }
        Thread.sleep(1500); // the last echoes arrive
        writing.set(false);
        reader.join(10_000);
        assertThat(count("SELECT v FROM cdc_echo WHERE id = 1")).isEqualTo(150);
        assertThat(rest.get(REGIONS + "/cdc_echo/entries/1").json().path("v").asLong()).isEqualTo(150);
        assertThat(backwards).as("an older write's echo never overwrote a newer write").isEmpty();

        // a change made in the database afterwards still arrives
        pg.execute("UPDATE cdc_echo SET v = 1000 WHERE id = 1");
        Await.until(Duration.ofSeconds(30), "an outside change", () -> rest.get(REGIONS + "/cdc_echo/entries/1").json().path("v").asLong() == 1000);
        assertThat(rest.delete(SOURCES + "/echo_cdc").status()).isEqualTo(204);
    }

    @Test
    void aDatabaseRestartMidStreamIsRetriedAndCaughtUp() throws Exception {
        pg.execute("CREATE TABLE cdc_outage (id BIGINT PRIMARY KEY, v BIGINT NOT NULL)",
                "INSERT INTO cdc_outage SELECT g, 0 FROM generate_series(1, 50) g");
        assertThat(rest.post(REGIONS, "{\"name\": \"cdc_outage\", \"fields\": {\"id\": \"BIGINT\"}}").status()).isEqualTo(201);
        assertThat(rest.post(SOURCES, source("outage_cdc", "cdc_outage", "cdc_outage", "\"sync_mode\": \"CDC\",")).status()).isEqualTo(201);
        Await.until(Duration.ofSeconds(60), "streaming", () -> "STREAMING".equals(status("outage_cdc").path("cdc").path("state").asText()));

        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicLong committed = new java.util.concurrent.atomic.AtomicLong();
        Thread writer = new Thread(() -> {
            long i = 0;
            while (!stop.get()) {
                try (Connection c = pg.connect(); java.sql.PreparedStatement ps = c.prepareStatement("UPDATE cdc_outage SET v = v + 1 WHERE id = ?")) {
                    while (!stop.get()) {
                        ps.setLong(1, i++ % 50 + 1);
                        ps.executeUpdate();
                        committed.incrementAndGet();
                        Thread.sleep(5);
                    }
                } catch (java.sql.SQLException | InterruptedException e) {
                    try {
                        Thread.sleep(200); // the database is down: try again
                    } catch (InterruptedException ie) {
                        return;
                    }
                }
            }
        }, "cdc-outage-writer");
        writer.start();
        try {
            Await.until(Duration.ofSeconds(20), "updates flow", () -> committed.get() > 100);
            pg.suspend();
            Await.until(Duration.ofSeconds(60), "the source says it is retrying", () -> "RETRYING".equals(status("outage_cdc").path("state").asText()));
            JsonNode cdc = status("outage_cdc").path("cdc");
            assertThat(cdc.path("error").asText()).isNotEmpty().doesNotContain(pg.password());
            Thread.sleep(1000);
            pg.resume();
            long before = committed.get();
            Await.until(Duration.ofSeconds(30), "updates flow again", () -> committed.get() > before + 100);
        } finally {
            stop.set(true);
            writer.join(10_000);
        }
        Await.until(Duration.ofSeconds(90), "the engine recovers by itself", () -> "STREAMING".equals(status("outage_cdc").path("cdc").path("state").asText()));
        java.util.Map<Long, Long> table = new java.util.HashMap<>();
        try (Connection c = pg.connect(); ResultSet rs = c.createStatement().executeQuery("SELECT id, v FROM cdc_outage")) {
            while (rs.next()) {
                table.put(rs.getLong(1), rs.getLong(2));
            }
        }
        Await.until(Duration.ofSeconds(60), "the region equals the table", () -> table.entrySet().stream()
                .allMatch(e -> rest.get(REGIONS + "/cdc_outage/entries/" + e.getKey()).json().path("v").asLong() == e.getValue()));
        assertThat(count("SELECT sum(v) FROM cdc_outage")).isEqualTo(committed.get());
        assertThat(rest.delete(SOURCES + "/outage_cdc").status()).isEqualTo(204);
    }

    @Test
    void mariaDbBinlogSnapshotsThenStreams() throws Exception {
        io.dih.testing.TestingMariaDbServer db = io.dih.testing.TestingMariaDbServer.shared();
        db.execute("CREATE TABLE cdc_accounts (id BIGINT PRIMARY KEY, owner VARCHAR(64) NOT NULL, balance DECIMAL(12,2), opened DATETIME)",
                "INSERT INTO cdc_accounts VALUES (1, 'ann', 10.00, '2024-02-01 09:30:00'), (2, 'bob', 20.00, NULL)");
        assertThat(rest.post(REGIONS, "{\"name\": \"cdc_accounts\", \"fields\": {\"id\": \"BIGINT\"}}").status()).isEqualTo(201);
        String body = """
                {"source_name": "accounts_cdc", "source_type": "mariadb", "sync_mode": "CDC",
                 "connection_params": {"host": "127.0.0.1", "port": %d, "database": "%s", "user": "%s", "password": "%s"},
                 "target_regions": ["cdc_accounts"], "bindings": {"cdc_accounts": {"table": "cdc_accounts"}}}"""
                .formatted(db.port(), db.database(), db.user(), db.password());
        Rest.Response reg = rest.post(SOURCES, body);
        assertThat(reg.status()).as(reg.toString()).isEqualTo(201);
        Await.until(Duration.ofSeconds(60), "the snapshot", () -> has(REGIONS + "/cdc_accounts/entries/2", "owner", "bob"));
        Await.until(Duration.ofSeconds(30), "streaming", () -> "STREAMING".equals(status("accounts_cdc").path("cdc").path("state").asText()));
        assertThat(rest.get(REGIONS + "/cdc_accounts/entries/1").json().path("balance").decimalValue()).isEqualByComparingTo("10.00");

        db.execute("INSERT INTO cdc_accounts VALUES (3, 'cy', 30.00, NULL)", "UPDATE cdc_accounts SET balance = 11.50 WHERE id = 1",
                "DELETE FROM cdc_accounts WHERE id = 2");
        Await.until(Duration.ofSeconds(30), "the insert", () -> has(REGIONS + "/cdc_accounts/entries/3", "owner", "cy"));
        Await.until(Duration.ofSeconds(30), "the delete", () -> rest2.get(REGIONS + "/cdc_accounts/entries/2").status() == 404);
        assertThat(rest2.get(REGIONS + "/cdc_accounts/entries/1").json().path("balance").decimalValue()).isEqualByComparingTo("11.50");

        // a column added mid-stream; then a restart, which replays the schema history kept in the grid
        db.execute("ALTER TABLE cdc_accounts ADD COLUMN tier VARCHAR(16)", "UPDATE cdc_accounts SET tier = 'gold' WHERE id = 3");
        Await.until(Duration.ofSeconds(30), "the new column", () -> has(REGIONS + "/cdc_accounts/entries/3", "tier", "gold"));
        io.dih.client.HubClient sdk = io.dih.client.HubClient.builder().rest(cluster.node(0).baseUrl()).apiKey(io.dih.testing.HubCredentials.ADMIN_KEY).build();
        assertThat(sdk.sourceStatus("accounts_cdc").path("cdc").path("state").asText()).isEqualTo("STREAMING");
        assertThat(sdk.restartSource("accounts_cdc").path("sync_mode").asText()).isEqualTo("CDC"); // the Java SDK, as REST
        db.execute("UPDATE cdc_accounts SET tier = 'silver', balance = 12.00 WHERE id = 1");
        Await.until(Duration.ofSeconds(60), "a change after the restart", () -> has(REGIONS + "/cdc_accounts/entries/1", "tier", "silver"));
        Thread.sleep(1500);
        JsonNode cdc = status("accounts_cdc").path("cdc");
        assertThat(cdc.path("state").asText()).isEqualTo("STREAMING");
        assertThat(cdc.path("stale_skipped").asLong()).as("nothing delivered twice: " + cdc).isZero();
        try (Connection c = DriverManager.getConnection(io.dih.testing.HubCredentials.jdbcUrl(cluster.node(0).thinClientPort()));
             ResultSet rs = c.createStatement().executeQuery("SELECT owner, tier FROM cdc_accounts ORDER BY id")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1) + "/" + rs.getString(2)).isEqualTo("ann/silver");
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1) + "/" + rs.getString(2)).isEqualTo("cy/gold");
            assertThat(rs.next()).isFalse();
        }
        assertThat(rest.delete(SOURCES + "/accounts_cdc").status()).isEqualTo(204);
    }

    @Test
    void badCdcSpecsAreRefused() {
        assertThat(rest.post(REGIONS, "{\"name\": \"cdc_bad\", \"fields\": {\"id\": \"BIGINT\"}}").status()).isEqualTo(201);
        pg.execute("CREATE TABLE cdc_bad (id BIGINT PRIMARY KEY, v TEXT)");
        String viaQuery = source("bad_cdc", "cdc_bad", "cdc_bad", "\"sync_mode\": \"CDC\",")
                .replace("{\"table\": \"cdc_bad\"}", "{\"query\": \"SELECT id, v FROM cdc_bad\", \"key_columns\": [\"id\"]}");
        Rest.Response r = rest.post(SOURCES, viaQuery);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body()).contains("bindings.cdc_bad.query");

        // a user without REPLICATION: said at registration, not by a feed that keeps failing
        try (java.sql.Connection admin = pg.connectAsAdmin()) {
            admin.createStatement().execute("CREATE ROLE norepl LOGIN PASSWORD 'norepl-secret'");
            admin.createStatement().execute("GRANT SELECT ON cdc_bad TO norepl");
        } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
        String noRepl = source("norepl_cdc", "cdc_bad", "cdc_bad", "\"sync_mode\": \"CDC\",")
                .replace("\"user\": \"" + pg.user() + "\"", "\"user\": \"norepl\"")
                .replace("\"password\": \"" + pg.password() + "\"", "\"password\": \"norepl-secret\"");
        Rest.Response denied = rest.post(SOURCES, noRepl);
        assertThat(denied.status()).as(denied.toString()).isEqualTo(400);
        assertThat(denied.json().path("errors").toString()).contains("connection_params.user").contains("REPLICATION");
        assertThat(denied.body()).doesNotContain("norepl-secret");

        // a table without a primary key
        pg.execute("CREATE TABLE cdc_nopk (id BIGINT NOT NULL, v TEXT)");
        assertThat(rest.post(REGIONS, "{\"name\": \"cdc_nopk\", \"fields\": {\"id\": \"BIGINT\"}}").status()).isEqualTo(201);
        String noPk = source("nopk_cdc", "cdc_nopk", "cdc_nopk", "\"sync_mode\": \"CDC\",")
                .replace("{\"table\": \"cdc_nopk\"}", "{\"table\": \"cdc_nopk\", \"key_columns\": [\"id\"]}");
        Rest.Response nopk = rest.post(SOURCES, noPk);
        assertThat(nopk.status()).as(nopk.toString()).isEqualTo(400);
        assertThat(nopk.body()).contains("REPLICA IDENTITY FULL");
        assertThat(rest.get(SOURCES + "/nopk_cdc").status()).as("nothing stored").isEqualTo(404);
    }

    @Test
    void aDatabaseWithoutLogicalReplicationIsToldWhatToSet() {
        try (io.dih.testing.TestingPostgresServer replica = io.dih.testing.TestingPostgresServer.start(java.util.Map.of("wal_level", "replica"))) {
            replica.execute("CREATE TABLE cdc_wal (id BIGINT PRIMARY KEY, v TEXT)");
            assertThat(rest.post(REGIONS, "{\"name\": \"cdc_wal\", \"fields\": {\"id\": \"BIGINT\"}}").status()).isEqualTo(201);
            String body = source("wal_cdc", "cdc_wal", "cdc_wal", "\"sync_mode\": \"CDC\",").replace("\"port\": " + pg.port(), "\"port\": " + replica.port());
            Rest.Response r = rest.post(SOURCES, body);
            assertThat(r.status()).as(r.toString()).isEqualTo(400);
            assertThat(r.json().path("errors").toString()).contains("wal_level=replica").contains("wal_level=logical");
            assertThat(rest.get(SOURCES + "/wal_cdc").status()).as("nothing stored").isEqualTo(404);
        }
    }

    @Test
    void aSlotHeldByAnotherReaderIsAConflict() throws Exception {
        pg.execute("CREATE TABLE cdc_fight (id BIGINT PRIMARY KEY, v TEXT)", "CREATE PUBLICATION fight_pub FOR TABLE cdc_fight");
        assertThat(rest.post(REGIONS, "{\"name\": \"cdc_fight\", \"fields\": {\"id\": \"BIGINT\"}}").status()).isEqualTo(201);
        java.util.Properties props = new java.util.Properties();
        org.postgresql.PGProperty.USER.set(props, pg.user());
        org.postgresql.PGProperty.PASSWORD.set(props, pg.password());
        org.postgresql.PGProperty.ASSUME_MIN_SERVER_VERSION.set(props, "10");
        org.postgresql.PGProperty.REPLICATION.set(props, "database");
        org.postgresql.PGProperty.PREFER_QUERY_MODE.set(props, "simple");
        // someone else (say, a second hub cluster with a source of the same name) streams from slot dih_fight_cdc
        try (Connection rc = DriverManager.getConnection(pg.jdbcUrl(), props)) {
            org.postgresql.replication.PGReplicationConnection api = rc.unwrap(org.postgresql.PGConnection.class).getReplicationAPI();
            api.createReplicationSlot().logical().withSlotName("dih_fight_cdc").withOutputPlugin("pgoutput").make();
            try (org.postgresql.replication.PGReplicationStream stream = api.replicationStream().logical().withSlotName("dih_fight_cdc")
                    .withSlotOption("proto_version", 1).withSlotOption("publication_names", "fight_pub").start()) {
                Await.until(Duration.ofSeconds(10), "the slot is active", () -> {
                    try {
                        return count("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'dih_fight_cdc' AND active") == 1;
                    } catch (Exception e) {
                        return false;
                    }
                });
                Rest.Response r = rest.post(SOURCES, source("fight_cdc", "cdc_fight", "cdc_fight", "\"sync_mode\": \"CDC\","));
                assertThat(r.status()).as(r.toString()).isEqualTo(409);
                assertThat(r.body()).contains("dih_fight_cdc").contains("in use");
                assertThat(rest.get(SOURCES + "/fight_cdc").status()).as("nothing stored").isEqualTo(404);
            }
        }
        pg.execute("SELECT pg_drop_replication_slot('dih_fight_cdc')");
    }

    @Test
    void aMariaDbUserWhoCannotReadTheBinlogIsToldWhatToGrant() throws Exception {
        io.dih.testing.TestingMariaDbServer db = io.dih.testing.TestingMariaDbServer.shared();
        db.execute("CREATE TABLE cdc_nobin (id BIGINT PRIMARY KEY, v VARCHAR(20))");
        try (Connection admin = db.connectAsAdmin()) {
            admin.createStatement().execute("CREATE USER 'nobin'@'%' IDENTIFIED BY 'nobin-secret'");
            admin.createStatement().execute("GRANT SELECT ON " + db.database() + ".* TO 'nobin'@'%'");
        }
        assertThat(rest.post(REGIONS, "{\"name\": \"cdc_nobin\", \"fields\": {\"id\": \"BIGINT\"}}").status()).isEqualTo(201);
        Rest.Response r = rest.post(SOURCES, """
                {"source_name": "nobin_cdc", "source_type": "mariadb", "sync_mode": "CDC",
                 "connection_params": {"host": "127.0.0.1", "port": %d, "database": "%s", "user": "nobin", "password": "nobin-secret"},
                 "target_regions": ["cdc_nobin"]}""".formatted(db.port(), db.database()));
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(r.json().path("errors").toString()).contains("connection_params.user").contains("REPLICATION SLAVE").contains("RELOAD");
        assertThat(r.body()).doesNotContain("nobin-secret");
    }

    /** A row or change a region cannot take is a dead letter of its source (listed, retried, dropped); the rest flows. */
    @Test
    void rowsAndChangesTheRegionCannotTakeAreDeadLettersAndTheFeedGoesOn() throws Exception {
        pg.execute("CREATE TABLE dl_load (code TEXT, name TEXT)", "INSERT INTO dl_load VALUES ('a', 'x'), (NULL, 'y'), ('c', 'z')");
        assertThat(rest.post(REGIONS, "{\"name\": \"dl_loaded\", \"key_fields\": [\"code\"], \"fields\": {\"code\": \"VARCHAR\"}}").status()).isEqualTo(201);
        Rest.Response reg = rest.post(SOURCES, """
                {"source_name": "dl_load", "source_type": "postgresql", "sync_mode": "LOAD",
                 "connection_params": {"host": "127.0.0.1", "port": %d, "database": "%s", "user": "%s", "password": "%s"},
                 "target_regions": ["dl_loaded"],
                 "bindings": {"dl_loaded": {"query": "SELECT code, name FROM dl_load", "key_columns": ["code"]}}}"""
                .formatted(pg.port(), pg.database(), pg.user(), pg.password()));
        assertThat(reg.status()).as(reg.toString()).isEqualTo(201);
        Await.until(Duration.ofSeconds(30), "the load", () -> "IDLE".equals(status("dl_load").path("state").asText())
                && status("dl_load").path("regions").path("dl_loaded").path("rows_loaded").asLong() == 3);
        assertThat(rest2.get(REGIONS + "/dl_loaded/entries/c").json().path("name").asText()).isEqualTo("z");
        assertThat(status("dl_load").path("dead_letters").asLong()).isEqualTo(1);
        JsonNode letters = rest2.get(SOURCES + "/dl_load/dead-letters").json();
        assertThat(letters.path("count").asLong()).isEqualTo(1);
        JsonNode letter = letters.path("dead_letters").get(0);
        assertThat(letter.path("region").asText()).isEqualTo("dl_loaded");
        assertThat(letter.path("op").asText()).isEqualTo("LOAD");
        assertThat(letter.path("payload").asText()).contains("\"y\"");
        assertThat(letter.path("error").asText()).contains("code").contains("null");
        String id = letter.path("id").asText();
        Rest.Response again = rest.post(SOURCES + "/dl_load/dead-letters/" + id + "/retry", "");
        assertThat(again.status()).as(again.toString()).isEqualTo(409); // still no key: the letter stays
        assertThat(again.json().path("detail").asText()).contains("still does not fit");
        assertThat(rest.post(SOURCES + "/dl_load/sync?full=true", "").status()).isEqualTo(202); // loaded again: the same letter, not a second
        Await.until(Duration.ofSeconds(30), "the second load", () -> "IDLE".equals(status("dl_load").path("state").asText()));
        assertThat(rest.get(SOURCES + "/dl_load/dead-letters").json().path("count").asLong()).isEqualTo(1);
        assertThat(rest.delete(SOURCES + "/dl_load/dead-letters/" + id).status()).isEqualTo(204);
        assertThat(rest.get(SOURCES + "/dl_load/dead-letters").json().path("count").asLong()).isZero();
        assertThat(rest.delete(SOURCES + "/dl_load/dead-letters/" + id).status()).isEqualTo(404);

        pg.execute("CREATE TABLE dl_cdc (id BIGINT PRIMARY KEY, qty INT)", "INSERT INTO dl_cdc VALUES (1, 5)");
        assertThat(rest.post(REGIONS, "{\"name\": \"dl_cdc\", \"fields\": {\"id\": \"BIGINT\"}}").status()).isEqualTo(201);
        reg = rest.post(SOURCES, source("dl_cdc", "dl_cdc", "dl_cdc", "\"sync_mode\": \"CDC\","));
        assertThat(reg.status()).as(reg.toString()).isEqualTo(201);
        Await.until(Duration.ofSeconds(60), "the snapshot", () -> has(REGIONS + "/dl_cdc/entries/1", "qty", "5"));
        // the database's column changes type under the region: a value the region's INT column cannot take
        pg.execute("ALTER TABLE dl_cdc ALTER COLUMN qty TYPE TEXT", "INSERT INTO dl_cdc VALUES (2, 'lots')", "INSERT INTO dl_cdc VALUES (3, '7')");
        Await.until(Duration.ofSeconds(30), "the change after the bad one", () -> has(REGIONS + "/dl_cdc/entries/3", "qty", "7"));
        assertThat(rest2.get(REGIONS + "/dl_cdc/entries/2").status()).isEqualTo(404);
        letters = rest2.get(SOURCES + "/dl_cdc/dead-letters").json();
        assertThat(letters.path("count").asLong()).as(letters.toString()).isEqualTo(1);
        letter = letters.path("dead_letters").get(0);
        assertThat(letter.path("op").asText()).isEqualTo("UPSERT");
        assertThat(letter.path("key").asText()).isEqualTo("2");
        assertThat(letter.path("payload").asText()).contains("lots");
        assertThat(letter.path("position").asText()).isNotBlank();
        assertThat(letter.path("error").asText()).contains("qty");
        assertThat(status("dl_cdc").path("dead_letters").asLong()).isEqualTo(1);
        assertThat(status("dl_cdc").path("cdc").path("state").asText()).isEqualTo("STREAMING");
        // a newer change of the key flows; the letter, retried after it, is older than what the key has now
        pg.execute("UPDATE dl_cdc SET qty = '8' WHERE id = 2");
        Await.until(Duration.ofSeconds(30), "the newer change of the dead-lettered key", () -> has(REGIONS + "/dl_cdc/entries/2", "qty", "8"));
        Rest.Response retried = rest.post(SOURCES + "/dl_cdc/dead-letters/" + letter.path("id").asText() + "/retry", "");
        assertThat(retried.status()).as(retried.toString()).isEqualTo(200);
        assertThat(retried.json().path("state").asText()).isEqualTo("SUPERSEDED");
        assertThat(rest2.get(REGIONS + "/dl_cdc/entries/2").json().path("qty").asInt()).isEqualTo(8);
        assertThat(rest.get(SOURCES + "/dl_cdc/dead-letters").json().path("count").asLong()).isZero();
        assertThat(rest.delete(SOURCES + "/dl_cdc").status()).isEqualTo(204);
        assertThat(rest.delete(SOURCES + "/dl_load").status()).isEqualTo(204);
        assertThat(rest.get(SOURCES + "/dl_load/dead-letters").status()).isEqualTo(404);
    }
}
