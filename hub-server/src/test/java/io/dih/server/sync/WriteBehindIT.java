package io.dih.server.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dih.server.testing.Rest;
import io.dih.testing.Await;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Durable write-behind against a real PostgreSQL of this class's own (suspended and resumed as an outage) and a
 * two-node hub: nothing acknowledged is lost while the database is down, a key's writes reach it in order, a row the
 * database refuses becomes a dead letter without holding up the rest, and bad specs are refused.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WriteBehindIT extends SyncFixture {
    /** A sync_mode NONE source; {@code extra}: more spec fields, comma-separated, or empty. */
    static String wbSource(String name, String region, String table, String extra) {
        return source(name, region, table, "\"sync_mode\": \"NONE\"," + (extra.isEmpty() ? "" : " " + extra + ","));
    }

    static JsonNode writeBehind(String region) {
        Rest.Response r = rest.get(REGIONS + "/" + region + "/write-behind");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json();
    }

    static void awaitDrained(String region, Duration timeout) {
        Await.until(timeout, "the write-behind queue of " + region + " drains", () -> writeBehind(region).path("pending").asLong() == 0);
    }

    static Map<Long, Long> dbSeqs(String table) throws Exception {
        Map<Long, Long> out = new HashMap<>();
        try (Connection c = pg.connect(); ResultSet rs = c.createStatement().executeQuery("SELECT id, seq FROM " + table)) {
            while (rs.next()) {
                out.put(rs.getLong(1), rs.getLong(2));
            }
        }
        return out;
    }

    @Test
    @Order(1)
    void anOutageUnderSteadyWritesLosesNothingAndKeepsEachKeysOrder() throws Exception {
        pg.execute("CREATE TABLE counters (id BIGINT PRIMARY KEY, seq BIGINT NOT NULL, note TEXT)",
                "CREATE TABLE counters_history (n BIGSERIAL PRIMARY KEY, id BIGINT, seq BIGINT)",
                "CREATE FUNCTION log_counter() RETURNS trigger AS $$ BEGIN INSERT INTO counters_history (id, seq) VALUES (NEW.id, NEW.seq); "
                        + "RETURN NEW; END $$ LANGUAGE plpgsql",
                "CREATE TRIGGER counters_log AFTER INSERT OR UPDATE ON counters FOR EACH ROW EXECUTE FUNCTION log_counter()");
        assertThat(rest.post(REGIONS, """
                {"name": "counters", "cache_strategy": "WRITE_BEHIND", "fields": {"id": "BIGINT", "seq": "BIGINT", "note": "VARCHAR"}}""")
                .status()).isEqualTo(201);
        Rest.Response reg = rest.post(SOURCES, wbSource("counter_db", "counters", "counters", "\"consistency_level\": \"EVENTUAL\""));
        assertThat(reg.status()).as(reg.toString()).isEqualTo(201);

        int keys = 20;
        Map<Long, Long> acked = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger failures = new AtomicInteger();
        List<String> failureSamples = new ArrayList<>();
        Thread writer = new Thread(() -> {
            for (long round = 1; !stop.get(); round++) {
                for (long k = 1; k <= keys && !stop.get(); k++) {
                    Rest target = (round + k) % 2 == 0 ? rest : rest2;
                    Rest.Response r = target.put(REGIONS + "/counters/entries/" + k, "{\"seq\": " + round + ", \"note\": \"round " + round + "\"}");
                    if (r.status() == 200 || r.status() == 201) {
                        acked.put(k, round);
                    } else if (failures.incrementAndGet() < 5) {
                        synchronized (failureSamples) {
                            failureSamples.add(r.toString());
                        }
                    }
                }
            }
        }, "steady-writer");
        writer.start();
        try {
            Await.until(Duration.ofSeconds(30), "writes flow to PostgreSQL", () -> {
                try {
                    return dbSeqs("counters").size() == keys;
                } catch (Exception e) {
                    return false;
                }
            });
            pg.suspend();
            long suspendedAt = System.currentTimeMillis();
            Await.until(Duration.ofSeconds(30), "the flusher notices the outage",
                    () -> "RETRYING".equals(writeBehind("counters").path("state").asText()));
            Thread.sleep(Math.max(0, 20_000 - (System.currentTimeMillis() - suspendedAt)));
            JsonNode during = writeBehind("counters");
            assertThat(during.path("pending").asLong()).as(during.toString()).isEqualTo(keys); // coalesced: one per key
            assertThat(during.path("oldest_pending_age_ms").asLong()).isGreaterThan(10_000);
            assertThat(during.path("retries").asLong()).isPositive();
            assertThat(rest2.get(REGIONS + "/counters/entries/7").status()).as("reads are served during the outage").isEqualTo(200);
            pg.resume();
            Thread.sleep(3000);
        } finally {
            stop.set(true);
            writer.join();
        }
        assertThat(failures.get()).as("writes refused while the database was down: " + failureSamples).isZero();
        awaitDrained("counters", Duration.ofSeconds(60));

        Map<Long, Long> db = dbSeqs("counters");
        assertThat(db).as("every acknowledged write reached PostgreSQL").isEqualTo(acked);
        Map<Long, List<Long>> history = new HashMap<>();
        try (Connection c = pg.connect(); ResultSet rs = c.createStatement().executeQuery("SELECT id, seq FROM counters_history ORDER BY n")) {
            while (rs.next()) {
                history.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>()).add(rs.getLong(2));
            }
        }
        history.forEach((k, seqs) -> assertThat(seqs).as("key %d reached PostgreSQL in order", k).isSorted().doesNotHaveDuplicates());
        JsonNode after = writeBehind("counters");
        assertThat(after.path("state").asText()).isEqualTo("FLOWING");
        assertThat(after.path("dead_letters").asLong()).isZero();
        assertThat(after.path("flushed").asLong()).isGreaterThanOrEqualTo(keys);
        Rest.Response status = rest2.get(SOURCES + "/counter_db/status");
        assertThat(status.json().path("regions").path("counters").path("write_behind").path("pending").asLong()).isZero();
        String metrics = rest.get("/api/v1/dih/metrics").body();
        assertThat(metrics).contains("dih_write_behind_pending{").contains("dih_write_behind_retries{");
    }

    @Test
    @Order(2)
    void aRowTheDatabaseRefusesBecomesADeadLetterAndLaterWritesStillFlow() throws Exception {
        pg.execute("CREATE TABLE accounts (id BIGINT PRIMARY KEY, owner TEXT NOT NULL, balance NUMERIC(12,2) CHECK (balance >= 0))");
        Rest.Response region = rest.post(REGIONS, """
                {"name": "accounts", "cache_strategy": "WRITE_BEHIND", "fields": {"id": "BIGINT", "owner": "VARCHAR", "balance": "DECIMAL"}}""");
        assertThat(region.status()).as(region.toString()).isEqualTo(201);
        assertThat(rest.post(SOURCES, wbSource("ledger", "accounts", "accounts", "")).status()).isEqualTo(201);

        Map<String, String> batch = new HashMap<>();
        for (int i = 1; i <= 30; i++) {
            batch.put(Integer.toString(i), "{\"owner\": \"o" + i + "\", \"balance\": " + (i == 13 ? -5 : i) + "}");
        }
        StringBuilder body = new StringBuilder("{\"entries\": {");
        batch.forEach((k, v) -> body.append('"').append(k).append("\": ").append(v).append(','));
        body.setLength(body.length() - 1);
        body.append("}}");
        assertThat(rest.put(REGIONS + "/accounts/entries", body.toString()).status()).isEqualTo(200);
        awaitDrained("accounts", Duration.ofSeconds(30));
        try (Connection c = pg.connect(); ResultSet rs = c.createStatement().executeQuery("SELECT count(*), count(*) FILTER (WHERE id = 13) FROM accounts")) {
            rs.next();
            assertThat(rs.getInt(1)).as("the 29 good rows arrived").isEqualTo(29);
            assertThat(rs.getInt(2)).isZero();
        }
        JsonNode letters = rest2.get(REGIONS + "/accounts/dead-letters").json();
        assertThat(letters.path("count").asLong()).isEqualTo(1);
        JsonNode dl = letters.path("dead_letters").get(0);
        assertThat(dl.path("key").asText()).isEqualTo("13");
        assertThat(dl.path("op").asText()).isEqualTo("PUT");
        assertThat(dl.path("value").path("balance").decimalValue()).isEqualByComparingTo("-5");
        assertThat(dl.path("value").path("owner").asText()).isEqualTo("o13");
        assertThat(dl.path("error").asText()).contains("check");
        assertThat(dl.path("error").asText()).doesNotContain(pg.password());
        assertThat(dl.path("failed_at").asText()).isNotBlank();
        assertThat(writeBehind("accounts").path("dead_letters").asLong()).isEqualTo(1);

        // the queue is not stuck: later writes flow
        assertThat(rest.put(REGIONS + "/accounts/entries/31", "{\"owner\": \"late\", \"balance\": 1}").status()).isEqualTo(201);
        Await.until(Duration.ofSeconds(20), "a later write arrives", () -> {
            try {
                return count("SELECT count(*) FROM accounts WHERE id = 31") == 1;
            } catch (Exception e) {
                return false;
            }
        });

        // retried as recorded, it is refused again: it comes back under the same id, so the client can follow it
        String id = dl.path("id").asText();
        String firstFailure = dl.path("failed_at").asText();
        Rest.Response retried = rest.post(REGIONS + "/accounts/dead-letters/" + id + "/retry", "");
        assertThat(retried.status()).as(retried.toString()).isEqualTo(202);
        assertThat(retried.json().path("id").asText()).isEqualTo(id);
        assertThat(retried.json().path("state").asText()).isEqualTo("QUEUED");
        assertThat(retried.json().path("requeued").asBoolean()).isTrue();
        Await.until(Duration.ofSeconds(20), "the retried poison row is dead letter " + id + " again", () -> {
            JsonNode l = rest.get(REGIONS + "/accounts/dead-letters").json();
            return l.path("count").asLong() == 1 && !l.path("dead_letters").get(0).path("failed_at").asText().equals(firstFailure);
        });
        JsonNode again = rest2.get(REGIONS + "/accounts/dead-letters").json().path("dead_letters").get(0);
        assertThat(again.path("id").asText()).as(again.toString()).isEqualTo(id);
        assertThat(again.path("key").asText()).isEqualTo("13");
        assertThat(again.path("value").path("balance").decimalValue()).isEqualByComparingTo("-5");

        // the row is fixed through the hub; then the dead letter is dropped
        assertThat(rest.put(REGIONS + "/accounts/entries/13", "{\"owner\": \"o13\", \"balance\": 13}").status()).isEqualTo(200);
        Await.until(Duration.ofSeconds(20), "the fixed row arrives", () -> {
            try {
                return count("SELECT count(*) FROM accounts WHERE id = 13 AND balance = 13") == 1;
            } catch (Exception e) {
                return false;
            }
        });
        assertThat(rest.delete(REGIONS + "/accounts/dead-letters/" + id).status()).as("the retried letter's id").isEqualTo(204);
        assertThat(rest.get(REGIONS + "/accounts/dead-letters").json().path("count").asLong()).isZero();
        Rest.Response unknown = rest.delete(REGIONS + "/accounts/dead-letters/" + id);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.contentType()).startsWith("application/problem+json");
        assertThat(rest.post(REGIONS + "/accounts/dead-letters/no-such-id/retry", "").status()).isEqualTo(404);
        Rest.Response badLimit = rest.get(REGIONS + "/accounts/dead-letters?limit=0");
        assertThat(badLimit.status()).isEqualTo(400);
        assertThat(badLimit.body()).contains("limit");

        // a delete goes behind too
        assertThat(rest.delete(REGIONS + "/accounts/entries/31").status()).isEqualTo(204);
        Await.until(Duration.ofSeconds(20), "the delete arrives", () -> {
            try {
                return count("SELECT count(*) FROM accounts WHERE id = 31") == 0;
            } catch (Exception e) {
                return false;
            }
        });
    }

    @Test
    @Order(3)
    void badSpecsAreRefusedAndPendingWritesAreNotThrownAway() throws Exception {
        Rest.Response atomic = rest.post(REGIONS, "{\"name\": \"wb_atomic\", \"cache_strategy\": \"WRITE_BEHIND\", \"atomicity_mode\": \"ATOMIC\"}");
        assertThat(atomic.status()).isEqualTo(400);
        assertThat(atomic.body()).contains("atomicity_mode");
        Rest.Response noExpiry = rest.post(REGIONS, "{\"name\": \"ra\", \"cache_strategy\": \"REFRESH_AHEAD\"}");
        assertThat(noExpiry.status()).isEqualTo(400);
        assertThat(noExpiry.body()).contains("expiry_policy");
        Rest.Response factor = rest.post(REGIONS, "{\"name\": \"ra\", \"cache_strategy\": \"REFRESH_AHEAD\", \"expiry_policy\": {\"create\": 60}, "
                + "\"refresh_ahead_factor\": 1.5}");
        assertThat(factor.status()).isEqualTo(400);
        assertThat(factor.body()).contains("refresh_ahead_factor");

        pg.execute("CREATE TABLE notes (id BIGINT PRIMARY KEY, body TEXT)");
        assertThat(rest.post(REGIONS, "{\"name\": \"notes\", \"cache_strategy\": \"WRITE_BEHIND\", \"fields\": {\"id\": \"BIGINT\"}}").status()).isEqualTo(201);
        String viaQuery = wbSource("notes_q", "notes", "notes", "").replace("{\"table\": \"notes\"}", "{\"query\": \"SELECT id, body FROM notes\", \"key_columns\": [\"id\"]}");
        Rest.Response query = rest.post(SOURCES, viaQuery);
        assertThat(query.status()).as(query.toString()).isEqualTo(400);
        assertThat(query.json().path("errors").toString()).contains("bindings.notes.query");
        Rest.Response strong = rest.post(SOURCES, wbSource("notes_db", "notes", "notes", "\"consistency_level\": \"STRONG\""));
        assertThat(strong.status()).isEqualTo(400);
        assertThat(strong.json().path("errors").toString()).contains("consistency_level");
        for (String bad : new String[] {"\"consistency_level\": \"BOUNDED_STALENESS\", \"max_staleness_seconds\": 0",
                "\"consistency_level\": \"BOUNDED_STALENESS\"", "\"consistency_level\": \"EVENTUAL\", \"max_staleness_seconds\": 5"}) {
            Rest.Response r = rest.post(SOURCES, wbSource("notes_db", "notes", "notes", bad));
            assertThat(r.status()).as(bad).isEqualTo(400);
            assertThat(r.json().path("errors").toString()).as(bad).contains("max_staleness_seconds");
        }
        assertThat(rest.get(SOURCES + "/notes_db").status()).as("nothing was stored").isEqualTo(404);
        assertThat(rest.get(REGIONS + "/counters/dead-letters").status()).isEqualTo(200);
        assertThat(rest.get(REGIONS + "/notes/write-behind").status()).isEqualTo(200);

        // with writes pending, neither the source nor the region can be deleted by accident
        assertThat(rest.post(SOURCES, wbSource("notes_db", "notes", "notes", "")).status()).isEqualTo(201);
        pg.suspend();
        try {
            assertThat(rest.put(REGIONS + "/notes/entries/1", "{\"body\": \"kept\"}").status()).isEqualTo(201);
            Rest.Response delSource = rest.delete(SOURCES + "/notes_db");
            assertThat(delSource.status()).as(delSource.toString()).isEqualTo(409);
            assertThat(delSource.body()).contains("discard_pending");
            assertThat(rest.delete(REGIONS + "/notes").status()).isEqualTo(409);
            assertThat(rest.delete(REGIONS + "/notes?discard_pending=maybe").status()).isEqualTo(400);
        } finally {
            pg.resume();
        }
        awaitDrained("notes", Duration.ofSeconds(30));
        assertThat(count("SELECT count(*) FROM notes WHERE body = 'kept'")).isEqualTo(1);
        assertThat(rest.delete(SOURCES + "/notes_db").status()).isEqualTo(204);
        assertThat(rest.delete(REGIONS + "/notes").status()).isEqualTo(204);
        assertThat(rest.get(REGIONS + "/accounts/write-behind").status()).isEqualTo(200);
        Rest.Response notWb = rest.post(REGIONS, "{\"name\": \"plain\"}");
        assertThat(notWb.status()).isEqualTo(201);
        assertThat(rest.get(REGIONS + "/plain/dead-letters").status()).isEqualTo(400);
    }

    @Test
    @Order(4)
    void compositeKeysGoBehindAndComeBackFromTheDeadLetters() throws Exception {
        pg.execute("CREATE TABLE tenant_limits (tenant TEXT, id BIGINT, lim INT NOT NULL CHECK (lim <= 100), PRIMARY KEY (tenant, id))");
        assertThat(rest.post(REGIONS, """
                {"name": "tenant_limits", "cache_strategy": "WRITE_BEHIND", "key_fields": ["tenant", "id"],
                 "fields": {"tenant": "VARCHAR", "id": "BIGINT", "lim": "INT"}}""").status()).isEqualTo(201);
        assertThat(rest.post(SOURCES, wbSource("limits_db", "tenant_limits", "tenant_limits", "")).status()).isEqualTo(201);
        StringBuilder body = new StringBuilder("{\"entries\": {");
        for (int i = 0; i < 50; i++) {
            body.append(i == 0 ? "" : ",").append("\"t").append(i % 3).append(',').append(i).append("\": {\"lim\": ").append(i == 7 ? 500 : i).append('}');
        }
        assertThat(rest2.put(REGIONS + "/tenant_limits/entries", body.append("}}").toString()).status()).isEqualTo(200);
        awaitDrained("tenant_limits", Duration.ofSeconds(30));
        assertThat(count("SELECT count(*) FROM tenant_limits")).isEqualTo(49);
        JsonNode dl = rest.get(REGIONS + "/tenant_limits/dead-letters").json().path("dead_letters").get(0);
        assertThat(dl.path("key").asText()).isEqualTo("t1,7");
        pg.execute("ALTER TABLE tenant_limits DROP CONSTRAINT tenant_limits_lim_check"); // the database is fixed; retry
        assertThat(rest.post(REGIONS + "/tenant_limits/dead-letters/" + dl.path("id").asText() + "/retry", "").status()).isEqualTo(202);
        awaitDrained("tenant_limits", Duration.ofSeconds(30));
        Await.until(Duration.ofSeconds(10), "the retried row arrives", () -> {
            try {
                return count("SELECT count(*) FROM tenant_limits WHERE tenant = 't1' AND id = 7 AND lim = 500") == 1;
            } catch (Exception e) {
                return false;
            }
        });
        assertThat(rest.get(REGIONS + "/tenant_limits/dead-letters").json().path("count").asLong()).isZero();
        assertThat(rest2.get(REGIONS + "/tenant_limits/entries/t1,7").json().path("lim").asInt()).isEqualTo(500);
    }

    static String wbPatchRow(long id) throws Exception {
        try (Connection c = pg.connect(); ResultSet rs = c.createStatement().executeQuery("SELECT owner, n, note FROM wb_patch WHERE id = " + id)) {
            return rs.next() ? rs.getString(1) + "|" + rs.getObject(2) + "|" + rs.getString(3) : null;
        }
    }

    @Test
    @Order(5)
    void patchQueuesTheMergedRowSoTheDatabaseKeepsTheOtherColumns() throws Exception {
        pg.execute("CREATE TABLE wb_patch (id BIGINT PRIMARY KEY, owner TEXT NOT NULL, n INT, note TEXT)",
                "INSERT INTO wb_patch VALUES (1, 'alice', 1, 'first')");
        assertThat(rest.post(REGIONS, "{\"name\": \"wb_patch\", \"cache_strategy\": \"WRITE_BEHIND\", \"fields\": {\"id\": \"BIGINT\"}}")
                .status()).isEqualTo(201);
        Rest.Response reg = rest.post(SOURCES, wbSource("wb_patch_db", "wb_patch", "wb_patch", ""));
        assertThat(reg.status()).as(reg.toString()).isEqualTo(201);

        // in the database only: read through inside the PATCH's transaction, merged, queued whole
        Rest.Response merged = rest.patch(REGIONS + "/wb_patch/entries/1", "{\"n\": 2}");
        assertThat(merged.status()).as(merged.toString()).isEqualTo(200);
        assertThat(merged.json().path("owner").asText()).isEqualTo("alice");
        awaitDrained("wb_patch", Duration.ofSeconds(30));
        assertThat(wbPatchRow(1)).isEqualTo("alice|2|first");

        // from the other node, a null for one column
        assertThat(rest2.patch(REGIONS + "/wb_patch/entries/1", "{\"note\": null}").status()).isEqualTo(200);
        awaitDrained("wb_patch", Duration.ofSeconds(30));
        assertThat(wbPatchRow(1)).isEqualTo("alice|2|null");
        assertThat(rest.get(REGIONS + "/wb_patch/entries/1").json().path("n").asInt()).isEqualTo(2);

        assertThat(rest.patch(REGIONS + "/wb_patch/entries/2", "{\"n\": 2}").status()).isEqualTo(404);
        assertThat(writeBehind("wb_patch").path("pending").asLong()).isZero();
        assertThat(wbPatchRow(2)).isNull();
    }
}
