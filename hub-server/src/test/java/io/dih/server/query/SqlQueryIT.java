package io.dih.server.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dih.server.node.HubNode;
import io.dih.server.testing.Rest;
import io.dih.server.testing.TestingHubCluster;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.ignite.cache.query.FieldsQueryCursor;
import org.apache.ignite.internal.processors.cache.query.IgniteQueryErrorCode;
import org.apache.ignite.internal.processors.query.GridQueryCancel;
import org.apache.ignite.internal.processors.query.IgniteSQLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** SQL over REST on one real node: binding, paging, cursors, refusals, errors, timeouts, DML, value types. */
class SqlQueryIT {
    static final String SQL = "/api/v1/dih/sql-query";
    static final String REGIONS = "/api/v1/dih/cache-regions";
    static final ObjectMapper JSON = new ObjectMapper();
    static final int BIG = 10_000;

    static TestingHubCluster cluster;
    static HubNode node;
    static Rest rest;

    @BeforeAll
    static void start() {
        cluster = TestingHubCluster.start(1, tree -> tree.putObject("query").put("max_open_cursors", 20));
        node = cluster.node(0);
        rest = new Rest(node.baseUrl());
        created(rest.post(REGIONS, """
                {"name": "sq_items", "key_fields": ["id"],
                 "fields": {"id": "BIGINT", "name": "VARCHAR", "tier": "VARCHAR", "price": "DECIMAL", "seen_at": "TIMESTAMP",
                            "born": "DATE", "token": "UUID", "blob": "BINARY"}}"""));
        created(rest.post(REGIONS, """
                {"name": "sq_big", "key_fields": ["id"], "fields": {"id": "BIGINT", "grp": "INT"}}"""));
        created(rest.post(REGIONS, """
                {"name": "asset_metadata", "key_fields": ["asset_id"],
                 "fields": {"asset_id": "VARCHAR", "asset_type": "VARCHAR", "created_at": "TIMESTAMP"}}"""));
        ok(rest.put(REGIONS + "/sq_items/entries", """
                {"entries": {
                  "1": {"name": "Ann", "tier": "gold", "price": 1, "seen_at": "2024-05-01T10:15:30Z",
                        "born": "1990-02-03", "token": "6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b", "blob": "AQID"},
                  "2": {"name": "Bob", "tier": "silver", "price": 0.10},
                  "3": {"name": "Cid", "tier": "gold", "price": 3}}}"""));
        for (int batch = 0; batch < BIG / 1000; batch++) {
            ObjectNode entries = JSON.createObjectNode();
            for (int i = 1; i <= 1000; i++) {
                int id = batch * 1000 + i;
                entries.putObject(String.valueOf(id)).put("grp", id % 7);
            }
            ObjectNode body = JSON.createObjectNode();
            body.set("entries", entries);
            ok(rest.put(REGIONS + "/sq_big/entries", body.toString()));
        }
        // exact decimals through a bound parameter: more digits than a double holds, the trailing zero kept
        query("UPDATE sq_items SET price = ? WHERE id = 1", "12345678901234567890.10");
        ok(rest.put(REGIONS + "/asset_metadata/entries", """
                {"entries": {"a1": {"asset_type": "model", "created_at": "2024-03-01T00:00:00Z"},
                             "a2": {"asset_type": "model", "created_at": "2023-06-01T00:00:00Z"},
                             "a3": {"asset_type": "dataset", "created_at": "2024-04-01T00:00:00Z"}}}"""));
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void seedBodyAsWritten() {
        Rest.Response r = rest.post(SQL, """
                {
                    "query": "SELECT * FROM asset_metadata WHERE asset_type = ? AND created_at > ?",
                    "params": ["model", "2024-01-01"],
                    "page_size": 1000
                }""");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        JsonNode b = r.json();
        assertThat(b.path("columns").toString()).isEqualTo(
                "[{\"name\":\"ASSET_ID\",\"type\":\"VARCHAR\"},{\"name\":\"ASSET_TYPE\",\"type\":\"VARCHAR\"},{\"name\":\"CREATED_AT\",\"type\":\"TIMESTAMP\"}]");
        assertThat(b.path("rows").toString()).isEqualTo("[[\"a1\",\"model\",\"2024-03-01T00:00:00Z\"]]");
        assertThat(b.has("next_page")).isTrue();
        assertThat(b.path("next_page").isNull()).isTrue();
    }

    @Test
    void selectWithParams() {
        JsonNode b = query("SELECT id, name FROM sq_items WHERE tier = ? AND id >= ? ORDER BY id", "\"gold\"", "1");
        assertThat(b.path("rows").toString()).isEqualTo("[[1,\"Ann\"],[3,\"Cid\"]]");
        assertThat(b.path("columns").toString()).isEqualTo("[{\"name\":\"ID\",\"type\":\"BIGINT\"},{\"name\":\"NAME\",\"type\":\"VARCHAR\"}]");
    }

    @Test
    void valuesAsJsonOfTheirTypes() {
        Rest.Response r = post("{\"query\": \"SELECT price, seen_at, born, token, blob, price * 3, CAST(? AS DECIMAL(30,2)) + price "
                + "FROM sq_items WHERE id = 1\", \"params\": [0.01]}");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        // decimals exact: more digits than a double holds, trailing zeros kept, no exponent
        assertThat(r.body()).contains("[[12345678901234567890.10,\"2024-05-01T10:15:30Z\",\"1990-02-03\","
                + "\"6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b\",\"AQID\",37037036703703703670.30,12345678901234567890.11]]");
        assertThat(r.json().path("columns").findValuesAsText("type"))
                .containsExactly("DECIMAL", "TIMESTAMP", "DATE", "UUID", "BINARY", "DECIMAL", "DECIMAL");
    }

    @Test
    void injectionPayloadsAreOnlyValues() {
        List<String> payloads = List.of("x' OR '1'='1", "' OR 1=1 --", "'; DROP TABLE sq_items;--", "Ann'/* */ OR /* */'1'='1",
                "Ann' -- ", "*/ OR 1=1 /*", "Annʼ OR ʼ1ʼ=ʼ1", "Ann’ OR ’1’=’1", "Ann\\' OR 1=1 --", "1; DELETE FROM sq_items");
        String before = query("SELECT * FROM sq_items ORDER BY id").path("rows").toString();
        for (String p : payloads) {
            String param = JSON.valueToTree(p).toString();
            assertThat(query("SELECT id FROM sq_items WHERE name = ?", param).path("rows").size()).as(p).isZero();
            assertThat(query("SELECT id FROM sq_items WHERE name = ? OR tier = ?", param, param).path("rows").size()).as(p).isZero();
            assertThat(query("SELECT id FROM sq_items WHERE name LIKE ?", param).path("rows").size()).as(p).isZero();
            assertThat(query("DELETE FROM sq_items WHERE name = ?", param).path("updated").asLong()).as(p).isZero();
            assertThat(query("UPDATE sq_items SET tier = 'x' WHERE tier = ?", param).path("updated").asLong()).as(p).isZero();
        }
        assertThat(query("SELECT * FROM sq_items ORDER BY id").path("rows").toString()).isEqualTo(before);
        assertThat(query("SELECT COUNT(*) FROM sq_big").path("rows").get(0).get(0).asLong()).isEqualTo(BIG);
    }

    @Test
    void pagesThroughTenThousandRowsWithNoneLostOrRepeated() {
        JsonNode b = query("{\"query\": \"SELECT id, grp FROM sq_big\", \"page_size\": 1000}");
        Set<Long> seen = new HashSet<>();
        int rows = 0;
        int pages = 0;
        String last = null;
        while (true) {
            pages++;
            assertThat(pages).as("pages never end").isLessThanOrEqualTo(BIG / 1000 + 1);
            assertThat(b.path("columns").toString()).isEqualTo("[{\"name\":\"ID\",\"type\":\"BIGINT\"},{\"name\":\"GRP\",\"type\":\"INT\"}]");
            for (JsonNode row : b.path("rows")) {
                rows++;
                seen.add(row.get(0).asLong());
                assertThat(row.get(1).asInt()).isEqualTo(row.get(0).asLong() % 7);
            }
            if (b.path("next_page").isNull()) {
                break;
            }
            assertThat(b.path("rows").size()).isEqualTo(1000);
            last = b.path("next_page").asText();
            assertThat(last).matches("[A-Za-z0-9_-]{32}");
            Rest.Response r = rest.get(SQL + "/pages/" + last);
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            b = r.json();
        }
        assertThat(rows).isEqualTo(BIG);
        Set<Long> expected = new HashSet<>();
        for (long i = 1; i <= BIG; i++) {
            expected.add(i);
        }
        assertThat(seen).isEqualTo(expected);
        // the cursor closed with the last page
        assertThat(rest.get(SQL + "/pages/" + last).status()).isEqualTo(404);
    }

    @Test
    void deletedCursorIsGone() {
        JsonNode b = query("{\"query\": \"SELECT id FROM sq_big ORDER BY id\", \"page_size\": 10}");
        assertThat(b.path("rows").get(0).get(0).asLong()).isEqualTo(1);
        String token = b.path("next_page").asText();
        Rest.Response second = rest.get(SQL + "/pages/" + token);
        assertThat(second.json().path("rows").get(0).get(0).asLong()).isEqualTo(11);
        assertThat(second.json().path("next_page").asText()).isEqualTo(token);
        assertThat(rest.delete(SQL + "/pages/" + token).status()).isEqualTo(204);
        Rest.Response gone = rest.get(SQL + "/pages/" + token);
        assertThat(gone.status()).isEqualTo(404);
        assertThat(gone.contentType()).startsWith("application/problem+json");
        assertThat(gone.json().path("detail").asText()).contains("no open SQL cursor");
        assertThat(rest.delete(SQL + "/pages/" + token).status()).isEqualTo(404);
        assertThat(rest.get(SQL + "/pages/nosuchtoken").status()).isEqualTo(404);
    }

    @Test
    void cursorsAreBoundedPerNode() {
        List<String> tokens = new ArrayList<>();
        try {
            assertThat(node.sql().cursors().maxOpen()).as("query.max_open_cursors").isEqualTo(20);
            int room = node.sql().cursors().maxOpen() - node.sql().cursors().open();
            for (int i = 0; i < room; i++) {
                JsonNode b = query("{\"query\": \"SELECT id FROM sq_items\", \"page_size\": 1}");
                tokens.add(b.path("next_page").asText());
            }
            Rest.Response full = post("{\"query\": \"SELECT id FROM sq_items\", \"page_size\": 1}");
            assertThat(full.status()).as(full.toString()).isEqualTo(503);
            assertThat(full.json().path("detail").asText()).contains("SQL cursors open, its limit");
            java.util.regex.Matcher gauge = java.util.regex.Pattern.compile("(?m)^dih_sql_open_cursors\\{[^}]*} ([0-9.]+)$")
                    .matcher(rest.get("/api/v1/dih/metrics").body());
            assertThat(gauge.find()).as("the open-cursor gauge is scraped").isTrue();
            assertThat(Double.parseDouble(gauge.group(1))).isEqualTo(node.sql().cursors().maxOpen());
            // a query that needs no cursor is refused too: the limit is checked before anything runs
            assertThat(rest.delete(SQL + "/pages/" + tokens.remove(0)).status()).isEqualTo(204);
            Rest.Response again = post("{\"query\": \"SELECT id FROM sq_items\", \"page_size\": 1}");
            assertThat(again.status()).as(again.toString()).isEqualTo(200);
            tokens.add(again.json().path("next_page").asText());
        } finally {
            tokens.forEach(t -> rest.delete(SQL + "/pages/" + t));
        }
        assertThat(node.sql().cursors().open()).isZero();
    }

    @Test
    void ddlIsRefused() {
        for (String ddl : List.of("CREATE TABLE t2 (id INT PRIMARY KEY, v VARCHAR)", "DROP TABLE sq_items",
                "ALTER TABLE sq_items ADD COLUMN extra VARCHAR", "TRUNCATE TABLE sq_items", "  /* hi */ drop table sq_items",
                "CREATE INDEX sq_i ON sq_items (name)")) {
            Rest.Response r = post(body(ddl));
            assertThat(r.status()).as(ddl + " -> " + r).isEqualTo(400);
            assertThat(r.json().path("field").asText()).isEqualTo("query");
            assertThat(r.json().path("detail").asText()).contains("regions API");
        }
        assertThat(query("SELECT COUNT(*) FROM sq_items").path("rows").get(0).get(0).asLong()).isEqualTo(3);
    }

    @Test
    void oneStatementPerRequest() {
        for (String sql : List.of("SELECT 1; SELECT 2", "SELECT id FROM sq_items; DROP TABLE sq_items", "SELECT 1;DELETE FROM sq_items",
                "SELECT 1; -- c\n SELECT 2")) {
            Rest.Response r = post(body(sql));
            assertThat(r.status()).as(sql + " -> " + r).isEqualTo(400);
            assertThat(r.json().path("detail").asText()).contains("several statements");
        }
        assertThat(query("SELECT COUNT(*) FROM sq_items").path("rows").get(0).get(0).asLong()).isEqualTo(3);
        // a semicolon inside a literal, a quoted name or a comment is no statement; a trailing one is allowed
        assertThat(query("SELECT ';' AS \"a;b\" /* ; */ FROM sq_items WHERE id = 1 -- ;\n;").path("rows").toString()).isEqualTo("[[\";\"]]");
    }

    @Test
    void syntaxErrorIs400WithPosition() {
        Rest.Response r = post(body("SELECT id FROM sq_items WHERE id = = 1"));
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.json().path("field").asText()).isEqualTo("query");
        assertThat(r.json().path("detail").asText()).contains("the parser stopped at position 37 (line 1, column 37, [*] below)").contains("[*]");

        Rest.Response multi = post(body("SELECT id\nFROM sq_items\nWHERE id IN (1,"));
        assertThat(multi.status()).as(multi.toString()).isEqualTo(400);
        assertThat(multi.json().path("detail").asText()).contains("(line 3, column 16,");
        Rest.Response lead = post(body("\n  select id from sq_items /* c */ where id = = 1"));
        assertThat(lead.json().path("detail").asText()).as(lead.toString()).contains("position 48 (line 2, column 47,");

        for (String bad : List.of("SELECT nope FROM sq_items", "SELECT * FROM no_such_table", "SELEC 1", "INSERT INTO sq_items (id, nope) VALUES (9, 1)")) {
            Rest.Response e = post(body(bad));
            assertThat(e.status()).as(bad + " -> " + e).isEqualTo(400);
            assertThat(e.json().path("field").asText()).isEqualTo("query");
        }
        Rest.Response conv = post("{\"query\": \"SELECT id FROM sq_items WHERE id = ?\", \"params\": [\"not a number\"]}");
        assertThat(conv.status()).as(conv.toString()).isEqualTo(400);
    }

    @Test
    void badBodiesNameTheField() {
        assertField(post("{\"query\": \"SELECT 1\", \"page_size\": 0}"), "page_size");
        assertField(post("{\"query\": \"SELECT 1\", \"page_size\": 10001}"), "page_size");
        assertField(post("{\"query\": \"SELECT 1\", \"timeout_ms\": 0}"), "timeout_ms");
        assertField(post("{\"query\": \"SELECT ?\", \"params\": [{\"a\": 1}]}"), "params[0]");
        assertField(post("{\"query\": \"\"}"), "query");
        assertField(post("{\"params\": []}"), "query");
        assertField(post("{\"query\": \"SELECT 1\", \"colour\": 1}"), "colour");
        assertField(post("{\"query\": \"DELETE FROM sq_items\", \"explain\": true}"), "explain");
        assertThat(query("SELECT COUNT(*) FROM sq_items").path("rows").get(0).get(0).asLong()).isEqualTo(3);
    }

    @Test
    void noFileOrLinkFunctions() {
        for (String q : List.of("SELECT FILE_READ('/etc/hostname')", "SELECT * FROM CSVREAD('/etc/hostname')",
                "SELECT LINK_SCHEMA('a', '', 'jdbc:h2:mem:x', '', '', 'PUBLIC')", "CALL CSVWRITE('/tmp/x.csv', 'SELECT 1')")) {
            Rest.Response r = post(body(q));
            assertThat(r.status()).as(q + " -> " + r).isEqualTo(400);
        }
    }

    @Test
    void explainShowsThePlan() {
        JsonNode b = query("{\"query\": \"SELECT id FROM sq_items WHERE tier = ?\", \"params\": [\"gold\"], \"explain\": true}");
        assertThat(b.path("rows").toString()).containsIgnoringCase("SQ_ITEMS");
    }

    @Test
    void timeoutCancelsTheQueryOnTheServer() {
        String slow = "SELECT COUNT(*) FROM sq_big a, sq_big b, sq_big c WHERE a.grp + b.grp + c.grp = ?";
        Rest.Response r = post("{\"query\": \"" + slow + "\", \"params\": [-1], \"timeout_ms\": 300}");
        assertThat(r.status()).as(r.toString()).isEqualTo(408);
        assertThat(r.contentType()).startsWith("application/problem+json");
        assertThat(r.json().path("detail").asText()).contains("timeout_ms (300 ms)");
        long until = System.nanoTime() + 30_000_000_000L;
        while (true) {
            JsonNode running = query("{\"query\": \"SELECT sql FROM SYS.SQL_QUERIES WHERE sql LIKE ?\", \"params\": [\"%sq_big a, sq_big b%\"]}");
            long left = 0;
            for (JsonNode row : running.path("rows")) {
                if (!row.get(0).asText().contains("SYS.SQL_QUERIES")) {
                    left++;
                }
            }
            if (left == 0) {
                break;
            }
            assertThat(System.nanoTime()).as("the timed-out query still runs on the server after 30 s: " + running).isLessThan(until);
            sleep(100);
        }
        assertThat(node.sql().cursors().open()).isZero();
        assertThat(query("SELECT COUNT(*) FROM sq_big").path("rows").get(0).get(0).asLong()).isEqualTo(BIG);
    }

    /**
     * A later page runs under the query's timeout_ms too. Ignite materializes what it cannot stream, so no query is
     * reliably fast for one page and slow for the next: the cursor here is a stand-in whose second row never comes
     * until the deadline cancels it.
     */
    @Test
    void timeoutAppliesToEachPage() {
        GridQueryCancel cancel = new GridQueryCancel();
        AtomicBoolean closed = new AtomicBoolean();
        Iterator<List<?>> rows = new Iterator<>() {
            private int served;

            @Override
            public boolean hasNext() {
                if (served == 0) {
                    return true;
                }
                long until = System.nanoTime() + 30_000_000_000L;
                while (!cancel.isCanceled()) {
                    assertThat(System.nanoTime()).as("the deadline did not cancel the page within 30 s").isLessThan(until);
                    sleep(10);
                }
                throw new IgniteSQLException("The query was cancelled while executing.", IgniteQueryErrorCode.QUERY_CANCELED);
            }

            @Override
            public List<?> next() {
                served++;
                return List.of(served);
            }
        };
        FieldsQueryCursor<List<?>> ignite = new FieldsQueryCursor<>() {
            @Override
            public String getFieldName(int idx) {
                return "X";
            }

            @Override
            public int getColumnsCount() {
                return 1;
            }

            @Override
            public List<List<?>> getAll() {
                throw new UnsupportedOperationException();
            }

            @Override
            public void close() {
                closed.set(true);
            }

            @Override
            public Iterator<List<?>> iterator() {
                return rows;
            }
        };
        SqlCursors cursors = node.sql().cursors();
        cursors.reserve();
        String token = cursors.putBack(null, new SqlCursor(ignite, rows, List.of(new SqlColumn("X", "INT")), cancel, 1, 200, null));
        Rest.Response page = rest.get(SQL + "/pages/" + token);
        assertThat(page.status()).as(page.toString()).isEqualTo(408);
        assertThat(page.json().path("detail").asText()).contains("timeout_ms (200 ms)");
        assertThat(closed).isTrue();
        assertThat(rest.get(SQL + "/pages/" + token).status()).as("a timed-out cursor is closed").isEqualTo(404);
        assertThat(cursors.open()).isZero();
    }

    @Test
    void dmlIsSeenBySqlAndRest() {
        JsonNode ins = query("{\"query\": \"INSERT INTO sq_items (id, name, tier, price) VALUES (?, ?, ?, ?)\", \"params\": [100, \"Dee\", \"bronze\", 19.99]}");
        assertThat(ins.toString()).isEqualTo("{\"updated\":1}");
        try {
            assertThat(query("SELECT name, price FROM sq_items WHERE id = ?", "100").path("rows").toString()).isEqualTo("[[\"Dee\",19.99]]");
            Rest.Response entry = rest.get(REGIONS + "/sq_items/entries/100");
            assertThat(entry.status()).as(entry.toString()).isEqualTo(200);
            assertThat(entry.json().path("name").asText()).isEqualTo("Dee");
            assertThat(entry.json().path("price").decimalValue()).isEqualByComparingTo("19.99");

            assertThat(query("UPDATE sq_items SET tier = ? WHERE id = ?", "\"gold\"", "100").path("updated").asLong()).isEqualTo(1);
            assertThat(rest.get(REGIONS + "/sq_items/entries/100").json().path("tier").asText()).isEqualTo("gold");
            assertThat(query("MERGE INTO sq_items (id, name, tier) VALUES (?, ?, ?)", "100", "\"Dee\"", "\"silver\"").path("updated").asLong()).isEqualTo(1);
            assertThat(rest.get(REGIONS + "/sq_items/entries/100").json().path("tier").asText()).isEqualTo("silver");

            Rest.Response dup = post("{\"query\": \"INSERT INTO sq_items (id, name) VALUES (?, ?)\", \"params\": [100, \"again\"]}");
            assertThat(dup.status()).as(dup.toString()).isEqualTo(409);
        } finally {
            assertThat(query("DELETE FROM sq_items WHERE id = ?", "100").path("updated").asLong()).isEqualTo(1);
        }
        assertThat(rest.get(REGIONS + "/sq_items/entries/100").status()).isEqualTo(404);
    }

    @Test
    void anOpenCursorDoesNotHoldUpDeletingItsRegion() {
        created(rest.post(REGIONS, """
                {"name": "sq_gone", "key_fields": ["id"], "fields": {"id": "BIGINT", "v": "VARCHAR"}}"""));
        ok(rest.put(REGIONS + "/sq_gone/entries", "{\"entries\": {\"1\": {\"v\": \"a\"}, \"2\": {\"v\": \"b\"}, \"3\": {\"v\": \"c\"}}}"));
        String token = query("{\"query\": \"SELECT id FROM sq_gone\", \"page_size\": 1}").path("next_page").asText();
        Rest.Response deleted = rest.delete(REGIONS + "/sq_gone");
        assertThat(deleted.status()).as(deleted.toString()).isEqualTo(204);
        Rest.Response next = rest.get(SQL + "/pages/" + token);
        assertThat(next.status()).as(next.toString()).isIn(200, 404, 503);
        rest.delete(SQL + "/pages/" + token);
        assertThat(node.sql().cursors().open()).isZero();
    }

    @Test
    void everyRouteIsInTheOpenApiDocument() {
        JsonNode paths = rest.get("/api/v1/dih/openapi.json").json().path("paths");
        assertThat(paths.path(SQL).has("post")).isTrue();
        assertThat(paths.path(SQL + "/pages/{token}").has("get")).isTrue();
        assertThat(paths.path(SQL + "/pages/{token}").has("delete")).isTrue();
        Rest.Response wrong = rest.send("PUT", SQL, "{}");
        assertThat(wrong.status()).isEqualTo(405);
        assertThat(wrong.header("Allow")).isEqualTo("POST");
    }

    // ---- helpers

    /** POST of a query with its params (each a JSON literal); asserts a 200. */
    static JsonNode query(String sqlOrBody, String... params) {
        String body = sqlOrBody.stripLeading().startsWith("{") ? sqlOrBody
                : "{\"query\": " + JSON.valueToTree(sqlOrBody) + ", \"params\": [" + String.join(", ", params) + "]}";
        Rest.Response r = post(body);
        assertThat(r.status()).as(body + " -> " + r).isEqualTo(200);
        return r.json();
    }

    static String body(String sql) {
        ObjectNode b = JSON.createObjectNode();
        b.put("query", sql);
        return b.toString();
    }

    static Rest.Response post(String body) {
        return rest.post(SQL, body);
    }

    static void assertField(Rest.Response r, String field) {
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(r.json().path("field").asText()).as(r.toString()).isEqualTo(field);
    }

    static void created(Rest.Response r) {
        assertThat(r.status()).as(r.toString()).isIn(200, 201);
    }

    static void ok(Rest.Response r) {
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
