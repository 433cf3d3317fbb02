package io.dih.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dih.server.node.HubConfigLoader;
import io.dih.server.node.HubNode;
import io.dih.testing.FreePorts;
import io.dih.testing.TestingPostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A batch get whose keys all miss, read through from PostgreSQL, against PostgreSQL itself on the same keys in the same
 * run: the hub's {@code POST .../entries/batch-get} of a cold region (emptied before each round) against one
 * {@code SELECT ... WHERE id = ANY(?)} and against one primary-key SELECT per key, all over one pooled connection.
 */
@Command(name = "readthrough", mixinStandardHelpOptions = true,
        description = "Batch get of cold keys read through from PostgreSQL vs one SELECT = ANY vs one SELECT per key.")
public final class ReadThroughBenchmark implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--rows", defaultValue = "100000", description = "rows in the table (default ${DEFAULT-VALUE})")
    int rows;

    @Option(names = "--keys", defaultValue = "1000", description = "keys per batch get (at most 1000; default ${DEFAULT-VALUE})")
    int keys;

    @Option(names = "--rounds", defaultValue = "30", description = "measured rounds (default ${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--warmup", defaultValue = "10", description = "warm-up rounds (default ${DEFAULT-VALUE})")
    int warmup;

    @Override
    public Integer call() throws Exception {
        Path work = Files.createTempDirectory("dih-bench-rt-");
        try (TestingPostgresServer pg = TestingPostgresServer.start()) {
            pg.execute("CREATE TABLE bench (id BIGINT PRIMARY KEY, name TEXT NOT NULL, score INT, balance NUMERIC(12,2), updated_at TIMESTAMPTZ)",
                    "INSERT INTO bench SELECT g, 'name-' || g, g % 100, g * 0.5, now() FROM generate_series(1, " + rows + ") g",
                    "ANALYZE bench");
            try (HubNode node = HubNode.start(new HubConfigLoader(Map.of()).load(BenchSupport.hubTree("bench-rt", work, FreePorts.next())));
                 BenchHttp http = new BenchHttp(1);
                 Connection db = pg.connect()) {
                String api = node.baseUrl() + "/api/v1/dih";
                check(http.post(api + "/cache-regions", "{\"name\": \"rt\", \"cache_strategy\": \"READ_THROUGH\", \"fields\": {\"id\": \"BIGINT\"}}"));
                ObjectNode source = JSON.createObjectNode().put("source_name", "pg").put("source_type", "postgresql").put("sync_mode", "NONE");
                source.set("connection_params", JSON.valueToTree(BenchSupport.connectionParams(pg)));
                source.putArray("target_regions").add("rt");
                source.putObject("bindings").putObject("rt").put("table", "bench");
                check(http.post(api + "/data-sources", source.toString()));

                Random random = new Random(42);
                List<Double> hub = new ArrayList<>();
                List<Double> any = new ArrayList<>();
                List<Double> oneByOne = new ArrayList<>();
                for (int round = 0; round < warmup + rounds; round++) {
                    long[] ids = random.longs(1, rows + 1).distinct().limit(keys).toArray();
                    node.ignite().cache("rt").clear(); // cold: every key misses
                    long t0 = System.nanoTime();
                    BenchHttp.Answer got = http.post(api + "/cache-regions/rt/entries/batch-get", "{\"keys\": " + Arrays.toString(ids) + "}");
                    long t1 = System.nanoTime();
                    int found = check(got).path("entries").size();
                    int byAny = selectAny(db, ids);
                    long t2 = System.nanoTime();
                    int byKey = selectEach(db, ids);
                    long t3 = System.nanoTime();
                    if (found != keys || byAny != keys || byKey != keys) {
                        throw new IllegalStateException("found " + found + " / " + byAny + " / " + byKey + " of " + keys + " keys");
                    }
                    if (round >= warmup) {
                        hub.add((t1 - t0) / 1e6);
                        any.add((t2 - t1) / 1e6);
                        oneByOne.add((t3 - t2) / 1e6);
                    }
                }
                print(hub, any, oneByOne);
            }
        } finally {
            BenchSupport.deleteTree(work);
        }
        return 0;
    }

    private static JsonNode check(BenchHttp.Answer a) throws Exception {
        if (a.status() / 100 != 2) {
            throw new IllegalStateException("the hub answered " + a.status() + ": " + a.body());
        }
        return JSON.readTree(a.body());
    }

    private static int selectAny(Connection db, long[] ids) throws Exception {
        try (PreparedStatement ps = db.prepareStatement("SELECT id, name, score, balance, updated_at FROM bench WHERE id = ANY(?)")) {
            Array array = db.createArrayOf("bigint", Arrays.stream(ids).boxed().toArray());
            ps.setArray(1, array);
            return count(ps);
        }
    }

    private static int selectEach(Connection db, long[] ids) throws Exception {
        int n = 0;
        try (PreparedStatement ps = db.prepareStatement("SELECT id, name, score, balance, updated_at FROM bench WHERE id = ?")) {
            for (long id : ids) {
                ps.setLong(1, id);
                n += count(ps);
            }
        }
        return n;
    }

    private static int count(PreparedStatement ps) throws Exception {
        int n = 0;
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                rs.getString(2);
                n++;
            }
        }
        return n;
    }

    private void print(List<Double> hub, List<Double> any, List<Double> oneByOne) {
        System.out.println();
        System.out.printf(Locale.ROOT, "Batch get of %,d cold keys read through from PostgreSQL 17 (%,d rows), %d rounds after %d warm-up, %d cores%n",
                keys, rows, rounds, warmup, Runtime.getRuntime().availableProcessors());
        System.out.println("| path | p50 ms | p90 ms |");
        System.out.println("|---|---:|---:|");
        System.out.printf(Locale.ROOT, "| hub batch-get (REST), every key a miss | %.2f | %.2f |%n", q(hub, 0.5), q(hub, 0.9));
        System.out.printf(Locale.ROOT, "| PostgreSQL: one SELECT ... WHERE id = ANY(?) | %.2f | %.2f |%n", q(any, 0.5), q(any, 0.9));
        System.out.printf(Locale.ROOT, "| PostgreSQL: one PK SELECT per key | %.2f | %.2f |%n", q(oneByOne, 0.5), q(oneByOne, 0.9));
        System.out.printf(Locale.ROOT, "hub / one SELECT = ANY (p50): %.2f×; hub / one SELECT per key (p50): %.2f×%n", q(hub, 0.5) / q(any, 0.5),
                q(hub, 0.5) / q(oneByOne, 0.5));
    }

    private static double q(List<Double> values, double quantile) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.floor(quantile * sorted.size())));
    }
}
