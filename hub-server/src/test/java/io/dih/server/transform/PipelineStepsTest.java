package io.dih.server.transform;

import static org.assertj.core.api.Assertions.assertThat;

import io.dih.api.SqlType;
import io.dih.server.transform.Pipeline.Failed;
import io.dih.server.transform.Pipeline.Filtered;
import io.dih.server.transform.Pipeline.Outcome;
import io.dih.server.transform.Pipeline.Row;
import java.math.BigDecimal;
import java.sql.Date;
import java.sql.Timestamp;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class PipelineStepsTest {
    private static final Map<String, SqlType> PEOPLE = columns(
            "id", SqlType.BIGINT, "first", SqlType.VARCHAR, "last", SqlType.VARCHAR, "age", SqlType.INT,
            "amount", SqlType.DECIMAL, "born", SqlType.DATE, "seen", SqlType.TIMESTAMP, "address", SqlType.VARCHAR);

    static Map<String, SqlType> columns(Object... nameType) {
        Map<String, SqlType> m = new LinkedHashMap<>();
        for (int i = 0; i < nameType.length; i += 2) {
            m.put((String) nameType[i], (SqlType) nameType[i + 1]);
        }
        return m;
    }

    static Map<String, Object> row(Object... nameValue) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < nameValue.length; i += 2) {
            m.put((String) nameValue[i], nameValue[i + 1]);
        }
        return m;
    }

    static Map<String, Object> person() {
        return row("id", 1L, "first", "Ada", "last", "Lovelace", "age", 36, "amount", new BigDecimal("100.50"),
                "born", Date.valueOf("1815-12-10"), "seen", Timestamp.valueOf("2024-05-06 07:08:09.5"),
                "address", "{\"city\":\"London\",\"zip\":\"W1\",\"geo\":{\"lat\":51.5},\"tags\":[1,2]}");
    }

    static Map<String, Object> rowOf(Outcome o) {
        assertThat(o).isInstanceOf(Row.class);
        return ((Row) o).row();
    }

    @Test
    void noStepsPassRowsUnchanged() {
        Map<String, Object> r = person();
        assertThat(Pipeline.none().isEmpty()).isTrue();
        assertThat(rowOf(Pipeline.none().apply(r))).isEqualTo(r);
        Pipeline p = Pipeline.compile(null, PEOPLE);
        assertThat(p.isEmpty()).isTrue();
        assertThat(p.outputColumns()).isEqualTo(PEOPLE);
        assertThat(Pipeline.compile(List.of(), PEOPLE).outputColumns()).isEqualTo(PEOPLE);
    }

    @Test
    void computeFromTheIssue() {
        Pipeline p = Pipeline.compile(List.of(Map.of("compute", mapOf(
                "full", "first + ' ' + last",
                "group", "age >= 18 ? 'adult' : 'minor'",
                "gross", "amount * 1.2",
                "next", "age + 1",
                "year", "seen.getFullYear()",
                "upper", "last.upperAscii()",
                "later", "seen + duration('1h')"))), PEOPLE);
        assertThat(p.outputColumns()).containsEntry("full", SqlType.VARCHAR).containsEntry("group", SqlType.VARCHAR)
                .containsEntry("gross", SqlType.DOUBLE).containsEntry("next", SqlType.BIGINT)
                .containsEntry("year", SqlType.BIGINT).containsEntry("upper", SqlType.VARCHAR)
                .containsEntry("later", SqlType.TIMESTAMP);
        Map<String, Object> out = rowOf(p.apply(person()));
        assertThat(out).containsEntry("full", "Ada Lovelace").containsEntry("group", "adult")
                .containsEntry("next", 37L).containsEntry("year", 2024L).containsEntry("upper", "LOVELACE")
                .containsEntry("later", Timestamp.valueOf("2024-05-06 08:08:09.5"));
        assertThat((Double) out.get("gross")).isCloseTo(120.6, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(out.get("amount")).isEqualTo(new BigDecimal("100.50"));
        assertThat(List.copyOf(out.keySet())).startsWith("id", "first", "last", "age", "amount", "born", "seen",
                "address", "full");
    }

    @Test
    void computeReplacesAColumnWithTheExpressionsType() {
        Pipeline p = Pipeline.compile(List.of(Map.of("compute", Map.of("age", "string(age) + ' years'"))), PEOPLE);
        assertThat(p.outputColumns()).containsEntry("age", SqlType.VARCHAR);
        assertThat(rowOf(p.apply(person()))).containsEntry("age", "36 years");
    }

    @Test
    void nullColumnsCanBeTestedAndFailWhenUsed() {
        Pipeline p = Pipeline.compile(List.of(Map.of("compute", mapOf(
                "safe", "age == null ? -1 : age * 2",
                "named", "first == null ? 'anon' : first"))), PEOPLE);
        Map<String, Object> r = person();
        r.put("age", null);
        r.put("first", null);
        assertThat(rowOf(p.apply(r))).containsEntry("safe", -1L).containsEntry("named", "anon");

        Pipeline strict = Pipeline.compile(List.of(Map.of("drop", List.of("id")),
                Map.of("compute", Map.of("next", "age + 1"))), PEOPLE);
        Map<String, Object> r2 = person();
        r2.put("age", null);
        Outcome o = strict.apply(r2);
        assertThat(o).isInstanceOf(Failed.class);
        assertThat(((Failed) o).step()).isEqualTo(1);
        assertThat(((Failed) o).error()).contains("next").contains("overload").contains("NULL");
    }

    @Test
    void nullTimestampsCanBeTestedToo() {
        Pipeline p = Pipeline.compile(List.of(Map.of("filter", "seen == null")), PEOPLE);
        Map<String, Object> r = person();
        assertThat(p.apply(r)).isInstanceOf(Filtered.class);
        r.put("seen", null);
        assertThat(p.apply(r)).isInstanceOf(Row.class);
        Pipeline year = Pipeline.compile(List.of(Map.of("compute", Map.of("y", "seen.getFullYear()"))), PEOPLE);
        assertThat(year.apply(r)).isInstanceOf(Failed.class);
    }

    @Test
    void aNullResultIsANull() {
        Pipeline p = Pipeline.compile(List.of(Map.of("compute", Map.of("copy", "age"))), PEOPLE);
        assertThat(p.outputColumns()).containsEntry("copy", SqlType.BIGINT);
        Map<String, Object> r = person();
        r.put("age", null);
        assertThat(rowOf(p.apply(r))).containsEntry("copy", null);
    }

    @Test
    void filterKeepsTrueRowsAndFiltersFalseAndNull() {
        Pipeline p = Pipeline.compile(List.of(Map.of("filter", "age >= 18 && amount > 10")), PEOPLE);
        assertThat(p.filters()).isTrue();
        assertThat(p.apply(person())).isInstanceOf(Row.class);
        Map<String, Object> minor = person();
        minor.put("age", 12);
        assertThat(p.apply(minor)).isInstanceOf(Filtered.class);

        Pipeline flag = Pipeline.compile(List.of(Map.of("filter", "active")), columns("active", SqlType.BOOLEAN));
        Map<String, Object> nullFlag = new HashMap<>();
        nullFlag.put("active", null);
        assertThat(flag.apply(nullFlag)).isInstanceOf(Filtered.class);
        assertThat(flag.apply(Map.of("active", true))).isInstanceOf(Row.class);
        assertThat(Pipeline.compile(List.of(Map.of("drop", List.of("id"))), PEOPLE).filters()).isFalse();
    }

    @Test
    void filterErrorsFailTheRow() {
        Pipeline p = Pipeline.compile(List.of(Map.of("filter", "100 / age > 1")), PEOPLE);
        Map<String, Object> r = person();
        r.put("age", 0);
        Outcome o = p.apply(r);
        assertThat(o).isInstanceOf(Failed.class);
        assertThat(((Failed) o).step()).isZero();
        assertThat(((Failed) o).error()).contains("by zero");
    }

    @Test
    void renameKeepsThePositionAndSeveralPairsAreAllowed() {
        Pipeline p = Pipeline.compile(List.of(Map.of("rename", mapOf("first", "given", "last", "family")),
                Map.of("compute", Map.of("full", "given + ' ' + family"))), PEOPLE);
        assertThat(List.copyOf(p.outputColumns().keySet())).containsExactly("id", "given", "family", "age",
                "amount", "born", "seen", "address", "full");
        Map<String, Object> out = rowOf(p.apply(person()));
        assertThat(List.copyOf(out.keySet())).isEqualTo(List.copyOf(p.outputColumns().keySet()));
        assertThat(out).containsEntry("given", "Ada").containsEntry("full", "Ada Lovelace").doesNotContainKey("first");
    }

    @Test
    void dropRemovesColumns() {
        Pipeline p = Pipeline.compile(List.of(Map.of("drop", List.of("address", "born"))), PEOPLE);
        assertThat(p.outputColumns()).doesNotContainKeys("address", "born").containsKey("seen");
        assertThat(rowOf(p.apply(person()))).doesNotContainKeys("address", "born").containsEntry("id", 1L);
    }

    @Test
    void castConvertsAndFailsOnBadValues() {
        Map<String, SqlType> in = columns("code", SqlType.VARCHAR, "n", SqlType.BIGINT, "at", SqlType.VARCHAR,
                "u", SqlType.VARCHAR);
        Pipeline p = Pipeline.compile(List.of(Map.of("cast", mapOf("code", "bigint", "n", "string",
                "at", "timestamp", "u", "uuid"))), in);
        assertThat(p.outputColumns()).containsEntry("code", SqlType.BIGINT).containsEntry("n", SqlType.VARCHAR)
                .containsEntry("at", SqlType.TIMESTAMP).containsEntry("u", SqlType.UUID);
        UUID id = UUID.randomUUID();
        assertThat(rowOf(p.apply(row("code", " 42 ", "n", 7L, "at", "2024-01-02T03:04:05Z", "u", id.toString()))))
                .containsEntry("code", 42L).containsEntry("n", "7")
                .containsEntry("at", Timestamp.valueOf("2024-01-02 03:04:05")).containsEntry("u", id);
        Outcome bad = p.apply(row("code", "abc", "n", 7L, "at", "2024-01-02 03:04:05", "u", id.toString()));
        assertThat(bad).isInstanceOf(Failed.class);
        assertThat(((Failed) bad).error()).contains("code").contains("'abc'").contains("BIGINT");

        Pipeline narrow = Pipeline.compile(List.of(Map.of("cast", Map.of("n", "TINYINT"))), in);
        assertThat(rowOf(narrow.apply(row("n", 100L)))).containsEntry("n", (byte) 100);
        assertThat(narrow.apply(row("n", 300L))).isInstanceOf(Failed.class);
    }

    @Test
    void defaultFillsNullsAndTypesNewColumns() {
        Pipeline p = Pipeline.compile(List.of(Map.of("default", mapOf("age", 0, "first", "?", "country", "UK",
                "score", 1.5, "vip", false, "visits", 3))), PEOPLE);
        assertThat(p.outputColumns()).containsEntry("age", SqlType.INT).containsEntry("country", SqlType.VARCHAR)
                .containsEntry("score", SqlType.DOUBLE).containsEntry("vip", SqlType.BOOLEAN)
                .containsEntry("visits", SqlType.BIGINT);
        Map<String, Object> r = person();
        r.put("age", null);
        Map<String, Object> out = rowOf(p.apply(r));
        assertThat(out).containsEntry("age", 0).containsEntry("first", "Ada").containsEntry("country", "UK")
                .containsEntry("score", 1.5).containsEntry("vip", false).containsEntry("visits", 3L);
    }

    @Test
    void parseJsonLetsExpressionsNavigateAndIsTextAgainAfterwards() {
        Pipeline p = Pipeline.compile(List.of(Map.of("parse_json", "address"), Map.of("compute", mapOf(
                "city", "string(address.city)",
                "lat", "double(address.geo.lat)",
                "has_zip", "has(address.zip)",
                "tags", "size(address.tags)"))), PEOPLE);
        assertThat(p.outputColumns()).containsEntry("address", SqlType.VARCHAR).containsEntry("city", SqlType.VARCHAR)
                .containsEntry("lat", SqlType.DOUBLE).containsEntry("has_zip", SqlType.BOOLEAN)
                .containsEntry("tags", SqlType.BIGINT);
        Map<String, Object> out = rowOf(p.apply(person()));
        assertThat(out).containsEntry("city", "London").containsEntry("lat", 51.5).containsEntry("has_zip", true)
                .containsEntry("tags", 2L)
                .containsEntry("address", "{\"city\":\"London\",\"zip\":\"W1\",\"geo\":{\"lat\":51.5},\"tags\":[1,2]}");

        Map<String, Object> bad = person();
        bad.put("address", "{not json");
        Outcome o = p.apply(bad);
        assertThat(o).isInstanceOf(Failed.class);
        assertThat(((Failed) o).step()).isZero();
        assertThat(((Failed) o).error()).contains("address").contains("invalid JSON");

        Map<String, Object> missingKey = person();
        missingKey.put("address", "{\"zip\":\"W1\",\"geo\":{\"lat\":1.0},\"tags\":[]}");
        Outcome o2 = p.apply(missingKey);
        assertThat(o2).isInstanceOf(Failed.class);
        assertThat(((Failed) o2).step()).isEqualTo(1);
        assertThat(((Failed) o2).error()).contains("city");
    }

    @Test
    void flattenMakesOneColumnPerKey() {
        Pipeline p = Pipeline.compile(List.of(Map.of("flatten", Map.of("address", "addr_"))), PEOPLE);
        assertThat(p.flattenPrefixes()).containsExactly("addr_");
        assertThat(p.outputColumns()).doesNotContainKey("address");
        Map<String, Object> out = rowOf(p.apply(person()));
        assertThat(out).doesNotContainKey("address").containsEntry("addr_city", "London")
                .containsEntry("addr_zip", "W1").containsEntry("addr_geo", "{\"lat\":51.5}")
                .containsEntry("addr_tags", "[1,2]");
        assertThat(List.copyOf(out.keySet())).endsWith("addr_city", "addr_zip", "addr_geo", "addr_tags");

        Map<String, Object> scalars = person();
        scalars.put("address", "{\"n\":3,\"x\":2.5,\"b\":true,\"z\":null}");
        assertThat(rowOf(p.apply(scalars))).containsEntry("addr_n", 3L).containsEntry("addr_x", 2.5)
                .containsEntry("addr_b", true).containsEntry("addr_z", null);

        Map<String, Object> array = person();
        array.put("address", "[1,2]");
        assertThat(p.apply(array)).isInstanceOf(Failed.class);
    }

    @Test
    void flattenOfAParsedColumnAndCollisionsFail() {
        Pipeline p = Pipeline.compile(List.of(Map.of("parse_json", "address"),
                Map.of("flatten", Map.of("address", ""))), PEOPLE);
        Map<String, Object> r = person();
        r.put("address", "{\"zone\":1}");
        assertThat(rowOf(p.apply(r))).containsEntry("zone", 1L);
        r.put("address", "{\"first\":\"x\"}");
        Outcome o = p.apply(r);
        assertThat(o).isInstanceOf(Failed.class);
        assertThat(((Failed) o).step()).isEqualTo(1);
        assertThat(((Failed) o).error()).contains("overwrite").contains("first");
    }

    @Test
    void castOfAParsedJsonColumnToVarcharWritesItsText() {
        Pipeline p = Pipeline.compile(List.of(Map.of("parse_json", "address"),
                Map.of("cast", Map.of("address", "VARCHAR")), Map.of("compute", Map.of("len", "size(address)"))),
                PEOPLE);
        Map<String, Object> r = person();
        r.put("address", "{ \"a\" : 1 }");
        assertThat(rowOf(p.apply(r))).containsEntry("address", "{\"a\":1}").containsEntry("len", 7L);
    }

    @Test
    void timestampsDatesBytesAndUuids() {
        Map<String, SqlType> in = columns("d", SqlType.DATE, "t", SqlType.TIMESTAMP, "b", SqlType.BINARY,
                "u", SqlType.UUID, "tm", SqlType.TIME);
        Pipeline p = Pipeline.compile(List.of(Map.of("compute", mapOf(
                "days", "(t - d).getHours() / 24",
                "size", "size(b)",
                "ustr", "u + '!'",
                "hour", "tm.substring(0, 2)",
                "stamp", "timestamp('2024-01-01T00:00:00Z')",
                "bytes", "b + b'!'"))), in);
        UUID u = UUID.fromString("00000000-0000-0000-0000-000000000001");
        Map<String, Object> out = rowOf(p.apply(row("d", Date.valueOf("2024-01-01"),
                "t", Timestamp.valueOf("2024-01-03 00:00:00"), "b", new byte[] {1, 2}, "u", u,
                "tm", java.sql.Time.valueOf("13:14:15"))));
        assertThat(out).containsEntry("days", 2L).containsEntry("size", 2L).containsEntry("ustr", u + "!")
                .containsEntry("hour", "13").containsEntry("stamp", Timestamp.valueOf("2024-01-01 00:00:00"));
        assertThat((byte[]) out.get("bytes")).containsExactly(1, 2, '!');
        assertThat(p.outputColumns()).containsEntry("bytes", SqlType.BINARY).containsEntry("stamp", SqlType.TIMESTAMP);
    }

    @Test
    void theCompiledPipelineIsSharedSafelyAcrossThreads() throws Exception {
        Pipeline p = Pipeline.compile(List.of(Map.of("compute", Map.of("next", "age + 1"))), PEOPLE);
        List<Thread> threads = new java.util.ArrayList<>();
        java.util.concurrent.atomic.AtomicInteger wrong = new java.util.concurrent.atomic.AtomicInteger();
        for (int t = 0; t < 4; t++) {
            Thread th = new Thread(() -> {
                for (int i = 0; i < 2000; i++) {
                    Map<String, Object> r = person();
                    r.put("age", i);
                    if (!Long.valueOf(i + 1).equals(rowOf(p.apply(r)).get("next"))) {
                        wrong.incrementAndGet();
                    }
                }
            });
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) {
            th.join(30_000);
        }
        assertThat(wrong.get()).isZero();
    }

    @Test
    void manyRowsThroughOneCompiledPipeline() {
        Pipeline p = Pipeline.compile(List.of(Map.of("filter", "age >= 0"),
                Map.of("compute", mapOf("full", "first + ' ' + last", "gross", "amount * 1.2")),
                Map.of("drop", List.of("address")), Map.of("rename", Map.of("first", "given"))), PEOPLE);
        Map<String, Object> r = person();
        long start = System.nanoTime();
        for (int i = 0; i < 50_000; i++) {
            r.put("age", i);
            Map<String, Object> out = rowOf(p.apply(r));
            assertThat(out.get("age")).isEqualTo(i);
        }
        assertThat(java.time.Duration.ofNanos(System.nanoTime() - start)).isLessThan(java.time.Duration.ofSeconds(60));
    }

    @Test
    void columnsThatAreNotIdentifiersPassAndCanBeRenamed() {
        Map<String, SqlType> odd = columns("order-id", SqlType.BIGINT, "in", SqlType.VARCHAR, "Qty", SqlType.INT);
        Pipeline p = Pipeline.compile(List.of(Map.of("rename", Map.of("order-id", "order_id")),
                Map.of("compute", Map.of("next", "order_id + Qty"))), odd);
        assertThat(rowOf(p.apply(row("order-id", 5L, "in", "x", "Qty", 2)))).containsEntry("order_id", 5L)
                .containsEntry("in", "x").containsEntry("next", 7L);
    }

    @Test
    void theInputRowIsNotChanged() {
        Map<String, Object> r = person();
        Map<String, Object> copy = new LinkedHashMap<>(r);
        Pipeline.compile(List.of(Map.of("drop", List.of("first")), Map.of("rename", Map.of("last", "family"))),
                PEOPLE).apply(r);
        assertThat(r).isEqualTo(copy);
    }

    static Map<String, Object> mapOf(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
