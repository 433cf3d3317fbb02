package io.dih.server.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dih.server.testing.Rest;
import io.dih.server.testing.TestingHubCluster;
import io.dih.testing.Await;
import io.dih.testing.TestingPostgresServer;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.ignite.Ignite;
import org.apache.ignite.transactions.Transaction;
import org.apache.ignite.transactions.TransactionConcurrency;
import org.apache.ignite.transactions.TransactionIsolation;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** POST /transactions against a real node, and real PostgreSQL behind WRITE_THROUGH and WRITE_BEHIND regions. */
class TransactionIT {
    static final String REGIONS = "/api/v1/dih/cache-regions";
    static final String SOURCES = "/api/v1/dih/data-sources";
    static final String TX = "/api/v1/dih/transactions";

    static TestingPostgresServer pg;
    static TestingHubCluster cluster;
    static Rest rest;

    @BeforeAll
    static void start() {
        pg = TestingPostgresServer.start();
        cluster = TestingHubCluster.start(1, t -> t.putObject("sync").putObject("write_behind").put("flush_delay_ms", 50));
        rest = new Rest(cluster.node(0).baseUrl());
        created(rest.post(REGIONS, """
                {"name": "accounts", "atomicity_mode": "TRANSACTIONAL", "key_fields": ["account_id"],
                 "fields": {"account_id": "VARCHAR", "owner": "VARCHAR", "currency": "VARCHAR", "balance": "DECIMAL", "version": "INT"}}"""));
        created(rest.post(REGIONS, "{\"name\": \"ledger\", \"fields\": {\"id\": \"BIGINT\", \"note\": \"VARCHAR\"}}"));
        created(rest.post(REGIONS, "{\"name\": \"atomic_things\", \"atomicity_mode\": \"ATOMIC\", \"fields\": {\"id\": \"BIGINT\"}}"));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
        if (pg != null) {
            pg.close();
        }
    }

    static void created(Rest.Response r) {
        assertThat(r.status()).as(r.toString()).isIn(200, 201);
    }

    static void account(String id, String balance) {
        created(rest.put(REGIONS + "/accounts/entries/" + id, "{\"owner\": \"o-" + id + "\", \"currency\": \"USD\", \"balance\": " + balance + ", \"version\": 1}"));
    }

    static BigDecimal balance(String id) {
        return rest.get(REGIONS + "/accounts/entries/" + id).json().path("balance").decimalValue();
    }

    static String inc(String key, String amount, String require) {
        return "{\"region\": \"accounts\", \"operation\": \"increment\", \"data\": {\"key\": \"" + key + "\", \"updates\": {\"balance\": " + amount + "}}"
                + (require == null ? "" : ", \"require\": " + require) + "}";
    }

    static Rest.Response tx(String isolation, String... ops) {
        return rest.post(TX, "{\"operations\": [" + String.join(",", ops) + "]" + (isolation == null ? "" : ", \"isolation\": \"" + isolation + "\"") + "}");
    }

    static void problem(Rest.Response r, int status, String... inDetail) {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        assertThat(r.contentType()).startsWith("application/problem+json");
        for (String s : inDetail) {
            assertThat(r.json().path("detail").asText() + " " + r.json().path("field").asText()).as(r.toString()).contains(s);
        }
    }

    @Test
    void theSeedTransferCommitsBothRowsAndAnswersBeforeAndAfter() {
        account("t1_a", "500.00");
        account("t1_b", "20.00");
        // the seed body as written, with update: sets the balances
        Rest.Response seed = rest.post(TX, """
                {"operations": [
                  {"region": "accounts", "operation": "update", "data": {"key": "t1_a", "updates": {"balance": -100.00}}},
                  {"region": "accounts", "operation": "update", "data": {"key": "t1_b", "updates": {"balance": 100.00}}}],
                 "isolation": "SERIALIZABLE", "timeout": 5000}""");
        assertThat(seed.status()).as(seed.toString()).isEqualTo(200);
        assertThat(balance("t1_a")).isEqualByComparingTo("-100.00");

        account("t1_a", "500.00");
        Rest.Response r = tx("REPEATABLE_READ", inc("t1_a", "-100.00", "{\"balance\": {\"min\": 0}}"), inc("t1_b", "100.00", null),
                "{\"region\": \"accounts\", \"operation\": \"get\", \"data\": {\"key\": \"t1_b\"}}");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        JsonNode body = r.json();
        assertThat(body.path("status").asText()).isEqualTo("COMMITTED");
        assertThat(body.path("isolation").asText()).isEqualTo("REPEATABLE_READ");
        JsonNode first = body.path("results").get(0);
        assertThat(first.path("index").asInt()).isZero();
        assertThat(first.path("region").asText()).isEqualTo("accounts");
        assertThat(first.path("operation").asText()).isEqualTo("increment");
        assertThat(first.path("key").asText()).isEqualTo("t1_a");
        assertThat(first.path("before").path("balance").decimalValue()).isEqualByComparingTo("500.00");
        assertThat(first.path("after").path("balance").decimalValue()).isEqualByComparingTo("400.00");
        assertThat(first.path("after").path("owner").asText()).isEqualTo("o-t1_a");
        assertThat(first.path("after")).isEqualTo(rest.get(REGIONS + "/accounts/entries/t1_a").json());
        assertThat(body.path("results").get(2).path("after").path("balance").decimalValue()).isEqualByComparingTo("200.00");
        assertThat(balance("t1_a")).isEqualByComparingTo("400.00");
        assertThat(balance("t1_b")).isEqualByComparingTo("200.00");

        // each level runs; READ_UNCOMMITTED runs as READ_COMMITTED
        for (String level : List.of("READ_COMMITTED", "SERIALIZABLE", "READ_UNCOMMITTED")) {
            Rest.Response each = tx(level, inc("t1_a", "-1", null), inc("t1_b", "1", null));
            assertThat(each.status()).as(each.toString()).isEqualTo(200);
            assertThat(each.json().path("isolation").asText()).isEqualTo(level.equals("READ_UNCOMMITTED") ? "READ_COMMITTED" : level);
        }
        assertThat(balance("t1_a")).isEqualByComparingTo("397.00");
        assertThat(balance("t1_b")).isEqualByComparingTo("203.00");
    }

    @Test
    void failedOperationsAndGuardsApplyNothing() {
        account("t2_a", "50.00");
        account("t2_b", "10.00");
        Rest.Response guard = tx("SERIALIZABLE", inc("t2_b", "80", null), inc("t2_a", "-80", "{\"balance\": {\"min\": 0}}"));
        problem(guard, 409, "operations[1]", "require balance min 0", "-30");
        assertThat(balance("t2_a")).isEqualByComparingTo("50.00");
        assertThat(balance("t2_b")).isEqualByComparingTo("10.00");

        problem(tx(null, inc("t2_a", "-1", null), "{\"region\": \"accounts\", \"operation\": \"insert\", \"data\": {\"key\": \"t2_b\", \"updates\": {\"balance\": 1}}}"),
                409, "operations[1]", "already exists");
        problem(tx(null, inc("t2_a", "-1", null), "{\"region\": \"accounts\", \"operation\": \"update\", \"data\": {\"key\": \"t2_nope\", \"updates\": {\"balance\": 1}}}"),
                404, "operations[1]", "t2_nope");
        problem(tx(null, inc("t2_a", "-1", null), "{\"region\": \"accounts\", \"operation\": \"delete\", \"data\": {\"key\": \"t2_nope\"}}"), 404, "operations[1]");
        problem(tx(null, inc("t2_a", "-1", null), "{\"region\": \"accounts\", \"operation\": \"get\", \"data\": {\"key\": \"t2_b\"}, \"require\": {\"currency\": {\"equals\": \"EUR\"}}}"),
                409, "operations[1]", "currency");
        assertThat(balance("t2_a")).isEqualByComparingTo("50.00");
        assertThat(balance("t2_b")).isEqualByComparingTo("10.00");

        // inserts, puts and deletes, each seeing the ones before it
        Rest.Response mixed = tx(null,
                "{\"region\": \"accounts\", \"operation\": \"insert\", \"data\": {\"key\": \"t2_c\", \"updates\": {\"owner\": \"c\", \"balance\": 5}}}",
                inc("t2_c", "2.5", "{\"balance\": {\"equals\": 7.5}}"),
                "{\"region\": \"ledger\", \"operation\": \"put\", \"data\": {\"key\": 1, \"updates\": {\"note\": \"opened t2_c\"}}}",
                "{\"region\": \"accounts\", \"operation\": \"delete\", \"data\": {\"key\": \"t2_b\"}}");
        assertThat(mixed.status()).as(mixed.toString()).isEqualTo(200);
        assertThat(mixed.json().path("results").get(0).path("before").isNull()).isTrue();
        assertThat(mixed.json().path("results").get(3).path("after").isNull()).isTrue();
        assertThat(balance("t2_c")).isEqualByComparingTo("7.5");
        assertThat(rest.get(REGIONS + "/ledger/entries/1").json().path("note").asText()).isEqualTo("opened t2_c");
        assertThat(rest.get(REGIONS + "/accounts/entries/t2_b").status()).isEqualTo(404);
    }

    @Test
    void badRequestsNameTheOperationAndChangeNothing() {
        account("t3_a", "5");
        problem(tx(null, inc("t3_a", "1", null), "{\"region\": \"atomic_things\", \"operation\": \"put\", \"data\": {\"key\": 1, \"updates\": {}}}"),
                400, "operations[1].region", "ATOMIC");
        problem(tx(null, inc("t3_a", "1", null), "{\"region\": \"nowhere\", \"operation\": \"get\", \"data\": {\"key\": 1}}"), 400, "operations[1].region", "nowhere");
        problem(tx(null, "{\"region\": \"accounts\", \"operation\": \"update\", \"data\": {\"key\": \"t3_a\", \"updates\": {\"colour\": \"red\"}}}"),
                400, "operations[0].data.updates.colour");
        problem(tx(null, "{\"region\": \"accounts\", \"operation\": \"increment\", \"data\": {\"key\": \"t3_a\", \"updates\": {\"owner\": 1}}}"),
                400, "operations[0].data.updates.owner");
        problem(tx(null, "{\"region\": \"ledger\", \"operation\": \"get\", \"data\": {\"key\": \"x\"}}"), 400, "operations[0].data.key");
        problem(tx(null, "{\"region\": \"accounts\", \"operation\": \"merge\", \"data\": {\"key\": \"t3_a\"}}"), 400, "operations[0].operation");
        problem(tx("SNAPSHOT", inc("t3_a", "1", null)), 400, "isolation");
        problem(tx(null, inc("t3_a", "1", "{\"balance\": {\"above\": 0}}")), 400, "operations[0].require.balance.above");
        problem(rest.post(TX, "{\"operations\": []}"), 400, "operations");
        problem(rest.post(TX, "{\"operations\": [" + inc("t3_a", "1", null) + "], \"timeout\": -5}"), 400, "timeout");
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 1001; i++) {
            many.add(inc("t3_a", "1", null));
        }
        problem(tx(null, many.toArray(String[]::new)), 400, "operations", "1000");
        assertThat(balance("t3_a")).isEqualByComparingTo("5");
    }

    @Test
    void aFullRegionRefusesNewKeysWith507AndNothingApplied() {
        created(rest.post(REGIONS, "{\"name\": \"small\", \"eviction_max_size\": 2, \"fields\": {\"id\": \"BIGINT\", \"n\": \"INT\"}}"));
        created(rest.put(REGIONS + "/small/entries/1", "{\"n\": 1}"));
        created(rest.put(REGIONS + "/small/entries/2", "{\"n\": 2}"));
        account("t8_a", "10");
        problem(tx(null, inc("t8_a", "-1", null), "{\"region\": \"small\", \"operation\": \"insert\", \"data\": {\"key\": \"3\", \"updates\": {\"n\": 3}}}"),
                507, "small");
        assertThat(balance("t8_a")).isEqualByComparingTo("10");
        Rest.Response overwrite = tx(null, "{\"region\": \"small\", \"operation\": \"put\", \"data\": {\"key\": \"2\", \"updates\": {\"n\": 20}}}");
        assertThat(overwrite.status()).as("overwrites fit: " + overwrite).isEqualTo(200);
    }

    @Test
    void theRouteIsInTheOpenApiDocument() {
        JsonNode post = rest.get("/api/v1/dih/openapi.json").json().path("paths").path(TX).path("post");
        assertThat(post.path("description").asText()).contains("SERIALIZABLE", "READ_UNCOMMITTED runs as READ_COMMITTED");
        for (String status : List.of("200", "400", "404", "408", "409", "422", "503")) {
            assertThat(post.path("responses").has(status)).as(status).isTrue();
        }
        assertThat(rest.get(TX).status()).isEqualTo(405);
    }

    @Test
    void aLockedRowTimesOutWith408AndNothingApplied() throws Exception {
        account("t4_a", "100");
        account("t4_b", "100");
        Ignite ignite = cluster.node(0).ignite();
        CountDownLatch locked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread holder = new Thread(() -> {
            try (Transaction t = ignite.transactions().txStart(TransactionConcurrency.PESSIMISTIC, TransactionIsolation.REPEATABLE_READ)) {
                ignite.cache("accounts").withKeepBinary().get("t4_b");
                locked.countDown();
                release.await(60, TimeUnit.SECONDS);
                t.rollback();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "lock-holder");
        holder.start();
        try {
            assertThat(locked.await(30, TimeUnit.SECONDS)).as("the holder locked t4_b").isTrue();
            for (String level : List.of("REPEATABLE_READ", "READ_COMMITTED", "SERIALIZABLE")) {
                Rest.Response r = rest.post(TX, "{\"operations\": [" + inc("t4_a", "-10", null) + "," + inc("t4_b", "10", null)
                        + "], \"isolation\": \"" + level + "\", \"timeout\": 500}");
                if (level.equals("SERIALIZABLE")) {
                    // optimistic: the commit finds the row locked and is retried until the timeout or the retry bound
                    assertThat(r.status()).as(r.toString()).isIn(408, 409);
                } else {
                    problem(r, 408, "500 ms");
                }
            }
        } finally {
            release.countDown();
            holder.join(30_000);
        }
        assertThat(balance("t4_a")).isEqualByComparingTo("100");
        assertThat(balance("t4_b")).isEqualByComparingTo("100");
        Rest.Response after = tx(null, inc("t4_a", "-10", null), inc("t4_b", "10", null));
        assertThat(after.status()).as("the lock is gone: " + after).isEqualTo(200);
    }

    @Test
    void readCommittedIncrementsLoseNoUpdate() throws Exception {
        account("t5_a", "0");
        List<Thread> threads = new ArrayList<>();
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < 4; t++) {
            Thread th = new Thread(() -> {
                for (int i = 0; i < 25; i++) {
                    Rest.Response r = tx("READ_COMMITTED", inc("t5_a", "1", null));
                    if (r.status() != 200) {
                        failures.add(r.toString());
                    }
                }
            });
            th.start();
            threads.add(th);
        }
        for (Thread th : threads) {
            th.join(120_000);
        }
        assertThat(failures).isEmpty();
        assertThat(balance("t5_a")).isEqualByComparingTo("100");
    }

    static BigDecimal dbBalance(long id) throws Exception {
        try (Connection c = pg.connect(); ResultSet rs = c.createStatement().executeQuery("SELECT balance FROM wt_accounts WHERE id = " + id)) {
            return rs.next() ? rs.getBigDecimal(1) : null;
        }
    }

    static String source(String name, String region, String table) {
        return """
                {"source_name": "%s", "source_type": "postgresql", "sync_mode": "NONE", "consistency_level": "STRONG",
                 "connection_params": {"host": "127.0.0.1", "port": %d, "database": "%s", "user": "%s", "password": "%s",
                                       "connect_timeout_seconds": 2},
                 "target_regions": ["%s"], "bindings": {"%s": {"table": "%s"}}}"""
                .formatted(name, pg.port(), pg.database(), pg.user(), pg.password(), region, region, table);
    }

    @Test
    void aWriteThroughRefusalRollsBackEverythingAnd422() throws Exception {
        pg.execute("CREATE TABLE wt_accounts (id BIGINT PRIMARY KEY, owner TEXT, balance NUMERIC(12,2) CHECK (balance >= 0))",
                "INSERT INTO wt_accounts VALUES (1, 'alice', 100.00), (2, 'bob', 5.00)");
        created(rest.post(REGIONS, "{\"name\": \"wt_accounts\", \"cache_strategy\": \"WRITE_THROUGH\", \"fields\": {\"id\": \"BIGINT\"}}"));
        created(rest.post(SOURCES, source("wt_db", "wt_accounts", "wt_accounts")));
        account("t6_a", "70");

        // committed: both the hub and PostgreSQL have the rows (2 is read through from the database first)
        Rest.Response ok = tx(null, inc("t6_a", "-5", null),
                "{\"region\": \"wt_accounts\", \"operation\": \"increment\", \"data\": {\"key\": \"2\", \"updates\": {\"balance\": 5}}}");
        assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
        assertThat(ok.json().path("results").get(1).path("before").path("owner").asText()).isEqualTo("bob");
        assertThat(dbBalance(2)).isEqualByComparingTo("10.00");
        for (String level : List.of("READ_COMMITTED", "SERIALIZABLE")) {
            Rest.Response each = tx(level, inc("t6_a", "-1", null),
                    "{\"region\": \"wt_accounts\", \"operation\": \"increment\", \"data\": {\"key\": \"2\", \"updates\": {\"balance\": 1}}}");
            assertThat(each.status()).as(level + ": " + each).isEqualTo(200);
        }
        assertThat(dbBalance(2)).isEqualByComparingTo("12.00");

        // the database refuses the row for 1 (CHECK balance >= 0): 422, nothing anywhere, at every level
        for (String level : List.of("REPEATABLE_READ", "READ_COMMITTED", "SERIALIZABLE")) {
            Rest.Response refused = tx(level, inc("t6_a", "-5", null),
                    "{\"region\": \"wt_accounts\", \"operation\": \"increment\", \"data\": {\"key\": \"2\", \"updates\": {\"balance\": 1}}}",
                    "{\"region\": \"wt_accounts\", \"operation\": \"update\", \"data\": {\"key\": \"1\", \"updates\": {\"balance\": -1}}}");
            problem(refused, 422);
            assertThat(refused.body()).doesNotContain(pg.password());
            assertThat(balance("t6_a")).as(level).isEqualByComparingTo("63");
            assertThat(dbBalance(1)).as(level).isEqualByComparingTo("100.00");
            assertThat(dbBalance(2)).as(level).isEqualByComparingTo("12.00");
            assertThat(rest.get(REGIONS + "/wt_accounts/entries/1").json().path("balance").decimalValue()).as(level).isEqualByComparingTo("100.00");
            assertThat(rest.get(REGIONS + "/wt_accounts/entries/2").json().path("balance").decimalValue()).as(level).isEqualByComparingTo("12.00");
        }
    }

    @Test
    void writeBehindRowsAreQueuedInTheSameCommit() throws Exception {
        pg.execute("CREATE TABLE wb_notes (id BIGINT PRIMARY KEY, note TEXT)");
        created(rest.post(REGIONS, "{\"name\": \"wb_notes\", \"cache_strategy\": \"WRITE_BEHIND\", \"fields\": {\"id\": \"BIGINT\", \"note\": \"VARCHAR\"}}"));
        created(rest.post(SOURCES, source("wb_db", "wb_notes", "wb_notes").replace("\"STRONG\"", "\"EVENTUAL\"")));
        account("t7_a", "1");
        Rest.Response r = tx(null, inc("t7_a", "1", null),
                "{\"region\": \"wb_notes\", \"operation\": \"insert\", \"data\": {\"key\": \"7\", \"updates\": {\"note\": \"queued\"}}}");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        Await.until(Duration.ofSeconds(30), "the queued insert reaches PostgreSQL", () -> {
            try (Connection c = pg.connect(); ResultSet rs = c.createStatement().executeQuery("SELECT note FROM wb_notes WHERE id = 7")) {
                return rs.next() && "queued".equals(rs.getString(1));
            } catch (Exception e) {
                return false;
            }
        });
        // a failed guard queues nothing either
        problem(tx(null, "{\"region\": \"wb_notes\", \"operation\": \"update\", \"data\": {\"key\": \"7\", \"updates\": {\"note\": \"never\"}}}",
                inc("t7_a", "-5", "{\"balance\": {\"min\": 0}}")), 409, "operations[1]");
        assertThat(rest.get(REGIONS + "/wb_notes/write-behind").json().path("pending").asLong()).isZero();
        assertThat(rest.get(REGIONS + "/wb_notes/entries/7").json().path("note").asText()).isEqualTo("queued");
    }
}
