package io.dih.bench;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dih.api.CacheStrategy;
import io.dih.api.RegionSpec;
import io.dih.api.SourceSpec;
import io.dih.api.SqlType;
import io.dih.api.SyncMode;
import io.dih.server.node.HubConfigLoader;
import io.dih.server.node.HubNode;
import io.dih.server.region.Region;
import io.dih.testing.FreePorts;
import io.dih.testing.TestingPostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Writes into PostgreSQL-backed regions against PostgreSQL itself, in one run: acknowledged writes/s of a WRITE_BEHIND
 * region and of a WRITE_THROUGH region (the hub's entry API, as REST calls it, minus HTTP), the rows/s the write-behind
 * flusher sends while draining, and raw batched JDBC upserts as the baseline; then the drain rate after an outage.
 */
@Command(name = "write", mixinStandardHelpOptions = true,
        description = "Write-behind vs write-through vs raw batched JDBC upserts into PostgreSQL; queue drain after an outage.")
public final class WriteBenchmark implements Callable<Integer> {
    @Option(names = "--keys", defaultValue = "100000", description = "distinct keys written (default ${DEFAULT-VALUE})")
    long keys;

    @Option(names = "--threads", defaultValue = "8", description = "writer threads (default ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--seconds", defaultValue = "10", description = "measured seconds per run (default ${DEFAULT-VALUE})")
    double seconds;

    @Option(names = "--warmup", defaultValue = "8", description = "warm-up seconds per run (default ${DEFAULT-VALUE}; the write paths need the JIT)")
    double warmup;

    @Option(names = "--outage-writes", defaultValue = "50000", description = "writes made while PostgreSQL is down (default ${DEFAULT-VALUE})")
    int outageWrites;

    @Override
    public Integer call() throws Exception {
        Path work = Files.createTempDirectory("dih-bench-write-");
        try (TestingPostgresServer pg = TestingPostgresServer.start()) {
            for (String t : List.of("bench_wb", "bench_wt", "bench_raw", "bench_outage")) {
                pg.execute("CREATE TABLE " + t + " (id BIGINT PRIMARY KEY, qty BIGINT NOT NULL, note TEXT)");
            }
            ObjectNode tree = BenchSupport.hubTree("bench-write", work, FreePorts.next());
            ((ObjectNode) tree.get("storage")).put("sync_region_max_mb", 512);
            try (HubNode node = HubNode.start(new HubConfigLoader(Map.of()).load(tree))) {
                Map<String, Object> params = BenchSupport.connectionParams(pg);
                params.put("connect_timeout_seconds", 2);
                Map<String, SqlType> fields = Map.of("id", SqlType.BIGINT, "qty", SqlType.BIGINT, "note", SqlType.VARCHAR);
                for (String[] r : new String[][] {{"wb", "WRITE_BEHIND", "bench_wb"}, {"wt", "WRITE_THROUGH", "bench_wt"}, {"outage", "WRITE_BEHIND", "bench_outage"}}) {
                    node.regions().create(new RegionSpec(r[0], null, 0, null, CacheStrategy.valueOf(r[1]), null, null, null, List.of("id"), fields));
                    node.sources().register(new SourceSpec("pg_" + r[0], "postgresql", params, List.of(r[0]), null, null, SyncMode.NONE,
                            Map.of(r[0], new io.dih.api.BindingSpec(r[2], null, null, null, null, null)), null, null));
                }
                node.regions().create(new RegionSpec("plain", null, 0, null, CacheStrategy.NONE, null, null, null, List.of("id"), fields));
                JsonNodeFactory json = JsonNodeFactory.instance;
                List<LoadRunner.Result> results = new ArrayList<>();
                results.add(LoadRunner.run("WRITE_BEHIND put (acknowledged)", threads, keys, warmup, seconds,
                        k -> node.entries().put("wb", Long.toString(k), json.objectNode().put("qty", k).put("note", "n" + k))));
                long drainStart = System.nanoTime();
                long flushedBefore = node.sync().writeBehindStatus(node.regions().get("wb")).flushed();
                awaitDrained(node, "wb");
                double drainSeconds = (System.nanoTime() - drainStart) / 1e9;
                long drained = node.sync().writeBehindStatus(node.regions().get("wb")).flushed() - flushedBefore;
                results.add(LoadRunner.run("WRITE_THROUGH put", threads, keys, warmup, seconds,
                        k -> node.entries().put("wt", Long.toString(k), json.objectNode().put("qty", k).put("note", "n" + k))));
                results.add(LoadRunner.run("put, no source (NONE)", threads, keys, warmup, seconds,
                        k -> node.entries().put("plain", Long.toString(k), json.objectNode().put("qty", k).put("note", "n" + k))));
                long rawRows = 0;
                long rawStart = System.nanoTime();
                try (Connection c = pg.connect();
                     PreparedStatement ps = c.prepareStatement("INSERT INTO bench_raw (id, qty, note) VALUES (?, ?, ?) "
                             + "ON CONFLICT (id) DO UPDATE SET qty = EXCLUDED.qty, note = EXCLUDED.note")) {
                    c.setAutoCommit(false);
                    java.util.concurrent.ThreadLocalRandom rnd = java.util.concurrent.ThreadLocalRandom.current();
                    while (System.nanoTime() - rawStart < seconds * 1e9) {
                        java.util.TreeSet<Long> batch = new java.util.TreeSet<>();
                        while (batch.size() < 500) {
                            batch.add(rnd.nextLong(keys));
                        }
                        for (long k : batch) {
                            ps.setLong(1, k);
                            ps.setLong(2, k);
                            ps.setString(3, "n" + k);
                            ps.addBatch();
                        }
                        ps.executeBatch();
                        c.commit();
                        rawRows += batch.size();
                    }
                }
                double rawSeconds = (System.nanoTime() - rawStart) / 1e9;

                // an outage: writes pile up, then drain
                pg.suspend();
                Region outage = node.regions().get("outage");
                for (int i = 0; i < outageWrites; i += 500) {
                    Map<String, com.fasterxml.jackson.databind.JsonNode> batch = new LinkedHashMap<>();
                    for (int k = i; k < Math.min(outageWrites, i + 500); k++) {
                        batch.put(Integer.toString(k), json.objectNode().put("qty", k).put("note", "n" + k));
                    }
                    node.entries().putAll(outage.name(), batch);
                }
                pg.resume();
                long outageStart = System.nanoTime();
                awaitDrained(node, "outage");
                double outageSeconds = (System.nanoTime() - outageStart) / 1e9;
                print(results, drained, drainSeconds, rawRows, rawSeconds, outageSeconds);
            }
        } finally {
            BenchSupport.deleteTree(work);
        }
        return 0;
    }

    private static void awaitDrained(HubNode node, String region) throws InterruptedException {
        Region r = node.regions().get(region);
        while (node.sync().queue().depth(r).pending() > 0) {
            Thread.sleep(20);
        }
    }

    private void print(List<LoadRunner.Result> results, long drained, double drainSeconds, long rawRows, double rawSeconds,
                       double outageSeconds) {
        System.out.println();
        System.out.printf(Locale.ROOT, "Writes into PostgreSQL-backed regions, %,d keys, %d writer threads, one hub node and PostgreSQL 17 on the same %d cores%n",
                keys, threads, Runtime.getRuntime().availableProcessors());
        System.out.println("| path | writes/s | p50 µs | p99 µs |");
        System.out.println("|---|---:|---:|---:|");
        for (LoadRunner.Result r : results) {
            System.out.printf(Locale.ROOT, "| %s | %,.0f | %.1f | %.1f |%n", r.name(), r.opsPerSecond(), r.p50Micros(), r.p99Micros());
        }
        double rawRate = rawRows / rawSeconds;
        double drainRate = drained / drainSeconds;
        System.out.printf(Locale.ROOT, "| raw JDBC batched upserts (500/tx, 1 thread) | %,.0f rows/s | | |%n", rawRate);
        System.out.println();
        double wb = results.get(0).opsPerSecond();
        double wt = results.get(1).opsPerSecond();
        System.out.printf(Locale.ROOT, "write-behind / write-through acknowledged writes/s: %.2f%n", wb / wt);
        System.out.printf(Locale.ROOT, "write-behind / no-source put writes/s: %.2f%n", wb / results.get(2).opsPerSecond());
        System.out.printf(Locale.ROOT, "write-behind acknowledged writes/s / raw batched JDBC rows/s: %.2f%n", wb / rawRate);
        System.out.printf(Locale.ROOT, "write-behind drain after the run: %,d rows in %.2f s = %,.0f rows/s (%.2f of raw batched JDBC)%n",
                drained, drainSeconds, drainRate, drainRate / rawRate);
        System.out.printf(Locale.ROOT, "drain after a PostgreSQL outage: %,d pending writes in %.2f s = %,.0f rows/s (%.2f of raw batched JDBC)%n",
                outageWrites, outageSeconds, outageWrites / outageSeconds, outageWrites / outageSeconds / rawRate);
    }
}
