package io.dih.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dih.api.BindingSpec;
import io.dih.api.SqlType;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The contract every connector keeps, one test per capability it declares (tests for capabilities it does not
 * declare are not generated, so nothing is skipped). A connector module extends this with a real server behind it.
 *
 * <p>The fixture table has {@code id} (BIGINT primary key), {@code name} (text, NOT NULL), {@code amount} (decimal,
 * never negative: a CHECK constraint, where the source has them; see {@link #refusedRow()}) and {@code version} (BIGINT,
 * a watermark).
 */
public abstract class ConnectorContract {
    /** The factory under test. */
    protected abstract ConnectorFactory factory();

    /** Connection parameters of the real server behind the test. */
    protected abstract Map<String, Object> connectionParams();

    /** Creates the fixture table under this name (dropping an old one) and inserts the rows (id, name, amount, version). */
    protected abstract void createTable(String table, List<Object[]> rows);

    /** Inserts one more row straight into the source. */
    protected abstract void insert(String table, long id, String name, BigDecimal amount, long version);

    /** Sets the row's name to "first", then to "second", in one transaction. */
    protected abstract void updateTwiceInOneTransaction(String table, long id);

    protected abstract void delete(String table, long id);

    /** A row as the source has it now (column to value), or empty. */
    protected abstract Optional<Map<String, Object>> rowInSource(String table, long id);

    /**
     * The binding of a fixture table (with an optional watermark column). Override when the source needs more to read it
     * (a document store naming its key field); by default, the table of that name and its primary key.
     */
    protected BindingSpec binding(String table, String watermarkColumn) {
        return new BindingSpec(table, null, null, null, watermarkColumn, null);
    }

    /**
     * An {@code amount} the source refuses to store: by default a negative one (the fixture's CHECK constraint); a source
     * without constraints gives a value its schema rejects.
     */
    protected Object amountTheSourceRefuses() {
        return new BigDecimal("-1");
    }

    /**
     * Whether a write is all or none (one source transaction). A source without transactions applies the valid upserts
     * and deletes of a write that it partly refuses, and still throws {@link SourceRejectedException} for the refused ones.
     */
    protected boolean writesAllOrNone() {
        return true;
    }

    /**
     * A binding of a table that does not exist, and the field the connector must name for it. By default the table of
     * that name, and {@code table}; a source that reads something else (the objects under a prefix) names its own.
     */
    protected Map.Entry<BindingSpec, String> missingTable() {
        return Map.entry(BindingSpec.defaultFor("no_such_table_anywhere"), "table");
    }

    /**
     * A row with id 3 that the source refuses to store. By default the fixture row with {@link #amountTheSourceRefuses()};
     * a source whose refusals depend on more than one value (a type the column cannot take) overrides the whole row.
     */
    protected Map<String, Object> refusedRow() {
        return new LinkedHashMap<>(Map.of("id", 3L, "name", "negative", "amount", amountTheSourceRefuses(), "version", 13L));
    }

    private Connector connect() {
        return factory().create("contract", connectionParams(), ConnectorContext.of(Map.of()));
    }

    private static List<Object[]> rows(int n) {
        List<Object[]> rows = new ArrayList<>();
        for (long i = 1; i <= n; i++) {
            rows.add(new Object[] {i, "name-" + i, BigDecimal.valueOf(i * 10, 2), i});
        }
        return rows;
    }

    @Test
    void declaresItselfConsistently() {
        ConnectorFactory f = factory();
        assertThat(f.type()).isNotBlank().isLowerCase();
        assertThat(f.capabilities()).isNotEmpty();
        try (Connector c = connect()) {
            assertThat(c.capabilities()).isEqualTo(f.capabilities());
        }
    }

    @Test
    void validateReportsFieldsWithoutThrowing() {
        assertThat(factory().validate(connectionParams())).isEmpty();
        Map<String, Object> bad = new LinkedHashMap<>(connectionParams());
        bad.put("port", "not-a-port");
        bad.put("no_such_parameter", 1);
        List<FieldError> errors = factory().validate(bad);
        assertThat(errors).extracting(FieldError::field)
                .contains("connection_params.port", "connection_params.no_such_parameter");
    }

    @Test
    void describeNamesTheMissingTable() {
        try (Connector c = connect()) {
            Map.Entry<BindingSpec, String> missing = missingTable();
            assertThatThrownBy(() -> c.describe(missing.getKey()))
                    .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo(missing.getValue()));
        }
    }

    @Test
    void describeGivesColumnsAndKey() {
        createTable("contract_describe", rows(1));
        try (Connector c = connect()) {
            SourceTable t = c.describe(binding("contract_describe", null));
            assertThat(t.primaryKey()).containsExactly("id");
            assertThat(t.columns()).containsEntry("id", SqlType.BIGINT).containsEntry("amount", SqlType.DECIMAL)
                    .containsEntry("version", SqlType.BIGINT).containsKey("name");
        }
    }

    @Test
    void closeIsIdempotent() {
        Connector c = connect();
        c.close();
        c.close();
    }

    @TestFactory
    Stream<DynamicTest> declaredCapabilities() {
        List<DynamicTest> tests = new ArrayList<>();
        if (factory().capabilities().contains(Capability.BULK_LOAD)) {
            tests.add(DynamicTest.dynamicTest("BULK_LOAD: every row, then past the watermark", this::bulkLoad));
        }
        if (factory().capabilities().contains(Capability.READ_THROUGH)) {
            tests.add(DynamicTest.dynamicTest("READ_THROUGH: a row by key, or nothing; the rows of many keys", this::readThrough));
        }
        if (factory().capabilities().contains(Capability.WRITE_THROUGH) || factory().capabilities().contains(Capability.WRITE_BEHIND)) {
            tests.add(DynamicTest.dynamicTest("WRITE: upserts and deletes; a refused one fails the write", this::write));
        }
        if (factory().capabilities().contains(Capability.CHANGE_FEED)) {
            tests.add(DynamicTest.dynamicTest("CHANGE_FEED: snapshot, then changes; resumes from its offsets; dropped", this::changeFeed));
        }
        return tests.stream();
    }

    /** An offset store in memory, as the hub's cache would be. */
    private static final class MemoryOffsets implements OffsetStore {
        volatile Map<String, String> saved = Map.of();

        @Override
        public Map<String, String> load() {
            return saved;
        }

        @Override
        public void save(Map<String, String> offsets) {
            saved = new LinkedHashMap<>(offsets);
        }

        final List<String> history = java.util.Collections.synchronizedList(new ArrayList<>());

        @Override
        public List<String> history() {
            return List.copyOf(history);
        }

        @Override
        public void appendHistory(String record) {
            history.add(record);
        }
    }

    /** Runs a feed on a thread of its own until the returned handle is closed. */
    private static Thread runFeed(ChangeFeed feed, java.util.concurrent.atomic.AtomicReference<Throwable> failed) {
        Thread t = new Thread(() -> {
            try {
                feed.run();
            } catch (Throwable e) {
                failed.set(e);
            }
        }, "contract-feed");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void await(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(50);
        }
    }

    private void changeFeed() throws Exception {
        createTable("contract_cdc", rows(3));
        MemoryOffsets offsets = new MemoryOffsets();
        List<ChangeEvent> events = new java.util.concurrent.CopyOnWriteArrayList<>(); // read by streams while the feed appends
        java.util.concurrent.atomic.AtomicReference<Throwable> failed = new java.util.concurrent.atomic.AtomicReference<>();
        try (Connector c = connect()) {
            BindingSpec b = BindingSpec.defaultFor("contract_cdc");
            String table = c.describe(b).name();
            ChangeFeed feed = c.changeFeed("contract_feed", List.of(b), offsets, events::addAll);
            Thread t = runFeed(feed, failed);
            await(() -> events.size() >= 3 || failed.get() != null, "the snapshot's three rows");
            assertThat(failed.get()).isNull();
            assertThat(events).allSatisfy(e -> {
                assertThat(e.kind()).isEqualTo(ChangeEvent.Kind.UPSERT);
                assertThat(e.snapshot()).isTrue();
                assertThat(e.table()).isEqualTo(table);
            });
            assertThat(events).extracting(e -> e.key().get("id")).containsExactlyInAnyOrder(1L, 2L, 3L);
            ChangeEvent snapshotted = events.get(0);

            insert("contract_cdc", 4, "streamed", BigDecimal.TEN, 4);
            await(() -> events.stream().anyMatch(e -> Long.valueOf(4).equals(e.key().get("id"))), "the streamed insert");
            ChangeEvent streamed = events.stream().filter(e -> Long.valueOf(4).equals(e.key().get("id"))).findFirst().orElseThrow();
            assertThat(streamed.snapshot()).isFalse();
            assertThat(streamed.isAfter(snapshotted)).as("a streamed change comes after the snapshot").isTrue();
            assertThat(streamed.row()).containsEntry("name", "streamed");
            assertThat((BigDecimal) streamed.row().get("amount")).isEqualByComparingTo("10");

            // two changes of one key in one transaction, then a delete: positions keep rising
            updateTwiceInOneTransaction("contract_cdc", 4);
            delete("contract_cdc", 4);
            await(() -> events.stream().anyMatch(e -> e.kind() == ChangeEvent.Kind.DELETE), "the streamed delete");
            List<ChangeEvent> ofFour = events.stream().filter(e -> Long.valueOf(4).equals(e.key().get("id"))).toList();
            assertThat(ofFour).extracting(ChangeEvent::kind).containsExactly(ChangeEvent.Kind.UPSERT, ChangeEvent.Kind.UPSERT,
                    ChangeEvent.Kind.UPSERT, ChangeEvent.Kind.DELETE);
            assertThat(ofFour.get(2).row()).containsEntry("name", "second");
            for (int i = 1; i < ofFour.size(); i++) {
                assertThat(ofFour.get(i).isAfter(ofFour.get(i - 1))).as("change %d of key 4 comes after change %d: %s", i, i - 1, ofFour).isTrue();
            }

            // a write through the connector says where it sits in the log: its own change at or before, later ones after
            if (factory().capabilities().contains(Capability.WRITE_THROUGH)) {
                long at = c.writeAt(b, List.of(new LinkedHashMap<>(Map.of("id", 6L, "name", "hub", "amount", BigDecimal.ONE, "version", 6L))), List.of());
                insert("contract_cdc", 7, "outside", BigDecimal.ONE, 7);
                await(() -> events.stream().anyMatch(e -> Long.valueOf(7).equals(e.key().get("id"))), "the write and the insert after it");
                if (at >= 0) {
                    ChangeEvent own = events.stream().filter(e -> Long.valueOf(6).equals(e.key().get("id"))).findFirst().orElseThrow();
                    ChangeEvent later = events.stream().filter(e -> Long.valueOf(7).equals(e.key().get("id"))).findFirst().orElseThrow();
                    assertThat(own.isAfter(at, Long.MAX_VALUE)).as("the write's own change is at or before " + at + ": " + own).isFalse();
                    assertThat(later.isAfter(at, Long.MAX_VALUE)).as("a later change is after " + at + ": " + later).isTrue();
                }
            }
            await(() -> !offsets.saved.isEmpty(), "the offsets are saved");
            feed.close();
            t.join(30_000);

            // a new feed from the saved offsets: no second snapshot, the next change only
            events.clear();
            insert("contract_cdc", 5, "after restart", BigDecimal.ONE, 5);
            ChangeFeed again = c.changeFeed("contract_feed", List.of(b), offsets, events::addAll);
            Thread t2 = runFeed(again, failed);
            await(() -> events.stream().anyMatch(e -> Long.valueOf(5).equals(e.key().get("id"))) || failed.get() != null, "the change made while stopped");
            assertThat(failed.get()).isNull();
            assertThat(events).noneMatch(ChangeEvent::snapshot);
            again.close();
            t2.join(30_000);
            c.dropChangeFeed("contract_feed");
            c.dropChangeFeed("contract_feed"); // idempotent
        }
    }

    private void bulkLoad() {
        createTable("contract_load", rows(250));
        try (Connector c = connect()) {
            BindingSpec b = binding("contract_load", "version");
            if (c.parts(b).isPresent()) {
                partedLoad(c, b);
                return;
            }
            assertThat(c.count(b, null).orElse(250)).isEqualTo(250);
            List<Map<String, Object>> got = new ArrayList<>();
            Object watermark = c.load(b, null, row -> got.add(new LinkedHashMap<>(row)));
            assertThat(got).hasSize(250);
            assertThat(got).anySatisfy(r -> {
                assertThat(r.get("id")).isEqualTo(7L);
                assertThat(r.get("name")).isEqualTo("name-7");
                assertThat((BigDecimal) r.get("amount")).isEqualByComparingTo("0.70");
            });
            assertThat(watermark).isEqualTo(250L);

            insert("contract_load", 251, "late", BigDecimal.ONE, 251);
            List<Map<String, Object>> more = new ArrayList<>();
            Object next = c.load(b, watermark, row -> more.add(new LinkedHashMap<>(row)));
            assertThat(more).extracting(r -> r.get("id")).containsExactly(251L);
            assertThat(next).isEqualTo(251L);
        }
    }

    /**
     * A source made of parts: each row names its part; a new row arrives as a new or changed part (the parts already
     * read keep their versions), and reading the parts whose version changed gives just that row. {@link Connector#load}
     * still reads every row.
     */
    private void partedLoad(Connector c, BindingSpec b) {
        LoadParts first = c.parts(b).orElseThrow();
        assertThat(first.parts()).isNotEmpty();
        assertThat(c.describe(b).columns()).containsKey(first.column());
        List<Map<String, Object>> got = new ArrayList<>();
        for (LoadPart p : first.parts()) {
            c.loadPart(b, p, row -> {
                assertThat(row.get(first.column())).isEqualTo(p.name());
                got.add(new LinkedHashMap<>(row));
            });
        }
        assertThat(got).hasSize(250);
        assertThat(got).anySatisfy(r -> {
            assertThat(r.get("id")).isEqualTo(7L);
            assertThat(r.get("name")).isEqualTo("name-7");
            assertThat((BigDecimal) r.get("amount")).isEqualByComparingTo("0.70");
        });

        insert("contract_load", 251, "late", BigDecimal.ONE, 251);
        LoadParts second = c.parts(b).orElseThrow();
        Map<String, String> before = new LinkedHashMap<>();
        first.parts().forEach(p -> before.put(p.name(), p.version()));
        List<Map<String, Object>> more = new ArrayList<>();
        for (LoadPart p : second.parts()) {
            if (!p.version().equals(before.get(p.name()))) {
                c.loadPart(b, p, row -> more.add(new LinkedHashMap<>(row)));
            }
        }
        assertThat(more).as("only the new or changed parts are read again").extracting(r -> r.get("id")).contains(251L);
        assertThat(more.size()).isLessThan(251);
        List<Object> all = new ArrayList<>();
        c.load(b, null, row -> all.add(row.get("id")));
        assertThat(all).hasSize(251).contains(1L, 251L);
    }

    private void readThrough() {
        createTable("contract_read", rows(3));
        try (Connector c = connect()) {
            BindingSpec b = binding("contract_read", null);
            assertThat(c.read(b, Map.of("id", 2L))).hasValueSatisfying(r -> assertThat(r.get("name")).isEqualTo("name-2"));
            assertThat(c.read(b, Map.of("id", 99L))).isEmpty();
        }
        // many keys at once: more than one request's worth for a connector that batches, missing and repeated keys among them
        createTable("contract_read_all", rows(300));
        try (Connector c = connect()) {
            BindingSpec b = binding("contract_read_all", null);
            List<Map<String, Object>> keys = new ArrayList<>();
            for (long id = 300; id >= 1; id--) {
                keys.add(Map.of("id", id));
            }
            keys.add(Map.of("id", 1000L));
            keys.add(Map.of("id", 7L));
            Map<Object, Object> names = new HashMap<>();
            for (Map<String, Object> row : c.readAll(b, keys)) {
                names.merge(((Number) row.get("id")).longValue(), row.get("name"), (x, y) -> x);
            }
            assertThat(names).hasSize(300).containsEntry(1L, "name-1").containsEntry(300L, "name-300").doesNotContainKey(1000L);
            assertThat(c.readAll(b, List.of(Map.of("id", 5L)))).singleElement().satisfies(r -> assertThat(r.get("name")).isEqualTo("name-5"));
            assertThat(c.readAll(b, List.of(Map.of("id", 999L), Map.of("id", 998L)))).isEmpty();
            assertThat(c.readAll(b, List.of())).isEmpty();
        }
    }

    private void write() {
        createTable("contract_write", rows(3));
        try (Connector c = connect()) {
            BindingSpec b = binding("contract_write", null);
            Map<String, Object> upd = new LinkedHashMap<>(Map.of("id", 1L, "name", "changed", "amount", new BigDecimal("5.00"), "version", 10L));
            Map<String, Object> ins = new LinkedHashMap<>(Map.of("id", 4L, "name", "new", "amount", new BigDecimal("1.00"), "version", 11L));
            c.write(b, List.of(upd, ins), List.of(Map.of("id", 2L)));
            assertThat(rowInSource("contract_write", 1)).hasValueSatisfying(r -> assertThat(r.get("name")).isEqualTo("changed"));
            assertThat(rowInSource("contract_write", 4)).isPresent();
            assertThat(rowInSource("contract_write", 2)).isEmpty();

            Map<String, Object> fine = new LinkedHashMap<>(Map.of("id", 5L, "name", "fine", "amount", BigDecimal.ONE, "version", 12L));
            Map<String, Object> refused = refusedRow();
            assertThatThrownBy(() -> c.write(b, List.of(fine, refused), List.of())).isInstanceOf(SourceRejectedException.class);
            if (writesAllOrNone()) {
                assertThat(rowInSource("contract_write", 5)).as("all or none").isEmpty();
            } else {
                assertThat(rowInSource("contract_write", 5)).as("no transactions: the valid upsert is applied").isPresent();
            }
            assertThat(rowInSource("contract_write", 3)).hasValueSatisfying(r -> assertThat(r.get("name")).isEqualTo("name-3"));
        }
    }
}
