package io.dih.server.subscribe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.dih.api.SqlType;
import io.dih.spi.InvalidSpecException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Date;
import java.sql.Time;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RowFilterTest {
    private static final Map<String, SqlType> COLUMNS = new LinkedHashMap<>();

    static {
        COLUMNS.put("id", SqlType.BIGINT);
        COLUMNS.put("name", SqlType.VARCHAR);
        COLUMNS.put("price", SqlType.DECIMAL);
        COLUMNS.put("cost", SqlType.DECIMAL);
        COLUMNS.put("qty", SqlType.INT);
        COLUMNS.put("tiny", SqlType.TINYINT);
        COLUMNS.put("small", SqlType.SMALLINT);
        COLUMNS.put("ratio", SqlType.REAL);
        COLUMNS.put("score", SqlType.DOUBLE);
        COLUMNS.put("active", SqlType.BOOLEAN);
        COLUMNS.put("day", SqlType.DATE);
        COLUMNS.put("other_day", SqlType.DATE);
        COLUMNS.put("at_time", SqlType.TIME);
        COLUMNS.put("created_at", SqlType.TIMESTAMP);
        COLUMNS.put("ref", SqlType.UUID);
        COLUMNS.put("blob", SqlType.BINARY);
        COLUMNS.put("Mixed", SqlType.VARCHAR);
    }

    private static final UUID REF = UUID.fromString("123e4567-e89b-12d3-a456-426614174000");

    private static RowFilter f(String text) {
        return RowFilter.parse(text, COLUMNS);
    }

    private static Map<String, Object> row(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private static boolean t(String filter, Object... kv) {
        return f(filter).test(row(kv));
    }

    private static InvalidSpecException refused(String filter) {
        Throwable e = catchThrowable(() -> f(filter));
        assertThat(e).as(filter).isInstanceOf(InvalidSpecException.class);
        assertThat(((InvalidSpecException) e).field()).isEqualTo("filter");
        return (InvalidSpecException) e;
    }

    @Test
    void numericOperatorsOnEveryNumericType() {
        assertThat(t("price = 12.5", "price", new BigDecimal("12.50"))).isTrue();
        assertThat(t("price <> 12.5", "price", new BigDecimal("12.50"))).isFalse();
        assertThat(t("price != 12.49", "price", new BigDecimal("12.50"))).isTrue();
        assertThat(t("qty < 1.5", "qty", 1)).isTrue();
        assertThat(t("qty <= 1", "qty", 1)).isTrue();
        assertThat(t("qty > 1", "qty", 1)).isFalse();
        assertThat(t("qty >= -5", "qty", -5)).isTrue();
        assertThat(t("id = 9223372036854775807", "id", Long.MAX_VALUE)).isTrue();
        assertThat(t("id > 9223372036854775806.5", "id", Long.MAX_VALUE)).isTrue();
        assertThat(t("tiny = 7", "tiny", (byte) 7)).isTrue();
        assertThat(t("small < 0", "small", (short) -3)).isTrue();
        assertThat(t("ratio = 0.1", "ratio", 0.1f)).isTrue();
        assertThat(t("score = 0.1", "score", 0.1d)).isTrue();
        assertThat(t("score > 1000000", "score", Double.POSITIVE_INFINITY)).isTrue();
        assertThat(t("score < -1000000", "score", Double.NEGATIVE_INFINITY)).isTrue();
        // any Number class compares numerically
        assertThat(t("qty = 7", "qty", 7L)).isTrue();
        assertThat(t("price = 3", "price", 3)).isTrue();
        assertThat(t("id = 12345678901234567890", "id", new BigInteger("12345678901234567890"))).isTrue();
        assertThat(t("qty = 2", "qty", 2.0d)).isTrue();
    }

    @Test
    void textBooleanTemporalAndUuidOperators() {
        assertThat(t("name = 'it''s'", "name", "it's")).isTrue();
        assertThat(t("name <> 'a'", "name", "b")).isTrue();
        assertThat(t("name < 'b'", "name", "a")).isTrue();
        assertThat(t("name >= 'b'", "name", "a")).isFalse();
        assertThat(t("name = ''", "name", "")).isTrue();
        assertThat(t("active = TRUE", "active", true)).isTrue();
        assertThat(t("active <> false", "active", true)).isTrue();
        assertThat(t("active < TRUE", "active", false)).isTrue();

        assertThat(t("day = '2024-05-01'", "day", Date.valueOf("2024-05-01"))).isTrue();
        assertThat(t("day < '2024-06-01'", "day", LocalDate.of(2024, 5, 1))).isTrue();
        assertThat(t("day >= '2024-06-01'", "day", LocalDate.of(2024, 5, 1))).isFalse();
        assertThat(t("at_time >= '10:15'", "at_time", Time.valueOf("10:15:30"))).isTrue();
        assertThat(t("at_time = '10:15:30'", "at_time", LocalTime.of(10, 15, 30))).isTrue();

        Instant i = Instant.parse("2024-05-01T10:15:30Z");
        for (Object v : new Object[] {Timestamp.from(i), i, LocalDateTime.of(2024, 5, 1, 10, 15, 30), OffsetDateTime.parse("2024-05-01T12:15:30+02:00")}) {
            assertThat(t("created_at = '2024-05-01T10:15:30Z'", "created_at", v)).as(v.getClass().getName()).isTrue();
            assertThat(t("created_at = '2024-05-01 10:15:30'", "created_at", v)).as(v.getClass().getName()).isTrue();
            assertThat(t("created_at = '2024-05-01T12:15:30+02:00'", "created_at", v)).isTrue();
            assertThat(t("created_at > '2024-05-01'", "created_at", v)).isTrue();
            assertThat(t("created_at < '2024-05-01T10:15:30.001Z'", "created_at", v)).isTrue();
        }

        assertThat(t("ref = '123E4567-E89B-12D3-A456-426614174000'", "ref", REF)).isTrue();
        assertThat(t("ref <> '00000000-0000-0000-0000-000000000000'", "ref", REF)).isTrue();
        assertThat(t("ref IN ('00000000-0000-0000-0000-000000000000', '123e4567-e89b-12d3-a456-426614174000')", "ref", REF)).isTrue();
        assertThat(refused("ref < '123e4567-e89b-12d3-a456-426614174000'").getMessage()).contains("'ref' is UUID", "'<'");

        assertThat(t("blob IS NOT NULL", "blob", new byte[] {1})).isTrue();
        assertThat(t("blob IS NULL", "blob", new byte[] {1})).isFalse();
        assertThat(refused("blob = 'x'").getMessage()).isEqualTo("filter: at 1: column 'blob' is BINARY; it can only be tested with IS NULL or IS NOT NULL");
        assertThat(refused("blob IN ('x')").getMessage()).contains("BINARY");
    }

    @Test
    void threeValuedLogic() {
        assertThat(t("qty > 1", "qty", null)).isFalse();
        assertThat(t("qty > 1")).isFalse(); // missing key is null
        assertThat(t("NOT qty > 1")).isFalse();
        assertThat(t("NOT NOT qty > 1")).isFalse();
        assertThat(t("qty IS NULL")).isTrue();
        assertThat(t("qty IS NOT NULL")).isFalse();
        assertThat(t("NOT qty IS NULL", "qty", 1)).isTrue();
        // OR: unknown OR true = true; unknown OR false = unknown
        assertThat(t("qty > 1 OR active = TRUE", "active", true)).isTrue();
        assertThat(t("qty > 1 OR active = TRUE", "active", false)).isFalse();
        assertThat(t("NOT (qty > 1 OR active = TRUE)", "active", false)).isFalse();
        // AND: unknown AND false = false; unknown AND true = unknown
        assertThat(t("NOT (qty > 1 AND active = TRUE)", "active", false)).isTrue();
        assertThat(t("NOT (qty > 1 AND active = TRUE)", "active", true)).isFalse();
        assertThat(t("qty > 1 AND active = TRUE", "active", true)).isFalse();
        assertThat(t("price = cost", "price", BigDecimal.ONE)).isFalse();
        assertThat(t("price <> cost", "price", BigDecimal.ONE)).isFalse();
    }

    @Test
    void precedenceAndParentheses() {
        RowFilter loose = f("qty = 1 OR qty = 2 AND active = TRUE");
        RowFilter grouped = f("(qty = 1 OR qty = 2) AND active = TRUE");
        assertThat(loose.test(row("qty", 1, "active", false))).isTrue();
        assertThat(grouped.test(row("qty", 1, "active", false))).isFalse();
        assertThat(loose.test(row("qty", 2, "active", false))).isFalse();
        assertThat(loose).hasToString("qty = 1 OR qty = 2 AND active = TRUE");
        assertThat(grouped).hasToString("(qty = 1 OR qty = 2) AND active = TRUE");
        assertThat(f("not (QTY=1 and (Name='a' or name='b')) or ((active=true))"))
                .hasToString("NOT (qty = 1 AND (name = 'a' OR name = 'b')) OR active = TRUE");
        assertThat(f("NOT qty = 1 AND (qty = 2 AND (qty = 3))")).hasToString("NOT qty = 1 AND qty = 2 AND qty = 3");
        assertThat(t("NOT qty = 1 AND name = 'x'", "qty", 2, "name", "x")).isTrue();
    }

    @Test
    void inAndNotInWithNulls() {
        assertThat(t("qty IN (1, 2, 3)", "qty", 2)).isTrue();
        assertThat(t("qty IN (1, 2, 3)", "qty", 4)).isFalse();
        assertThat(t("qty IN (1, 2, 3)", "qty", null)).isFalse();
        assertThat(t("qty in (1.0)", "qty", 1L)).isTrue();
        assertThat(t("qty NOT IN (1, 2)", "qty", 3)).isTrue();
        assertThat(t("qty NOT IN (1, 2)", "qty", 1)).isFalse();
        assertThat(t("qty NOT IN (1, 2)", "qty", null)).isFalse();
        assertThat(t("NOT qty NOT IN (1, 2)", "qty", null)).isFalse();
        assertThat(t("NOT qty IN (1, 2)", "qty", null)).isFalse();
        assertThat(t("name IN ('a', 'b')", "name", "b")).isTrue();
        assertThat(t("day IN ('2024-05-01')", "day", LocalDate.of(2024, 5, 1))).isTrue();
        assertThat(f("qty not in (1,2)")).hasToString("qty NOT IN (1, 2)");
        assertThat(refused("qty IN (1, NULL)").getMessage()).isEqualTo("filter: at 12: NULL in an IN list never matches; test 'qty' with IS NULL instead");
    }

    @Test
    void columnAgainstColumn() {
        assertThat(t("price > cost", "price", new BigDecimal("2"), "cost", new BigDecimal("1.5"))).isTrue();
        assertThat(t("qty = tiny", "qty", 5, "tiny", (byte) 5)).isTrue();
        assertThat(t("score >= ratio", "score", 0.5d, "ratio", 0.25f)).isTrue();
        assertThat(t("day < other_day", "day", Date.valueOf("2024-01-01"), "other_day", LocalDate.of(2024, 1, 2))).isTrue();
        assertThat(t("name = \"Mixed\"", "name", "a", "Mixed", "a")).isTrue();
        assertThat(t("price > cost", "price", BigDecimal.TEN)).isFalse();
        assertThat(f("price > cost").columns()).containsExactly("price", "cost");
        assertThat(refused("qty = name").getMessage()).isEqualTo("filter: at 7: cannot compare column 'qty' (INT) with column 'name' (VARCHAR)");
        assertThat(refused("day = created_at").getMessage()).contains("cannot compare");
    }

    @Test
    void literalOnTheLeftIsFlipped() {
        assertThat(f("5 < qty")).hasToString("qty > 5");
        assertThat(t("5 < qty", "qty", 6)).isTrue();
        assertThat(t("'2024-05-01' >= day", "day", LocalDate.of(2024, 4, 30))).isTrue();
    }

    @Test
    void identifiers() {
        assertThat(t("\"Mixed\" = 'x'", "Mixed", "x")).isTrue();
        assertThat(t("mixed = 'x'", "Mixed", "x")).isTrue(); // unquoted: case-insensitive
        assertThat(t("NAME = 'x'", "name", "x")).isTrue();
        assertThat(t("\"qty\" = 1", "qty", 1)).isTrue();
        assertThat(refused("\"mixed\" = 'x'").getMessage()).startsWith("filter: at 1: unknown column 'mixed'");
        assertThat(refused("\"QTY\" = 1").getMessage()).contains("unknown column 'QTY'");
        assertThat(f("\"Mixed\" = 'x' AND name = 'y'")).hasToString("\"Mixed\" = 'x' AND name = 'y'");
        assertThat(refused("\"\" = 1").getMessage()).contains("must not be empty");

        Map<String, SqlType> twins = Map.of("a", SqlType.INT, "A", SqlType.INT, "b", SqlType.INT);
        assertThat(RowFilter.parse("a = 1", twins).columns()).containsExactly("a");
        assertThat(RowFilter.parse("B = 1 AND \"A\" = 1", twins).columns()).containsExactly("b", "A");
        Map<String, SqlType> onlyUpper = Map.of("Ab", SqlType.INT, "AB", SqlType.INT);
        assertThatThrownBy(() -> RowFilter.parse("ab = 1", onlyUpper)).hasMessageContaining("double quotes");
    }

    @Test
    void canonicalTextParsesBackToItself() {
        for (String s : new String[] {"qty = 1", "name = 'it''s' OR NOT (price >= -12.50 AND active = FALSE)",
                "created_at > '2024-05-01 10:15:30'", "at_time < '10:15'", "day IN ('2024-05-01', '2024-05-02')",
                "ref = '123e4567-e89b-12d3-a456-426614174000'", "\"Mixed\" IS NOT NULL", "NOT NOT qty <> tiny"}) {
            String canonical = f(s).toString();
            assertThat(f(canonical)).as(s).hasToString(canonical);
        }
        assertThat(f("created_at > '2024-05-01 10:15:30'")).hasToString("created_at > '2024-05-01T10:15:30Z'");
        assertThat(f("qty = 1 AND (name = 'a' OR qty = 2) AND qty IS NULL").columns()).containsExactly("qty", "name");
    }

    @Test
    void allMatchesEverything() {
        assertThat(RowFilter.ALL.test(row())).isTrue();
        assertThat(RowFilter.ALL.test(row("qty", null))).isTrue();
        assertThat(RowFilter.ALL.columns()).isEmpty();
    }

    @Test
    void typeErrorsNameColumnTypeAndPosition() {
        assertThat(refused("price = 'abc'").getMessage()).isEqualTo("filter: at 9: column 'price' is DECIMAL; 'abc' is not a number");
        assertThat(refused("qty = TRUE").getMessage()).isEqualTo("filter: at 7: column 'qty' is INT; 'TRUE' is not a number");
        assertThat(refused("name = 5").getMessage()).isEqualTo("filter: at 8: column 'name' is VARCHAR; '5' is not text; write it between single quotes");
        assertThat(refused("active = 'true'").getMessage()).contains("at 10: column 'active' is BOOLEAN", "TRUE or FALSE");
        assertThat(refused("day = '2024-13-01'").getMessage()).contains("at 7: column 'day' is DATE; '2024-13-01' is not a valid DATE", "YYYY-MM-DD");
        assertThat(refused("at_time = '25:00'").getMessage()).contains("at 11: column 'at_time' is TIME", "HH:MM:SS");
        assertThat(refused("created_at >= 'yesterday'").getMessage()).contains("at 15: column 'created_at' is TIMESTAMP", "ISO-8601");
        assertThat(refused("ref = '123'").getMessage()).contains("at 7: column 'ref' is UUID", "xxxxxxxx-");
        assertThat(refused("day = 20240501").getMessage()).contains("is not text");
        assertThat(refused("pric = 1").getMessage()).startsWith("filter: at 1: unknown column 'pric'; known columns: Mixed, active, at_time,");
        assertThat(refused("qty = 1 AND nope IS NULL").getMessage()).startsWith("filter: at 13: unknown column 'nope'");
        assertThat(refused("qty = NULL").getMessage()).isEqualTo("filter: at 7: a comparison with NULL is never true; write 'qty' IS NULL");
        assertThat(refused("NULL <> qty").getMessage()).contains("at 1:", "IS NOT NULL");
        assertThat(refused("5 IS NULL").getMessage()).contains("at 1:", "compare a column");
        assertThat(refused("'a' IN ('a')").getMessage()).contains("at 1:", "compare a column");
    }

    @Test
    void syntaxErrorsSayWhatWasExpectedAndWhere() {
        assertThat(refused("qty > 1 AND qty >").getMessage()).isEqualTo("filter: at 18: expected a value after '>', found end of filter");
        assertThat(refused("qty").getMessage()).isEqualTo("filter: at 4: expected =, <>, <, <=, >, >=, IN or IS after 'qty', found end of filter");
        assertThat(refused("(qty = 1").getMessage()).isEqualTo("filter: at 9: expected ')' to close the '(' at 1 (or AND, OR), found end of filter");
        assertThat(refused("qty = 1)").getMessage()).isEqualTo("filter: at 8: ')' has no matching '('");
        assertThat(refused("qty = 1 qty = 2").getMessage()).isEqualTo("filter: at 9: expected AND, OR or the end of the filter, found 'qty'");
        assertThat(refused("AND qty = 1").getMessage()).isEqualTo("filter: at 1: expected a condition (a column, NOT or '('), found 'AND'");
        assertThat(refused("qty = 1 AND").getMessage()).contains("at 12: expected a condition");
        assertThat(refused("name = 'abc").getMessage()).isEqualTo("filter: at 8: unterminated text: a closing ' is missing (write '' for a quote inside text)");
        assertThat(refused("\"name = 1").getMessage()).contains("at 1: unterminated quoted column name");
        assertThat(refused("qty > 1e3").getMessage()).contains("at 7: '1e3' is not a number");
        assertThat(refused("qty > 1.").getMessage()).contains("at 7:", "decimal point");
        assertThat(refused("qty > .5").getMessage()).contains("at 7: unexpected character '.'");
        assertThat(refused("qty IS TRUE").getMessage()).isEqualTo("filter: at 8: expected NULL or NOT NULL after IS, found 'TRUE'");
        assertThat(refused("qty IS NOT 1").getMessage()).contains("at 12: expected NULL after IS NOT");
        assertThat(refused("qty NOT 5").getMessage()).isEqualTo("filter: at 9: expected IN after NOT, found '5'");
        assertThat(refused("qty IN ()").getMessage()).contains("at 9: expected a value in the IN list, found ')'");
        assertThat(refused("qty IN (1 2)").getMessage()).contains("at 11: expected ',' or ')' in the IN list, found '2'");
        assertThat(refused("qty IN 1").getMessage()).contains("at 8: expected '(' after IN");
        assertThat(refused("qty ! 1").getMessage()).contains("at 5: '!' must be followed by '='");
        assertThat(refused("qty == 1").getMessage()).contains("at 6: expected a value after '='");
        assertThat(refused("qty = qty = 1").getMessage()).contains("at 11: expected AND, OR");
        for (String s : new String[] {"", "   ", null}) {
            assertThatThrownBy(() -> f(s)).isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("filter"));
        }
    }

    @Test
    void limits() {
        long start = System.nanoTime();
        assertThat(refused("qty = 1 OR ".repeat(10_000)).getMessage()).isEqualTo("filter: is 110000 characters long; the limit is 4096 characters");
        assertThat(refused("(".repeat(10_000) + "qty = 1" + ")".repeat(10_000)).getMessage()).contains("limit is 4096");
        assertThat(System.nanoTime() - start).isLessThan(1_000_000_000L);

        assertThat(f("(".repeat(32) + "qty = 1" + ")".repeat(32)).test(row("qty", 1))).isTrue();
        assertThat(refused("(".repeat(2000) + "qty = 1" + ")".repeat(2000)).getMessage()).isEqualTo("filter: at 33: nested deeper than 32 levels (parentheses and NOT)");
        assertThat(refused("(".repeat(4096)).getMessage()).contains("nested deeper than 32");
        assertThat(f("NOT ".repeat(32) + "qty = 1").test(row("qty", 1))).isTrue();
        assertThat(refused("NOT ".repeat(33) + "qty = 1").getMessage()).contains("at 129: nested deeper than 32");
        assertThat(refused("NOT (".repeat(17) + "qty = 1" + ")".repeat(17)).getMessage()).contains("nested deeper than 32");

        StringBuilder in = new StringBuilder("qty IN (0");
        for (int i = 1; i < 1000; i++) {
            in.append(',').append(i);
        }
        assertThat(f(in + ")").test(row("qty", 999))).isTrue();
        assertThat(refused(in + ",1000)").getMessage()).contains("an IN list holds at most 1000 values");

        String hundred = "qty = 1" + " OR qty = 1".repeat(99);
        assertThat(f(hundred).test(row("qty", 1))).isTrue();
        assertThat(refused(hundred + " OR qty = 1").getMessage()).contains("more than 100 conditions");
        assertThat(refused("x".repeat(4096)).getMessage()).contains("unknown column");
        assertThat(refused("x".repeat(4097)).getMessage()).contains("4096");
    }

    @Test
    void hostileTextIsRefusedOrHarmless() {
        assertThat(refused("name = 'x' OR '1'='1'").getMessage()).isEqualTo("filter: at 15: '1' = '1' compares two values; compare a column with a value or another column");
        assertThat(refused("1 = 1").getMessage()).contains("compare a column");
        assertThat(refused("'; DROP TABLE x;--").getMessage()).contains("at 1: unterminated text");
        assertThat(refused("name = ''; DROP TABLE x;--").getMessage()).isEqualTo("filter: at 10: unexpected character ';' (U+003B); a filter is one condition, not statements");
        assertThat(refused("qty = 1 -- comment").getMessage()).contains("at 9: unexpected character '-'", "comments are not part of a filter");
        assertThat(refused("qty = 1 /* c */").getMessage()).contains("at 9:", "comments");
        // quotes are data inside a text literal: this only compares name with a strange string
        RowFilter quoted = f("name = '''; DROP TABLE x;--'");
        assertThat(quoted.test(row("name", "'; DROP TABLE x;--"))).isTrue();
        assertThat(quoted.test(row("name", "x"))).isFalse();
        assertThat(refused("name = \u2019x\u2019").getMessage()).contains("at 8: unexpected character '\u2019' (U+2019)", "straight quotes");
        assertThat(refused("\u201Cname\u201D = 'x'").getMessage()).contains("at 1:", "straight double quotes");
        assertThat(refused("qty = 1\u0000").getMessage()).isEqualTo("filter: at 8: unexpected character U+0000");
        assertThat(refused("\u0000").getMessage()).contains("U+0000");
        assertThat(t("name = 'a\u0000b'", "name", "a\u0000b")).isTrue();
        assertThat(refused("name = 'x' \uD83D\uDE00").getMessage()).contains("U+1F600");
        assertThat(refused("n\u00E4me = 'x'").getMessage()).contains("at 2: unexpected character '\u00E4'", "ASCII");
        assertThat(refused("qty = 1; qty = 2").getMessage()).contains("at 8: unexpected character ';'");
    }

    @Test
    void randomTextOnlyEverGivesInvalidSpecException() {
        String[] pieces = {"qty", "name", "\"Mixed\"", "price", "day", "ref", "blob", "active", "(", ")", "'", "''", "\"", "=", "<>", "!=",
            "<", "<=", ">", ">=", "!", "AND", "OR", "NOT", "IN", "IS", "NULL", "TRUE", "FALSE", ",", "-", "1", "-2.5", "1e3", ".",
            "'x'", "'2024-05-01'", " ", "\u0000", "\u2019", ";", "--", "\uD83D", "é"};
        Random random = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            StringBuilder sb = new StringBuilder();
            int n = random.nextInt(20);
            for (int j = 0; j < n; j++) {
                sb.append(pieces[random.nextInt(pieces.length)]).append(random.nextBoolean() ? " " : "");
            }
            String text = sb.toString();
            try {
                RowFilter filter = f(text);
                filter.test(row("qty", 1, "name", "x", "price", BigDecimal.ONE, "active", true));
                assertThat(f(filter.toString())).as(text).hasToString(filter.toString());
            } catch (InvalidSpecException expected) {
                assertThat(expected.field()).isEqualTo("filter");
            }
        }
    }

    @Test
    void oddValueClassesNeverThrow() {
        Number broken = new Number() {
            @Override
            public int intValue() {
                throw new IllegalStateException();
            }

            @Override
            public long longValue() {
                throw new IllegalStateException();
            }

            @Override
            public float floatValue() {
                throw new IllegalStateException();
            }

            @Override
            public double doubleValue() {
                throw new IllegalStateException();
            }

            @Override
            public String toString() {
                throw new IllegalStateException();
            }
        };
        Object[][] cases = {{"qty", "5"}, {"qty", broken}, {"qty", new Object()}, {"score", Double.NaN}, {"ratio", Float.NaN},
            {"price", "1"}, {"name", 42}, {"active", 1}, {"day", "2024-05-01"}, {"day", Time.valueOf("10:00:00")},
            {"at_time", Instant.now()}, {"created_at", 12345L}, {"created_at", Time.valueOf("10:00:00")}, {"ref", "not-a-uuid"},
            {"ref", 7}, {"blob", "x"}};
        String[] filters = {"qty = 5", "score > 1", "ratio = 1", "price = 1", "name = '42'", "active = TRUE", "day = '2024-05-01'",
            "at_time > '00:00'", "created_at > '1970-01-01'", "ref = '123e4567-e89b-12d3-a456-426614174000'", "qty IN (5)",
            "price > cost", "qty = tiny"};
        for (Object[] c : cases) {
            for (String filter : filters) {
                Map<String, Object> r = row(c[0], c[1], "cost", BigDecimal.ONE, "tiny", (byte) 5);
                assertThat(f(filter).test(r)).as(filter + " with " + c[0]).isFalse();
                if (f(filter).columns().contains((String) c[0])) {
                    assertThat(f("NOT (" + filter + ")").test(r)).as("NOT " + filter + " with " + c[0]).isFalse();
                }
            }
        }
        assertThat(t("ref = '123e4567-e89b-12d3-a456-426614174000'", "ref", REF.toString())).isTrue();
        assertThat(t("blob IS NOT NULL", "blob", "not bytes")).isTrue();
    }
}
