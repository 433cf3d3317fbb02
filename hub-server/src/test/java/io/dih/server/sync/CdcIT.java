package io.dih.server.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dih.server.testing.Rest;
import io.dih.testing.Await;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
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
        try (Connection c = DriverManager.getConnection("jdbc:ignite:thin://127.0.0.1:" + cluster.node(1).thinClientPort());
             ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*), SUM(price) FROM cdc_items")) {
            rs.next();
            assertThat(rs.getLong(1)).as("SQL sees the same rows").isEqualTo(3);
            assertThat(rs.getBigDecimal(2)).isEqualByComparingTo("9.20");
        }

        // a column added mid-stream becomes a region column
        pg.execute("ALTER TABLE cdc_items ADD COLUMN color TEXT", "UPDATE cdc_items SET color = 'red' WHERE id = 3");
        Await.until(Duration.ofSeconds(30), "the new column", () -> has(REGIONS + "/cdc_items/entries/3", "color", "red"));
        try (Connection c = DriverManager.getConnection("jdbc:ignite:thin://127.0.0.1:" + cluster.node(0).thinClientPort());
             ResultSet rs = c.createStatement().executeQuery("SELECT name FROM cdc_items WHERE color = 'red'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("three");
        }

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

        // deleting the source stops the engine and drops its replication slot and publication
        assertThat(rest.delete(SOURCES + "/items_cdc").status()).isEqualTo(204);
        assertThat(count("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'dih_items_cdc'")).isZero();
        assertThat(count("SELECT count(*) FROM pg_publication WHERE pubname = 'dih_items_cdc'")).isZero();
        pg.execute("INSERT INTO cdc_items (id, name) VALUES (10, 'not followed')");
        Thread.sleep(1500);
        assertThat(rest.get(REGIONS + "/cdc_items/entries/10").status()).isEqualTo(404);
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
}
