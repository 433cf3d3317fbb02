package io.dih.connector.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.datastax.oss.driver.api.core.cql.Row;
import io.dih.api.BindingSpec;
import io.dih.api.SqlType;
import io.dih.spi.Connector;
import io.dih.spi.ConnectorContext;
import io.dih.spi.SourceRejectedException;
import io.dih.spi.SourceTable;
import io.dih.testing.TestingCassandraServer;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.sql.Date;
import java.sql.Time;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every CQL type the README maps, through describe, write, read and load; and a table with a compound primary key. */
class CassandraTypesIT {
    private static TestingCassandraServer server;

    @BeforeAll
    static void startServer() {
        server = CassandraConnectorIT.server();
    }

    private static Connector connect() {
        return new CassandraConnectorFactory().create("types", CassandraConnectorIT.params(server), ConnectorContext.of(Map.of()));
    }

    @Test
    void everyTypeMapsAndRoundTrips() {
        server.execute("DROP TABLE IF EXISTS contract.all_types");
        server.execute("DROP TYPE IF EXISTS contract.address");
        server.execute("CREATE TYPE contract.address (street text, zip int)");
        server.execute("CREATE TABLE contract.all_types (id uuid PRIMARY KEY, t text, v varchar, a ascii, ti tinyint, si smallint, i int,"
                + " bi bigint, f float, d double, dec decimal, vi varint, b boolean, tu timeuuid, ts timestamp, dt date, tm time, bl blob,"
                + " ip inet, l list<int>, s set<text>, m map<text, int>, addr frozen<address>, tup tuple<int, text>)");
        UUID id = UUID.randomUUID();
        UUID timeuuid = UUID.fromString("50554d6e-29bb-11e5-b345-feff819cdc9f");
        try (Connector c = connect()) {
            BindingSpec b = BindingSpec.defaultFor("all_types");
            SourceTable t = c.describe(b);
            assertThat(t.primaryKey()).containsExactly("id");
            assertThat(t.columns()).containsEntry("id", SqlType.UUID).containsEntry("t", SqlType.VARCHAR).containsEntry("v", SqlType.VARCHAR)
                    .containsEntry("a", SqlType.VARCHAR).containsEntry("ti", SqlType.TINYINT).containsEntry("si", SqlType.SMALLINT)
                    .containsEntry("i", SqlType.INT).containsEntry("bi", SqlType.BIGINT).containsEntry("f", SqlType.REAL)
                    .containsEntry("d", SqlType.DOUBLE).containsEntry("dec", SqlType.DECIMAL).containsEntry("vi", SqlType.DECIMAL)
                    .containsEntry("b", SqlType.BOOLEAN).containsEntry("tu", SqlType.UUID).containsEntry("ts", SqlType.TIMESTAMP)
                    .containsEntry("dt", SqlType.DATE).containsEntry("tm", SqlType.TIME).containsEntry("bl", SqlType.BINARY)
                    .containsEntry("ip", SqlType.VARCHAR).containsEntry("l", SqlType.VARCHAR).containsEntry("s", SqlType.VARCHAR)
                    .containsEntry("m", SqlType.VARCHAR).containsEntry("addr", SqlType.VARCHAR).containsEntry("tup", SqlType.VARCHAR);

            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", id);
            row.put("t", "text ü");
            row.put("v", "varchar");
            row.put("a", "ascii");
            row.put("ti", (byte) 7);
            row.put("si", (short) 300);
            row.put("i", 70_000);
            row.put("bi", 1L << 40);
            row.put("f", 1.5f);
            row.put("d", 2.25d);
            row.put("dec", new BigDecimal("12345.6789"));
            row.put("vi", new BigDecimal("123456789012345678901234567890"));
            row.put("b", true);
            row.put("tu", timeuuid);
            row.put("ts", Timestamp.from(Instant.parse("2024-05-06T07:08:09.123Z")));
            row.put("dt", Date.valueOf(LocalDate.of(2024, 5, 6)));
            row.put("tm", timeWithMillis());
            row.put("bl", new byte[] {1, 2, 3});
            row.put("ip", "10.1.2.3");
            row.put("l", "[1, 2, 3]");
            row.put("s", "[\"x\", \"y\"]");
            row.put("m", "{\"k\": 5}");
            row.put("addr", "{\"street\": \"Main\", \"zip\": 12345}");
            row.put("tup", "[1, \"one\"]");
            c.write(b, List.of(row), List.of());

            Row stored = server.execute("SELECT * FROM contract.all_types WHERE id = ?", id).one();
            assertThat(stored.getList("l", Integer.class)).containsExactly(1, 2, 3);
            assertThat(stored.getMap("m", String.class, Integer.class)).containsEntry("k", 5);
            assertThat(stored.getInetAddress("ip")).isEqualTo(inet("10.1.2.3"));
            assertThat(stored.getBigInteger("vi")).isEqualTo(new java.math.BigInteger("123456789012345678901234567890"));
            assertThat(stored.getLocalTime("tm")).isEqualTo(LocalTime.of(7, 8, 9, 250_000_000));
            assertThat(stored.getInstant("ts")).isEqualTo(Instant.parse("2024-05-06T07:08:09.123Z"));

            Map<String, Object> read = c.read(b, Map.of("id", id)).orElseThrow();
            assertThat(read).containsEntry("t", "text ü").containsEntry("ti", (byte) 7).containsEntry("si", (short) 300)
                    .containsEntry("i", 70_000).containsEntry("bi", 1L << 40).containsEntry("f", 1.5f).containsEntry("d", 2.25d)
                    .containsEntry("b", true).containsEntry("tu", timeuuid).containsEntry("ip", "10.1.2.3")
                    .containsEntry("ts", Timestamp.from(Instant.parse("2024-05-06T07:08:09.123Z")))
                    .containsEntry("dt", Date.valueOf(LocalDate.of(2024, 5, 6))).containsEntry("tm", timeWithMillis())
                    .containsEntry("l", "[1, 2, 3]").containsEntry("s", "[\"x\", \"y\"]").containsEntry("m", "{\"k\": 5}")
                    .containsEntry("tup", "[1, \"one\"]");
            assertThat((BigDecimal) read.get("dec")).isEqualByComparingTo("12345.6789");
            assertThat((BigDecimal) read.get("vi")).isEqualByComparingTo("123456789012345678901234567890");
            assertThat((byte[]) read.get("bl")).containsExactly(1, 2, 3);
            assertThat((String) read.get("addr")).contains("\"street\": \"Main\"", "\"zip\": 12345");

            List<Map<String, Object>> loaded = new ArrayList<>();
            c.load(b, null, r -> loaded.add(new LinkedHashMap<>(r)));
            assertThat(loaded).singleElement().satisfies(r -> assertThat(r).containsEntry("m", "{\"k\": 5}").containsEntry("id", id));

            Map<String, Object> nulls = new LinkedHashMap<>();
            nulls.put("id", id);
            nulls.put("t", null);
            nulls.put("l", null);
            c.write(b, List.of(nulls), List.of());
            assertThat(c.read(b, Map.of("id", id)).orElseThrow()).containsEntry("t", null).containsEntry("l", null).containsEntry("i", 70_000);
        }
    }

    @Test
    void aCompoundKeyIsWrittenPerPartitionInBoundedBatchesAndLoadedInFull() {
        server.execute("DROP TABLE IF EXISTS contract.readings");
        server.execute("CREATE TABLE contract.readings (sensor text, day int, seq int, value double, PRIMARY KEY ((sensor, day), seq))");
        try (Connector c = connect()) {
            BindingSpec b = new BindingSpec("contract.readings", null, List.of("seq", "day", "sensor"), null, "seq", null);
            assertThat(c.describe(b).primaryKey()).containsExactly("sensor", "day", "seq");
            List<Map<String, Object>> rows = new ArrayList<>();
            for (int seq = 0; seq < 3 * CassandraWriter.MAX_BATCH + 7; seq++) { // one partition, several batches
                rows.add(new LinkedHashMap<>(Map.of("sensor", "a", "day", 1, "seq", seq, "value", seq * 0.5)));
            }
            for (int sensor = 0; sensor < 40; sensor++) { // many partitions of one row
                rows.add(new LinkedHashMap<>(Map.of("sensor", "s" + sensor, "day", 2, "seq", 0, "value", 1.0)));
            }
            c.write(b, rows, List.of());
            assertThat(server.execute("SELECT count(*) FROM contract.readings").one().getLong(0)).isEqualTo(rows.size());
            assertThat(c.read(b, Map.of("sensor", "a", "day", 1, "seq", 42))).hasValueSatisfying(r -> assertThat(r).containsEntry("value", 21.0));

            List<Map<String, Object>> loaded = new ArrayList<>();
            Object max = c.load(b, null, r -> loaded.add(new LinkedHashMap<>(r)));
            assertThat(loaded).hasSize(rows.size());
            assertThat(max).isEqualTo(3 * CassandraWriter.MAX_BATCH + 6);
            List<Map<String, Object>> past = new ArrayList<>();
            c.load(b, 150, r -> past.add(new LinkedHashMap<>(r)));
            assertThat(past).extracting(r -> r.get("seq")).containsExactlyInAnyOrder(151, 152, 153, 154, 155, 156);

            c.write(b, List.of(), List.of(Map.of("sensor", "a", "day", 1, "seq", 42)));
            assertThat(c.read(b, Map.of("sensor", "a", "day", 1, "seq", 42))).isEmpty();
            assertThat(((CassandraConnector) c).preparedStatements()).as("prepared once, reused").isLessThanOrEqualTo(5);
        }
    }

    @Test
    void vectorsAndDurationsAreTextAndCounterTablesAreReadOnly() {
        server.execute("DROP TABLE IF EXISTS contract.embeddings");
        server.execute("CREATE TABLE contract.embeddings (id int PRIMARY KEY, v vector<float, 3>, d duration)");
        server.execute("DROP TABLE IF EXISTS contract.hits");
        server.execute("CREATE TABLE contract.hits (page text PRIMARY KEY, n counter)");
        server.execute("UPDATE contract.hits SET n = n + 3 WHERE page = 'home'");
        try (Connector c = connect()) {
            BindingSpec b = BindingSpec.defaultFor("embeddings");
            assertThat(c.describe(b).columns()).containsEntry("v", SqlType.VARCHAR).containsEntry("d", SqlType.VARCHAR);
            c.write(b, List.of(new LinkedHashMap<>(Map.of("id", 1, "v", "[0.5, 1.5, 2.5]", "d", "PT1H30M"))), List.of());
            Map<String, Object> read = c.read(b, Map.of("id", 1)).orElseThrow();
            assertThat(read).containsEntry("v", "[0.5, 1.5, 2.5]").containsEntry("d", "1h30m");

            BindingSpec hits = BindingSpec.defaultFor("hits");
            assertThat(c.describe(hits).columns()).containsEntry("n", SqlType.BIGINT);
            assertThat(c.read(hits, Map.of("page", "home"))).hasValueSatisfying(r -> assertThat(r).containsEntry("n", 3L));
            assertThatThrownBy(() -> c.write(hits, List.of(new LinkedHashMap<>(Map.of("page", "home", "n", 5L))), List.of()))
                    .isInstanceOf(SourceRejectedException.class);
        }
    }

    /** 07:08:09.250 */
    private static Time timeWithMillis() {
        Time t = Time.valueOf(LocalTime.of(7, 8, 9));
        t.setTime(t.getTime() + 250);
        return t;
    }

    private static InetAddress inet(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
