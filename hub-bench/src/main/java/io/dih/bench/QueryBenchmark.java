package io.dih.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.dih.api.RegionSpec;
import io.dih.api.SqlType;
import io.dih.server.node.HubConfigLoader;
import io.dih.server.node.HubNode;
import io.dih.testing.FreePorts;
import io.dih.bench.QueryReport.Refusals;
import io.dih.bench.QueryReport.Transfers;
import io.dih.testing.TestingPostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.IgniteDataStreamer;
import org.apache.ignite.Ignition;
import org.apache.ignite.binary.BinaryObject;
import org.apache.ignite.cache.query.SqlFieldsQuery;
import org.apache.ignite.client.IgniteClient;
import org.apache.ignite.configuration.ClientConfiguration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The query plane of issue 11 in one run, each path against a baseline measured in the same run: a templated endpoint
 * answered from its cache vs the same endpoint uncached vs a plain REST entry get of the same row; an SQL point query
 * over REST vs the same query through the thin client; 2-key transfer transactions over REST vs the same transfer in a
 * real PostgreSQL (two UPDATEs in one JDBC transaction). Client threads share the machine with the node and PostgreSQL.
 */
@Command(name = "query", mixinStandardHelpOptions = true,
        description = "Templated endpoint (cached/uncached) vs REST get; SQL over REST vs thin client; REST transfers vs PostgreSQL transfers.")
public final class QueryBenchmark implements Callable<Integer> {
    private static final String API = "/api/v1/dih";
    static final String POINT_SQL = "SELECT id, name, score FROM bench WHERE id = ?";
    private static final String CACHED = "bench/by-id";
    private static final String UNCACHED = "bench/by-id-uncached";

    @Option(names = "--rows", defaultValue = "10000", description = "rows in the queried region (default ${DEFAULT-VALUE})")
    long rows;

    @Option(names = "--accounts", defaultValue = "1000", description = "accounts the transfers pick random pairs from (default ${DEFAULT-VALUE})")
    int accounts;

    @Option(names = "--threads", split = ",", defaultValue = "1,4", description = "client threads of the endpoint and SQL runs (default ${DEFAULT-VALUE})")
    List<Integer> threads;

    @Option(names = "--tx-threads", split = ",", defaultValue = "1,4,16", description = "client threads of the transfer runs (default ${DEFAULT-VALUE})")
    List<Integer> txThreads;

    @Option(names = "--seconds", defaultValue = "5", description = "measured seconds per run (default ${DEFAULT-VALUE})")
    double seconds;

    @Option(names = "--warmup", defaultValue = "2", description = "warm-up seconds per run (default ${DEFAULT-VALUE})")
    double warmup;

    @Override
    public Integer call() throws Exception {
        Path work = Files.createTempDirectory("dih-bench-query-");
        try (TestingPostgresServer pg = TestingPostgresServer.start()) {
            pg.execute("CREATE TABLE accounts (id BIGINT PRIMARY KEY, balance BIGINT NOT NULL CHECK (balance >= 0))",
                    "INSERT INTO accounts SELECT g, 1000000 FROM generate_series(0, " + (accounts - 1) + ") g",
                    "ANALYZE accounts");
            int thinPort = FreePorts.next();
            ObjectNode tree = BenchSupport.hubTree("bench-query", work, thinPort);
            int maxThreads = Math.max(threads.stream().mapToInt(Integer::intValue).max().orElse(1),
                    txThreads.stream().mapToInt(Integer::intValue).max().orElse(1));
            try (HubNode node = HubNode.start(new HubConfigLoader(Map.of()).load(tree));
                 BenchHttp http = new BenchHttp(maxThreads)) {
                String api = node.baseUrl() + API;
                setUp(node, http, api);
                List<LoadRunner.Result> reads = new ArrayList<>();
                List<LoadRunner.Result> sql = new ArrayList<>();
                try (IgniteClient thin = Ignition.startClient(new ClientConfiguration().setAddresses("127.0.0.1:" + thinPort))) {
                    long row = rows / 2;
                    String cachedBody = "{\"id\":" + row + "}";
                    expect(http.post(api + "/query/" + CACHED, cachedBody), row, "\"cached\":false"); // the miss that fills the cache
                    Map<String, LoadRunner.Op> readPaths = new LinkedHashMap<>();
                    readPaths.put("endpoint, cached hit", k -> expect(http.post(api + "/query/" + CACHED, cachedBody), row, "\"cached\":true"));
                    readPaths.put("endpoint, uncached (ttl 0)", k -> expect(http.post(api + "/query/" + UNCACHED, cachedBody), row, "\"cached\":false"));
                    readPaths.put("REST entry get", k -> expect(http.get(api + "/cache-regions/bench/entries/" + row), row, "\"score\""));
                    Map<String, LoadRunner.Op> sqlPaths = new LinkedHashMap<>();
                    sqlPaths.put("SQL over REST", k -> expect(http.post(api + "/sql-query", "{\"query\":\"" + POINT_SQL + "\",\"params\":[" + k
                            + "],\"page_size\":10}"), k, "\"next_page\":null"));
                    sqlPaths.put("SQL thin client", k -> {
                        List<List<?>> got = thin.query(new SqlFieldsQuery(POINT_SQL).setArgs(k).setSchema("PUBLIC")).getAll();
                        if (got.size() != 1 || !("name-" + k).equals(got.get(0).get(1))) {
                            throw new IllegalStateException("thin SQL for id " + k + " answered " + got);
                        }
                    });
                    // every path is warmed once before anything is measured, so the first one measured does not pay
                    // for the JIT of the code they share (the gateway, JSON, Ignite's get and query paths)
                    int most = threads.stream().mapToInt(Integer::intValue).max().orElse(1);
                    for (LoadRunner.Op op : readPaths.values()) {
                        LoadRunner.warmUp(most, rows, warmup, op);
                    }
                    for (LoadRunner.Op op : sqlPaths.values()) {
                        LoadRunner.warmUp(most, rows, warmup, op);
                    }
                    for (int t : threads) {
                        for (Map.Entry<String, LoadRunner.Op> e : readPaths.entrySet()) {
                            reads.add(LoadRunner.run(e.getKey(), t, rows, warmup, seconds, e.getValue()));
                        }
                        for (Map.Entry<String, LoadRunner.Op> e : sqlPaths.entrySet()) {
                            sql.add(LoadRunner.run(e.getKey(), t, rows, warmup, seconds, e.getValue()));
                        }
                    }
                }
                // what keeping cached answers exact costs a write: the same put into a region a cached endpoint
                // reads (a continuous query watches it; the put bumps its version on every node before answering)
                // and into an identical region nothing reads
                List<LoadRunner.Result> writes = new ArrayList<>();
                Map<String, LoadRunner.Op> writePaths = new LinkedHashMap<>();
                writePaths.put("REST entry put, region a cached endpoint reads", k -> expectPut(http.put(api + "/cache-regions/bench/entries/" + k,
                        "{\"name\":\"name-" + k + "\",\"score\":" + (k % 100) + "}")));
                writePaths.put("REST entry put, region nothing reads", k -> expectPut(http.put(api + "/cache-regions/plain/entries/" + k,
                        "{\"name\":\"name-" + k + "\",\"score\":" + (k % 100) + "}")));
                for (LoadRunner.Op op : writePaths.values()) {
                    LoadRunner.warmUp(threads.stream().mapToInt(Integer::intValue).max().orElse(1), rows, warmup, op);
                }
                for (int t : threads) {
                    for (Map.Entry<String, LoadRunner.Op> e : writePaths.entrySet()) {
                        writes.add(LoadRunner.run(e.getKey(), t, rows, warmup, seconds, e.getValue()));
                    }
                }
                List<Transfers> hubTx = new ArrayList<>();
                List<Transfers> pgTx = new ArrayList<>();
                try (HikariDataSource pool = pool(pg, maxThreads)) {
                    int mostTx = txThreads.stream().mapToInt(Integer::intValue).max().orElse(1);
                    LoadRunner.warmUp(mostTx, accounts, warmup, k -> hubTransfer(http, api, k, new Refusals()));
                    LoadRunner.warmUp(mostTx, accounts, warmup, k -> pgTransfer(pool, k, new Refusals()));
                    for (int t : txThreads) {
                        hubTx.add(transfers("hub REST transaction", t, (from, refused) -> hubTransfer(http, api, from, refused)));
                        pgTx.add(transfers("PostgreSQL transaction", t, (from, refused) -> pgTransfer(pool, from, refused)));
                    }
                    long hubTotal = hubTotal(node);
                    long pgTotal = pgTotal(pool);
                    long expected = 1_000_000L * accounts;
                    new QueryReport(threads, txThreads, rows, accounts, seconds, warmup).print(reads, sql, writes, hubTx, pgTx);
                    System.out.printf(Locale.ROOT, "%nTotal balance after all transfers: hub %,d, PostgreSQL %,d (expected %,d): %s%n",
                            hubTotal, pgTotal, expected, hubTotal == expected && pgTotal == expected ? "unchanged" : "CHANGED");
                }
            }
        } finally {
            BenchSupport.deleteTree(work);
        }
        return 0;
    }

    private void setUp(HubNode node, BenchHttp http, String api) throws Exception {
        node.regions().create(new RegionSpec("bench", null, 0, null, null, null, null, null, List.of("id"),
                Map.of("id", SqlType.BIGINT, "name", SqlType.VARCHAR, "score", SqlType.INT)));
        node.regions().create(new RegionSpec("plain", null, 0, null, null, null, null, null, List.of("id"),
                Map.of("id", SqlType.BIGINT, "name", SqlType.VARCHAR, "score", SqlType.INT)));
        node.regions().create(new RegionSpec("accounts", null, 0, null, null, null, null, null, List.of("id"),
                Map.of("id", SqlType.BIGINT, "balance", SqlType.BIGINT)));
        System.out.printf(Locale.ROOT, "Loading %,d rows and %,d accounts…%n", rows, accounts);
        String valueType = node.regions().get("bench").valueType();
        try (IgniteDataStreamer<Long, BinaryObject> s = node.ignite().dataStreamer("bench")) {
            for (long i = 0; i < rows; i++) {
                s.addData(i, node.ignite().binary().builder(valueType).setField("name", "name-" + i).setField("score", (int) (i % 100)).build());
            }
        }
        JsonNodeFactory json = JsonNodeFactory.instance;
        Map<String, JsonNode> batch = new LinkedHashMap<>();
        for (int i = 0; i < accounts; i++) {
            batch.put(Integer.toString(i), json.objectNode().put("balance", 1_000_000L));
            if (batch.size() == 500 || i == accounts - 1) {
                node.entries().putAll("accounts", batch);
                batch.clear();
            }
        }
        for (String[] e : new String[][] {{CACHED, "60"}, {UNCACHED, "0"}}) {
            String spec = "{\"path\":\"" + e[0] + "\",\"cache_regions\":[\"bench\"],"
                    + "\"query_template\":\"SELECT id, name, score FROM bench WHERE id = {id}\","
                    + "\"cache_key_pattern\":\"bench:{id}\",\"ttl_seconds\":" + e[1] + ","
                    + "\"parameters\":{\"id\":{\"type\":\"BIGINT\"}}}";
            BenchHttp.Answer a = http.post(api + "/api-endpoints", spec);
            if (a.status() != 201) {
                throw new IllegalStateException("registering endpoint " + e[0] + " answered " + a.status() + ": " + a.body());
            }
        }
    }

    private static void expectPut(BenchHttp.Answer a) {
        if (a.status() != 200 && a.status() != 201) {
            throw new IllegalStateException("a put answered " + a.status() + ": " + a.body());
        }
    }

    private static void expect(BenchHttp.Answer a, long id, String marker) {
        if (a.status() != 200 || !a.body().contains("name-" + id + "\"") || !a.body().contains(marker)) {
            throw new IllegalStateException("expected a 200 with row " + id + " and " + marker + ", got " + a.status() + ": " + a.body());
        }
    }

    /** A transfer from account {@code from} to another random account; a refusal is counted into {@code refused}. */
    private interface Transfer {
        void call(long from, Refusals refused) throws Exception;
    }

    private Transfers transfers(String name, int t, Transfer transfer) throws InterruptedException {
        Refusals ignored = new Refusals();
        LoadRunner.warmUp(t, accounts, warmup, k -> transfer.call(k, ignored));
        Refusals refused = new Refusals();
        LoadRunner.Result r = LoadRunner.measure(name, t, accounts, seconds, k -> transfer.call(k, refused));
        return new Transfers(r, refused);
    }

    private long other(long from) {
        long to = ThreadLocalRandom.current().nextLong(accounts - 1);
        return to >= from ? to + 1 : to;
    }

    private void hubTransfer(BenchHttp http, String api, long from, Refusals refused) throws Exception {
        long to = other(from);
        long amount = 1 + ThreadLocalRandom.current().nextLong(10);
        String body = "{\"operations\":["
                + "{\"region\":\"accounts\",\"operation\":\"increment\",\"data\":{\"key\":" + from + ",\"updates\":{\"balance\":" + (-amount) + "}},"
                + "\"require\":{\"balance\":{\"min\":0}}},"
                + "{\"region\":\"accounts\",\"operation\":\"increment\",\"data\":{\"key\":" + to + ",\"updates\":{\"balance\":" + amount + "}}}],"
                + "\"isolation\":\"REPEATABLE_READ\",\"timeout\":5000}";
        BenchHttp.Answer a = http.post(api + "/transactions", body);
        if (a.status() == 200 && a.body().contains("\"COMMITTED\"")) {
            return;
        }
        if (a.status() == 409 || a.status() == 503 || a.status() == 408) {
            refused.add("HTTP " + a.status());
            return;
        }
        throw new IllegalStateException("transfer " + from + " → " + to + " answered " + a.status() + ": " + a.body());
    }

    /** The same transfer in PostgreSQL: two UPDATEs in one transaction, rows in id order (the hub locks keys in one order too). */
    private void pgTransfer(HikariDataSource pool, long from, Refusals refused) throws Exception {
        long to = other(from);
        long amount = 1 + ThreadLocalRandom.current().nextLong(10);
        try (Connection c = pool.getConnection();
             PreparedStatement ps = c.prepareStatement("UPDATE accounts SET balance = balance + ? WHERE id = ?")) {
            try {
                for (long[] u : from < to ? new long[][] {{-amount, from}, {amount, to}} : new long[][] {{amount, to}, {-amount, from}}) {
                    ps.setLong(1, u[0]);
                    ps.setLong(2, u[1]);
                    if (ps.executeUpdate() != 1) {
                        throw new IllegalStateException("no account " + u[1]);
                    }
                }
                c.commit();
            } catch (SQLException e) {
                c.rollback();
                // check_violation (the guard), deadlock, serialization failure: refusals, as the hub's 409s are
                if (!"23514".equals(e.getSQLState()) && !"40P01".equals(e.getSQLState()) && !"40001".equals(e.getSQLState())) {
                    throw e;
                }
                refused.add("SQLSTATE " + e.getSQLState());
            }
        }
    }

    private static HikariDataSource pool(TestingPostgresServer pg, int size) {
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(pg.jdbcUrl());
        hc.setUsername(pg.user());
        hc.setPassword(pg.password());
        hc.setAutoCommit(false);
        hc.setMaximumPoolSize(size);
        return new HikariDataSource(hc);
    }

    private long hubTotal(HubNode node) {
        long total = 0;
        IgniteCache<Long, BinaryObject> cache = node.ignite().<Long, BinaryObject>cache("accounts").withKeepBinary();
        for (long i = 0; i < accounts; i++) {
            total += ((Number) cache.get(i).field("balance")).longValue();
        }
        return total;
    }

    private static long pgTotal(HikariDataSource pool) throws SQLException {
        try (Connection c = pool.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT sum(balance) FROM accounts");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            long total = rs.getLong(1);
            c.commit();
            return total;
        }
    }
}
