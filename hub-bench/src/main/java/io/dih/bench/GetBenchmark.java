package io.dih.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dih.server.node.HubConfigLoader;
import io.dih.server.node.HubNode;
import io.dih.testing.FreePorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.Ignition;
import org.apache.ignite.binary.BinaryObject;
import org.apache.ignite.client.ClientCache;
import org.apache.ignite.client.IgniteClient;
import org.apache.ignite.configuration.ClientConfiguration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Key lookups on one node holding N entries, three ways: the embedded Ignite API (what the gateway itself calls),
 * the Ignite thin client (port 10800), and the REST gateway. Prints throughput and p50/p99 per thread count, and
 * the ratios REST/thin and thin/embedded measured in the same run. Client threads share the machine with the node.
 */
@Command(name = "get", mixinStandardHelpOptions = true,
        description = "Region get: embedded API vs thin client vs REST gateway, at several client thread counts.")
public final class GetBenchmark implements Callable<Integer> {
    @Option(names = "--entries", defaultValue = "100000", description = "entries in the region (default ${DEFAULT-VALUE})")
    long entries;

    @Option(names = "--threads", split = ",", defaultValue = "1,4,16", description = "client thread counts (default ${DEFAULT-VALUE})")
    List<Integer> threads;

    @Option(names = "--seconds", defaultValue = "5", description = "measured seconds per run (default ${DEFAULT-VALUE})")
    double seconds;

    @Option(names = "--warmup", defaultValue = "2", description = "warm-up seconds per run (default ${DEFAULT-VALUE})")
    double warmup;

    @Override
    public Integer call() throws Exception {
        Path work = Files.createTempDirectory("dih-bench-");
        int thinPort = FreePorts.next();
        ObjectNode tree = BenchSupport.hubTree("bench", work, thinPort);
        try (HubNode node = HubNode.start(new HubConfigLoader(Map.of()).load(tree))) {
            System.out.printf(Locale.ROOT, "Loading %,d entries…%n", entries);
            BenchSupport.benchRegion(node, entries);
            IgniteCache<Long, BinaryObject> embedded = node.ignite().<Long, BinaryObject>cache("bench").withKeepBinary();
            String base = node.baseUrl() + "/api/v1/dih/cache-regions/bench/entries/";
            List<LoadRunner.Result> results = new ArrayList<>();
            int maxThreads = threads.stream().mapToInt(Integer::intValue).max().orElse(1);
            try (IgniteClient thin = Ignition.startClient(new ClientConfiguration().setAddresses("127.0.0.1:" + thinPort));
                 CloseableHttpClient http = HttpClients.custom()
                         .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                                 .setMaxConnPerRoute(maxThreads).setMaxConnTotal(maxThreads).build())
                         .build()) {
                ClientCache<Long, BinaryObject> thinCache = thin.<Long, BinaryObject>cache("bench").withKeepBinary();
                for (int t : threads) {
                    results.add(LoadRunner.run("embedded", t, entries, warmup, seconds, k -> check(k, embedded.get(k))));
                    results.add(LoadRunner.run("thin client", t, entries, warmup, seconds, k -> check(k, thinCache.get(k))));
                    results.add(LoadRunner.run("REST", t, entries, warmup, seconds, k -> {
                        String body = http.execute(new HttpGet(base + k), r -> {
                            if (r.getCode() != 200) {
                                throw new IllegalStateException("GET " + k + " answered " + r.getCode());
                            }
                            return EntityUtils.toString(r.getEntity());
                        });
                        if (!body.contains("\"name-" + k + "\"")) {
                            throw new IllegalStateException("GET " + k + " answered " + body);
                        }
                    }));
                }
            }
            print(results);
        } finally {
            BenchSupport.deleteTree(work);
        }
        return 0;
    }

    private static void check(long key, BinaryObject v) {
        if (v == null || !("name-" + key).equals(v.field("name"))) {
            throw new IllegalStateException("wrong value for key " + key + ": " + v);
        }
    }

    private void print(List<LoadRunner.Result> results) {
        System.out.println();
        System.out.printf(Locale.ROOT, "Region get, %,d entries, one node, %s s per run (%d cores shared by node and clients)%n",
                entries, seconds, Runtime.getRuntime().availableProcessors());
        System.out.println("| path | threads | ops/s | p50 µs | p99 µs |");
        System.out.println("|---|---:|---:|---:|---:|");
        Map<String, LoadRunner.Result> byKey = new LinkedHashMap<>();
        for (LoadRunner.Result r : results) {
            byKey.put(r.name() + "/" + r.threads(), r);
            System.out.printf(Locale.ROOT, "| %s | %d | %,.0f | %.1f | %.1f |%n", r.name(), r.threads(), r.opsPerSecond(), r.p50Micros(), r.p99Micros());
        }
        System.out.println();
        System.out.println("| threads | REST/thin ops/s | thin/embedded ops/s | REST/thin p50 | thin/embedded p50 |");
        System.out.println("|---:|---:|---:|---:|---:|");
        for (int t : threads) {
            LoadRunner.Result e = byKey.get("embedded/" + t);
            LoadRunner.Result th = byKey.get("thin client/" + t);
            LoadRunner.Result r = byKey.get("REST/" + t);
            System.out.printf(Locale.ROOT, "| %d | %.2f | %.3f | %.1f× | %.1f× |%n", t,
                    r.opsPerSecond() / th.opsPerSecond(), th.opsPerSecond() / e.opsPerSecond(),
                    r.p50Micros() / th.p50Micros(), th.p50Micros() / e.p50Micros());
        }
    }
}
