package io.dih.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** The tables and ratios {@link QueryBenchmark} prints, and the transfer outcomes it counts. */
final class QueryReport {
    /** Seed 004's performance table. */
    private static final double SEED_SQL_MS = 10;
    private static final double SEED_SQL_QPS = 50_000;
    private static final double SEED_TX_MS = 20;
    private static final double SEED_TPS = 10_000;
    private static final String POINT_SQL = QueryBenchmark.POINT_SQL;
    private final List<Integer> threads;
    private final List<Integer> txThreads;
    private final long rows;
    private final int accounts;
    private final double seconds;
    private final double warmup;

    QueryReport(List<Integer> threads, List<Integer> txThreads, long rows, int accounts, double seconds, double warmup) {
        this.threads = threads;
        this.txThreads = txThreads;
        this.rows = rows;
        this.accounts = accounts;
        this.seconds = seconds;
        this.warmup = warmup;
    }

    /** Transfers that did not commit, by HTTP status (hub) or SQLSTATE (PostgreSQL), counted in the measured seconds only. */
    record Refusals(Map<String, LongAdder> counts) {
        Refusals() {
            this(new ConcurrentHashMap<>());
        }

        void add(String why) {
            counts.computeIfAbsent(why, w -> new LongAdder()).increment();
        }

        long total() {
            return counts.values().stream().mapToLong(LongAdder::sum).sum();
        }

        long of(String why) {
            LongAdder a = counts.get(why);
            return a == null ? 0 : a.sum();
        }

        String describe() {
            Map<String, Long> sorted = new TreeMap<>();
            counts.forEach((k, v) -> sorted.put(k, v.sum()));
            return sorted.isEmpty() ? "none" : sorted.toString();
        }
    }

    record Transfers(LoadRunner.Result run, Refusals refused) {
        double committedPerSecond() {
            return (run.ops() - refused.total()) / run.seconds();
        }
    }

    void print(List<LoadRunner.Result> reads, List<LoadRunner.Result> sql, List<LoadRunner.Result> writes,
               List<Transfers> hubTx, List<Transfers> pgTx) {
        int cores = Runtime.getRuntime().availableProcessors();
        System.out.println();
        System.out.printf(Locale.ROOT, "Query plane, one hub node and PostgreSQL 17 (synchronous_commit=off) on the same %d cores; "
                + "every client thread below shares those %d cores with the node and PostgreSQL. %s s measured per run after %s s warm-up.%n",
                cores, cores, seconds, warmup);
        System.out.println();
        System.out.printf(Locale.ROOT, "1. Templated endpoint (SELECT id, name, score FROM bench WHERE id = {id}, %,d rows) vs REST entry get, the same row every call%n", rows);
        table(reads);
        Map<String, LoadRunner.Result> by = index(reads);
        System.out.println();
        System.out.println("| threads | cached/uncached ops/s | cached/REST get ops/s | uncached/REST get ops/s | uncached/cached p50 | cached/REST get p50 |");
        System.out.println("|---:|---:|---:|---:|---:|---:|");
        for (int t : threads) {
            LoadRunner.Result c = by.get("endpoint, cached hit/" + t);
            LoadRunner.Result u = by.get("endpoint, uncached (ttl 0)/" + t);
            LoadRunner.Result g = by.get("REST entry get/" + t);
            System.out.printf(Locale.ROOT, "| %d | %.2f | %.2f | %.2f | %.2f× | %.2f× |%n", t, c.opsPerSecond() / u.opsPerSecond(),
                    c.opsPerSecond() / g.opsPerSecond(), u.opsPerSecond() / g.opsPerSecond(), u.p50Micros() / c.p50Micros(), c.p50Micros() / g.p50Micros());
        }

        System.out.println();
        System.out.printf(Locale.ROOT, "2. SQL point query (%s, a random id of %,d per call): POST /sql-query vs the thin client's SqlFieldsQuery%n", POINT_SQL, rows);
        table(sql);
        by = index(sql);
        System.out.println();
        System.out.println("| threads | REST/thin ops/s | REST/thin p50 | REST/thin p99 | REST p99 ms vs seed's <10 ms | REST ops/s vs seed's 50K/s |");
        System.out.println("|---:|---:|---:|---:|---:|---:|");
        for (int t : threads) {
            LoadRunner.Result r = by.get("SQL over REST/" + t);
            LoadRunner.Result th = by.get("SQL thin client/" + t);
            double p99Ms = r.p99Micros() / 1000;
            System.out.printf(Locale.ROOT, "| %d | %.2f | %.2f× | %.2f× | %.2f ms (%s) | %.3f |%n", t, r.opsPerSecond() / th.opsPerSecond(),
                    r.p50Micros() / th.p50Micros(), r.p99Micros() / th.p99Micros(), p99Ms, p99Ms < SEED_SQL_MS ? "under" : "OVER", r.opsPerSecond() / SEED_SQL_QPS);
        }

        System.out.println();
        System.out.println("3. What exact endpoint answers cost a write: a REST put of a random row into the region the cached endpoint reads vs into an identical region nothing reads");
        table(writes);
        by = index(writes);
        System.out.println();
        System.out.println("| threads | watched/plain put ops/s | watched/plain p50 | watched/plain p99 |");
        System.out.println("|---:|---:|---:|---:|");
        for (int t : threads) {
            LoadRunner.Result w = by.get("REST entry put, region a cached endpoint reads/" + t);
            LoadRunner.Result p = by.get("REST entry put, region nothing reads/" + t);
            System.out.printf(Locale.ROOT, "| %d | %.2f | %.2f× | %.2f× |%n", t, w.opsPerSecond() / p.opsPerSecond(),
                    w.p50Micros() / p.p50Micros(), w.p99Micros() / p.p99Micros());
        }

        System.out.println();
        System.out.printf(Locale.ROOT, "4. 2-key transfers between random pairs of %,d accounts: POST /transactions (two increments, the first guarded balance min 0, "
                + "REPEATABLE_READ) vs PostgreSQL (UPDATE accounts SET balance = balance + ? WHERE id = ? twice in one JDBC transaction, READ COMMITTED, "
                + "CHECK balance >= 0, HikariCP)%n", accounts);
        System.out.println("| path | threads | calls/s | committed/s | p50 µs | p99 µs | refused (in the measured seconds) |");
        System.out.println("|---|---:|---:|---:|---:|---:|---|");
        for (int i = 0; i < txThreads.size(); i++) {
            for (Transfers x : List.of(hubTx.get(i), pgTx.get(i))) {
                LoadRunner.Result r = x.run();
                System.out.printf(Locale.ROOT, "| %s | %d | %,.0f | %,.0f | %.1f | %.1f | %s |%n", r.name(), r.threads(), r.opsPerSecond(),
                        x.committedPerSecond(), r.p50Micros(), r.p99Micros(), x.refused().describe());
            }
        }
        System.out.println();
        System.out.println("| threads | hub/PostgreSQL committed/s | hub/PostgreSQL p50 | hub 409s | hub 503s | hub p99 ms vs seed's <20 ms | hub committed/s vs seed's 10K TPS |");
        System.out.println("|---:|---:|---:|---:|---:|---:|---:|");
        double best = 0;
        for (int i = 0; i < txThreads.size(); i++) {
            Transfers h = hubTx.get(i);
            Transfers p = pgTx.get(i);
            double p99Ms = h.run().p99Micros() / 1000;
            best = Math.max(best, h.committedPerSecond());
            System.out.printf(Locale.ROOT, "| %d | %.2f | %.2f× | %d | %d | %.2f ms (%s) | %.3f |%n", txThreads.get(i),
                    h.committedPerSecond() / p.committedPerSecond(), h.run().p50Micros() / p.run().p50Micros(),
                    h.refused().of("HTTP 409"), h.refused().of("HTTP 503"), p99Ms, p99Ms < SEED_TX_MS ? "under" : "OVER",
                    h.committedPerSecond() / SEED_TPS);
        }
        System.out.printf(Locale.ROOT, "%nSeed 004 claims 10K TPS: the best hub run here commits %,.0f transfers/s = %.1f%% of it (one node, %d cores shared with PostgreSQL and the clients).%n",
                best, 100 * best / SEED_TPS, cores);
    }

    private static Map<String, LoadRunner.Result> index(List<LoadRunner.Result> results) {
        Map<String, LoadRunner.Result> by = new LinkedHashMap<>();
        results.forEach(r -> by.put(r.name() + "/" + r.threads(), r));
        return by;
    }

    private static void table(List<LoadRunner.Result> results) {
        System.out.println("| path | threads | ops/s | p50 µs | p99 µs |");
        System.out.println("|---|---:|---:|---:|---:|");
        for (LoadRunner.Result r : results) {
            System.out.printf(Locale.ROOT, "| %s | %d | %,.0f | %.1f | %.1f |%n", r.name(), r.threads(), r.opsPerSecond(), r.p50Micros(), r.p99Micros());
        }
    }
}
