package io.dih.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.dih.api.BindingSpec;
import io.dih.api.RegionSpec;
import io.dih.api.SourceSpec;
import io.dih.api.SqlType;
import io.dih.server.node.HubConfigLoader;
import io.dih.server.node.HubNode;
import io.dih.server.sync.SourceStatus;
import io.dih.testing.FreePorts;
import io.dih.testing.TestingPostgresServer;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.ignite.IgniteDataStreamer;
import org.apache.ignite.Ignition;
import org.apache.ignite.binary.BinaryObject;
import org.apache.ignite.binary.BinaryObjectBuilder;
import org.apache.ignite.client.ClientCache;
import org.apache.ignite.client.IgniteClient;
import org.apache.ignite.configuration.ClientConfiguration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A region fed by a real PostgreSQL against PostgreSQL itself, on the same rows in the same run: a thin-client region
 * get against a pooled, prepared primary-key SELECT, and the hub's bulk load against a raw JDBC streaming scan.
 */
@Command(name = "source", mixinStandardHelpOptions = true,
        description = "PostgreSQL-backed region: thin-client get vs PostgreSQL PK SELECT; hub bulk load vs raw JDBC scan.")
public final class SourceBenchmark implements Callable<Integer> {
    @Option(names = "--rows", defaultValue = "100000", description = "rows in the table (default ${DEFAULT-VALUE})")
    long rows;

    @Option(names = "--threads", split = ",", defaultValue = "1,4,16", description = "client thread counts (default ${DEFAULT-VALUE})")
    List<Integer> threads;

    @Option(names = "--seconds", defaultValue = "5", description = "measured seconds per run (default ${DEFAULT-VALUE})")
    double seconds;

    @Option(names = "--warmup", defaultValue = "2", description = "warm-up seconds per run (default ${DEFAULT-VALUE})")
    double warmup;

    @Override
    public Integer call() throws Exception {
        Path work = Files.createTempDirectory("dih-bench-src-");
        try (TestingPostgresServer pg = TestingPostgresServer.start()) {
            pg.execute("CREATE TABLE bench (id BIGINT PRIMARY KEY, name TEXT NOT NULL, score INT, balance NUMERIC(12,2), updated_at TIMESTAMPTZ)",
                    "INSERT INTO bench SELECT g, 'name-' || g, g % 100, g * 0.5, now() FROM generate_series(1, " + rows + ") g",
                    "ANALYZE bench");
            int thinPort = FreePorts.next();
            ObjectNode tree = BenchSupport.hubTree("bench-src", work, thinPort);

            // baseline: a raw JDBC streaming scan of the whole table, three times (the first warms PostgreSQL's cache and
            // the JIT, as the hub's warm-up load does); the fastest counts
            double scanSeconds = Double.MAX_VALUE;
            long scanned = 0;
            for (int run = 0; run < 3; run++) {
                long scanStart = System.nanoTime();
                scanned = scan(pg);
                scanSeconds = Math.min(scanSeconds, (System.nanoTime() - scanStart) / 1e9);
            }

            try (HubNode node = HubNode.start(new HubConfigLoader(Map.of()).load(tree))) {
                Map<String, Object> params = BenchSupport.connectionParams(pg);
                load(node, "bench_warm", "pg_warm", params); // the same load once before, so the JIT has compiled its path
                long loadStart = System.nanoTime();
                SourceStatus.RegionLoad load = load(node, "bench", "pg", params);
                double loadSeconds = (System.nanoTime() - loadStart) / 1e9;
                double ownSeconds = BenchSupport.loadSeconds(load);
                // Ignite's own floor: the same scan streamed by hand into an identical region (warm-up first, as above)
                floor(node, pg, "bench_floor_warm");
                double floorSeconds = floor(node, pg, "bench_floor");

                HikariConfig hc = new HikariConfig();
                hc.setJdbcUrl(pg.jdbcUrl());
                hc.setUsername(pg.user());
                hc.setPassword(pg.password());
                hc.setMaximumPoolSize(threads.stream().mapToInt(Integer::intValue).max().orElse(1));
                List<LoadRunner.Result> results = new ArrayList<>();
                try (HikariDataSource pool = new HikariDataSource(hc);
                     IgniteClient thin = Ignition.startClient(new ClientConfiguration().setAddresses("127.0.0.1:" + thinPort))) {
                    ClientCache<Long, BinaryObject> cache = thin.<Long, BinaryObject>cache("bench").withKeepBinary();
                    for (int t : threads) {
                        results.add(LoadRunner.run("thin client get", t, rows, warmup, seconds, k -> {
                            BinaryObject v = cache.get(k + 1);
                            if (v == null || !("name-" + (k + 1)).equals(v.field("name"))) {
                                throw new IllegalStateException("wrong value for " + (k + 1));
                            }
                        }));
                        results.add(LoadRunner.run("PostgreSQL PK SELECT", t, rows, warmup, seconds, k -> {
                            try (Connection c = pool.getConnection();
                                 PreparedStatement ps = c.prepareStatement("SELECT id, name, score, balance, updated_at FROM bench WHERE id = ?")) {
                                ps.setLong(1, k + 1);
                                try (ResultSet rs = ps.executeQuery()) {
                                    if (!rs.next() || !("name-" + (k + 1)).equals(rs.getString(2))) {
                                        throw new IllegalStateException("wrong row for " + (k + 1));
                                    }
                                }
                            }
                        }));
                    }
                }
                print(results, scanned, scanSeconds, floorSeconds, load.rowsLoaded(), loadSeconds, ownSeconds);
            }
        } finally {
            BenchSupport.deleteTree(work);
        }
        return 0;
    }

    /** A raw JDBC streaming scan of the whole table, reading every column; the rows read. */
    private static long scan(TestingPostgresServer pg) throws Exception {
        long scanned = 0;
        try (Connection c = pg.connect()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("SELECT id, name, score, balance, updated_at FROM bench")) {
                ps.setFetchSize(1000);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rs.getLong(1);
                        rs.getString(2);
                        rs.getInt(3);
                        rs.getBigDecimal(4);
                        rs.getTimestamp(5);
                        scanned++;
                    }
                }
            }
        }
        return scanned;
    }

    /**
     * The scan streamed into a new region with all five columns by a bare {@link IgniteDataStreamer} with the settings a
     * hub load uses (one reused builder, buffer 2048, no overwrite, no store): what Ignite itself needs, without the
     * hub's conversion, keys or dead letters. The seconds it took.
     */
    private static double floor(HubNode node, TestingPostgresServer pg, String region) throws Exception {
        Map<String, SqlType> fields = new LinkedHashMap<>();
        fields.put("id", SqlType.BIGINT);
        fields.put("name", SqlType.VARCHAR);
        fields.put("score", SqlType.INT);
        fields.put("balance", SqlType.DECIMAL);
        fields.put("updated_at", SqlType.TIMESTAMP);
        node.regions().create(new RegionSpec(region, null, 0, null, null, null, null, null, List.of("id"), fields));
        BinaryObjectBuilder b = node.ignite().binary().builder(node.regions().get(region).valueType());
        long start = System.nanoTime();
        try (Connection c = pg.connect();
             IgniteDataStreamer<Long, BinaryObject> streamer = node.ignite().dataStreamer(region)) {
            streamer.perNodeBufferSize(2048);
            streamer.allowOverwrite(false);
            streamer.skipStore(true);
            streamer.keepBinary(true);
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("SELECT id, name, score, balance, updated_at FROM bench")) {
                ps.setFetchSize(1000);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        b.setField("name", rs.getString(2), String.class);
                        b.setField("score", rs.getInt(3), Integer.class);
                        b.setField("balance", rs.getBigDecimal(4), BigDecimal.class);
                        b.setField("updated_at", rs.getTimestamp(5), Timestamp.class);
                        streamer.addData(rs.getLong(1), b.build());
                    }
                }
            }
        }
        return (System.nanoTime() - start) / 1e9;
    }

    /** Registers a source of the bench table into a new region and waits until its first load is done. */
    private static SourceStatus.RegionLoad load(HubNode node, String region, String source, Map<String, Object> params) throws Exception {
        node.regions().create(new RegionSpec(region, null, 0, null, null, null, null, null, List.of("id"), Map.of("id", SqlType.BIGINT)));
        node.sources().register(new SourceSpec(source, "postgresql", params, List.of(region), null, null, null,
                Map.of(region, new BindingSpec("bench", null, null, null, null, null)), null, null));
        return BenchSupport.awaitLoad(node, source, region);
    }

    private void print(List<LoadRunner.Result> results, long scanned, double scanSeconds, double floorSeconds, long loaded, double loadSeconds,
                       double ownSeconds) {
        System.out.println();
        System.out.printf(Locale.ROOT, "PostgreSQL-backed region, %,d rows, one hub node and PostgreSQL 17 on the same %d cores%n",
                rows, Runtime.getRuntime().availableProcessors());
        System.out.println("| path | threads | ops/s | p50 µs | p99 µs |");
        System.out.println("|---|---:|---:|---:|---:|");
        Map<String, LoadRunner.Result> by = new LinkedHashMap<>();
        for (LoadRunner.Result r : results) {
            by.put(r.name() + "/" + r.threads(), r);
            System.out.printf(Locale.ROOT, "| %s | %d | %,.0f | %.1f | %.1f |%n", r.name(), r.threads(), r.opsPerSecond(), r.p50Micros(), r.p99Micros());
        }
        System.out.println();
        System.out.println("| threads | hub/PostgreSQL ops/s | PostgreSQL/hub p50 |");
        System.out.println("|---:|---:|---:|");
        for (int t : threads) {
            LoadRunner.Result hub = by.get("thin client get/" + t);
            LoadRunner.Result pg = by.get("PostgreSQL PK SELECT/" + t);
            System.out.printf(Locale.ROOT, "| %d | %.2f | %.2f× |%n", t, hub.opsPerSecond() / pg.opsPerSecond(), pg.p50Micros() / hub.p50Micros());
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "| bulk load | rows | seconds | rows/s |%n|---|---:|---:|---:|%n");
        System.out.printf(Locale.ROOT, "| raw JDBC streaming scan (best of 3) | %,d | %.2f | %,.0f |%n", scanned, scanSeconds, scanned / scanSeconds);
        System.out.printf(Locale.ROOT, "| the same scan into a region by a bare Ignite data streamer | %,d | %.2f | %,.0f |%n", scanned, floorSeconds,
                scanned / floorSeconds);
        System.out.printf(Locale.ROOT, "| hub load (the load itself: first row read → last row in the region) | %,d | %.2f | %,.0f |%n", loaded, ownSeconds,
                loaded / ownSeconds);
        System.out.printf(Locale.ROOT, "| hub load with registration (connect, describe, add 4 columns, plan) | %,d | %.2f | %,.0f |%n", loaded,
                loadSeconds, loaded / loadSeconds);
        System.out.printf(Locale.ROOT, "hub load / raw scan rows/s: %.2f (with registration: %.2f)%n", scanSeconds / ownSeconds, scanSeconds / loadSeconds);
        System.out.printf(Locale.ROOT, "bare streamer / raw scan rows/s: %.2f; hub load / bare streamer: %.2f%n", scanSeconds / floorSeconds,
                floorSeconds / ownSeconds);
    }
}
