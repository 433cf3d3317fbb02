package io.dih.server.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dih.server.testing.Rest;
import io.dih.testing.Await;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The consistency levels of seed 004, each against a real PostgreSQL of this class's own (suspended for outages) and a
 * two-node hub: STRONG commits a batch with the database or not at all; SESSION reads its own writes while they are
 * still on their way to the database; BOUNDED_STALENESS turns degraded past its bound and recovers, and reloads a
 * LOAD source before the bound is reached. (EVENTUAL, durable write-behind, is {@link WriteBehindIT}.)
 */
class ConsistencyIT extends SyncFixture {
    @Test
    void strongCommitsABatchWithTheDatabaseOrNotAtAll() throws Exception {
        pg.execute("CREATE TABLE strong_accounts (id BIGINT PRIMARY KEY, balance NUMERIC(12,2) NOT NULL CHECK (balance >= 0))",
                "INSERT INTO strong_accounts VALUES (1, 10)");
        assertThat(rest.post(REGIONS, "{\"name\": \"strong_accounts\", \"cache_strategy\": \"WRITE_THROUGH\", \"fields\": {\"id\": \"BIGINT\"}}")
                .status()).isEqualTo(201);
        Rest.Response reg = rest.post(SOURCES, source("strong_db", "strong_accounts", "strong_accounts",
                "\"sync_mode\": \"LOAD\", \"consistency_level\": \"STRONG\","));
        assertThat(reg.status()).as(reg.toString()).isEqualTo(201);
        Await.until(Duration.ofSeconds(20), "the first load", () -> rest.get(REGIONS + "/strong_accounts/entries/1").status() == 200);

        // one row of the batch breaks a constraint: the database refuses the batch, and so does the hub
        Rest.Response refused = rest.put(REGIONS + "/strong_accounts/entries",
                "{\"entries\": {\"1\": {\"balance\": 5}, \"2\": {\"balance\": 20}, \"3\": {\"balance\": -1}}}");
        assertThat(refused.status()).as(refused.toString()).isEqualTo(422);
        assertThat(rest2.get(REGIONS + "/strong_accounts/entries/1").json().path("balance").decimalValue()).isEqualByComparingTo("10");
        assertThat(rest2.get(REGIONS + "/strong_accounts/entries/2").status()).isEqualTo(404);
        assertThat(count("SELECT count(*) FROM strong_accounts")).isEqualTo(1);
        assertThat(count("SELECT count(*) FROM strong_accounts WHERE balance = 10")).isEqualTo(1);

        // a good batch commits on both sides before the hub answers
        assertThat(rest.put(REGIONS + "/strong_accounts/entries", "{\"entries\": {\"1\": {\"balance\": 5}, \"2\": {\"balance\": 20}}}")
                .status()).isEqualTo(200);
        assertThat(count("SELECT count(*) FROM strong_accounts WHERE (id = 1 AND balance = 5) OR (id = 2 AND balance = 20)")).isEqualTo(2);

        // the database is down: the write fails, nothing changes in the hub
        pg.suspend();
        try {
            assertThat(rest.put(REGIONS + "/strong_accounts/entries/1", "{\"balance\": 7}").status()).isEqualTo(503);
            assertThat(rest2.get(REGIONS + "/strong_accounts/entries/1").json().path("balance").decimalValue()).isEqualByComparingTo("5");
        } finally {
            pg.resume();
        }
        assertThat(rest.get(SOURCES + "/strong_db/status").json().path("consistency_level").asText()).isEqualTo("STRONG");
    }

    @Test
    void sessionReadsItsOwnWritesWhileTheyAreOnTheirWayToTheDatabase() throws Exception {
        pg.execute("CREATE TABLE profiles (id BIGINT PRIMARY KEY, name TEXT)", "INSERT INTO profiles VALUES (100, 'from-db')");
        assertThat(rest.post(REGIONS, """
                {"name": "profiles", "cache_strategy": "WRITE_BEHIND", "expiry_policy": {"create": 2}, "fields": {"id": "BIGINT"}}""")
                .status()).isEqualTo(201);
        assertThat(rest.post(SOURCES, source("profile_db", "profiles", "profiles", "\"sync_mode\": \"NONE\", \"consistency_level\": \"SESSION\","))
                .status()).isEqualTo(201);

        Rest.Response first = rest.put(REGIONS + "/profiles/entries/1", "{\"name\": \"mine\"}");
        assertThat(first.status()).isEqualTo(201);
        String token = first.header("X-DIH-Session");
        assertThat(token).as("a SESSION region hands out a session token").isNotBlank();
        Rest session = rest.withHeader("X-DIH-Session", token);
        Rest session2 = rest2.withHeader("X-DIH-Session", token);
        assertThat(session.get(REGIONS + "/profiles/entries/1").header("X-DIH-Session")).isEqualTo(token);

        pg.suspend();
        try {
            assertThat(session.put(REGIONS + "/profiles/entries/1", "{\"name\": \"mine-2\"}").status()).isIn(200, 201); // 201: expired
            assertThat(session.put(REGIONS + "/profiles/entries/2", "{\"name\": \"two\"}").status()).isEqualTo(201);
            Thread.sleep(3000); // the entries expire (2 s) while their writes cannot reach the database
            Rest.Response own = session2.get(REGIONS + "/profiles/entries/1");
            assertThat(own.status()).as(own.toString()).isEqualTo(200);
            assertThat(own.json().path("name").asText()).as("the session reads its own write, from another node: " + own).isEqualTo("mine-2");
            assertThat(rest2.get(REGIONS + "/profiles/entries/100").status()).as("a key only the database has needs the database").isEqualTo(503);
            // a batch get of keys whose writes are pending is answered from the queue too, without the database
            Rest.Response both = session2.post(REGIONS + "/profiles/entries/batch-get", "{\"keys\": [\"1\", \"2\"]}");
            assertThat(both.status()).as(both.toString()).isEqualTo(200);
            assertThat(both.json().path("entries").path("1").path("name").asText()).isEqualTo("mine-2");
            assertThat(both.json().path("entries").path("2").path("name").asText()).isEqualTo("two");
            assertThat(session.delete(REGIONS + "/profiles/entries/1").status()).isEqualTo(204);
            assertThat(session2.get(REGIONS + "/profiles/entries/1").status()).as("its own delete too").isEqualTo(404);
            Rest.Response afterDelete = session2.post(REGIONS + "/profiles/entries/batch-get", "{\"keys\": [\"1\", \"2\"]}");
            assertThat(afterDelete.status()).as(afterDelete.toString()).isEqualTo(200);
            assertThat(afterDelete.json().path("missing").toString()).as("a pending delete is a miss").isEqualTo("[\"1\"]");
            assertThat(afterDelete.json().path("entries").has("2")).isTrue();
            assertThat(session.put(REGIONS + "/profiles/entries/1", "{\"name\": \"mine-3\"}").status()).isEqualTo(201);
        } finally {
            pg.resume();
        }
        Await.until(Duration.ofSeconds(30), "the write reaches the database", () -> {
            try {
                return count("SELECT count(*) FROM profiles WHERE id = 1 AND name = 'mine-3'") == 1;
            } catch (Exception e) {
                return false;
            }
        });
        assertThat(rest2.get(REGIONS + "/profiles/entries/100").json().path("name").asText()).isEqualTo("from-db");
        Rest.Response badToken = rest.withHeader("X-DIH-Session", "not a token!").get(REGIONS + "/profiles/entries/1");
        assertThat(badToken.status()).isEqualTo(400);
        assertThat(badToken.body()).contains("X-DIH-Session");

        // transactions too: a write to the SESSION region hands out a token, a read-only one does not, a sent one is echoed
        String tx = "{\"operations\": [{\"region\": \"profiles\", \"operation\": \"%s\", \"data\": {\"key\": 1%s}}]}";
        Rest.Response wrote = rest.post("/api/v1/dih/transactions", tx.formatted("update", ", \"updates\": {\"name\": \"tx\"}"));
        assertThat(wrote.status()).as(wrote.toString()).isEqualTo(200);
        assertThat(wrote.header("X-DIH-Session")).as(wrote.toString()).isNotBlank().isNotEqualTo(token);
        Rest.Response read = rest.post("/api/v1/dih/transactions", tx.formatted("get", ""));
        assertThat(read.status()).as(read.toString()).isEqualTo(200);
        assertThat(read.header("X-DIH-Session")).isNull();
        assertThat(session.post("/api/v1/dih/transactions", tx.formatted("get", "")).header("X-DIH-Session")).isEqualTo(token);
    }

    @Test
    void boundedStalenessTurnsDegradedPastItsBoundAndRecovers() throws Exception {
        pg.execute("CREATE TABLE readings (id BIGINT PRIMARY KEY, v DOUBLE PRECISION)");
        assertThat(rest.post(REGIONS, "{\"name\": \"readings\", \"cache_strategy\": \"WRITE_BEHIND\", \"fields\": {\"id\": \"BIGINT\"}}")
                .status()).isEqualTo(201);
        assertThat(rest.post(SOURCES, source("reading_db", "readings", "readings",
                "\"sync_mode\": \"NONE\", \"consistency_level\": \"BOUNDED_STALENESS\", \"max_staleness_seconds\": 3,")).status()).isEqualTo(201);
        assertThat(rest.put(REGIONS + "/readings/entries/1", "{\"v\": 1.5}").status()).isEqualTo(201);
        Await.until(Duration.ofSeconds(20), "the write arrives", () -> {
            try {
                return count("SELECT count(*) FROM readings") == 1;
            } catch (Exception e) {
                return false;
            }
        });
        JsonNode fresh = rest.get(SOURCES + "/reading_db/status").json();
        assertThat(fresh.path("state").asText()).isNotEqualTo("DEGRADED");
        assertThat(fresh.path("staleness").path("max_staleness_seconds").asLong()).isEqualTo(3);
        assertThat(fresh.path("staleness").path("degraded").asBoolean()).isFalse();

        pg.suspend();
        try {
            assertThat(rest.put(REGIONS + "/readings/entries/2", "{\"v\": 2.5}").status()).isEqualTo(201);
            Await.until(Duration.ofSeconds(20), "the source turns degraded",
                    () -> "DEGRADED".equals(rest2.get(SOURCES + "/reading_db/status").json().path("state").asText()));
            JsonNode st = rest2.get(SOURCES + "/reading_db/status").json().path("staleness");
            assertThat(st.path("degraded").asBoolean()).isTrue();
            assertThat(st.path("lag_seconds").asDouble()).isGreaterThan(3);
            assertThat(st.path("cause").asText()).contains("pending");
            JsonNode health = rest.get("/api/v1/dih/health").json();
            assertThat(health.path("status").asText()).isEqualTo("degraded");
            assertThat(health.path("degraded_sources").has("reading_db")).isTrue();
        } finally {
            pg.resume();
        }
        Await.until(Duration.ofSeconds(30), "the source catches up",
                () -> !"DEGRADED".equals(rest.get(SOURCES + "/reading_db/status").json().path("state").asText()));
        assertThat(count("SELECT count(*) FROM readings")).isEqualTo(2);
        Await.until(Duration.ofSeconds(10), "health is ready again",
                () -> "ready".equals(rest.get("/api/v1/dih/health").json().path("status").asText()));
    }

    @Test
    void boundedStalenessReloadsALoadSourceBeforeItsBound() throws Exception {
        pg.execute("CREATE TABLE rates (code TEXT PRIMARY KEY, rate NUMERIC(10,4))", "INSERT INTO rates VALUES ('EUR', 1.0)");
        assertThat(rest.post(REGIONS, "{\"name\": \"rates\", \"key_fields\": [\"code\"]}").status()).isEqualTo(201);
        Rest.Response reg = rest.post(SOURCES, source("rate_db", "rates", "rates",
                "\"consistency_level\": \"BOUNDED_STALENESS\", \"max_staleness_seconds\": 4,"));
        assertThat(reg.status()).as(reg.toString()).isEqualTo(201);
        Await.until(Duration.ofSeconds(20), "the first load", () -> rest.get(REGIONS + "/rates/entries/EUR").status() == 200);
        pg.execute("INSERT INTO rates VALUES ('USD', 1.08)");
        // no schedule and no sync call: the bound alone brings the new row in
        Await.until(Duration.ofSeconds(20), "a reload within the bound", () -> rest2.get(REGIONS + "/rates/entries/USD").status() == 200);
        JsonNode st = rest.get(SOURCES + "/rate_db/status").json();
        assertThat(st.path("staleness").path("lag_seconds").asDouble()).isLessThan(4);
        Rest.Response tooRare = rest.post(SOURCES, source("rate_db2", "rates", "rates",
                "\"sync_interval_seconds\": 60, \"consistency_level\": \"BOUNDED_STALENESS\", \"max_staleness_seconds\": 10,"));
        assertThat(tooRare.status()).isEqualTo(400);
        assertThat(tooRare.body()).contains("max_staleness_seconds");
    }
}
