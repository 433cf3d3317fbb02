package io.dih.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dih.server.node.HubConfigLoader;
import io.dih.server.node.HubNode;
import io.dih.server.security.Principal;
import io.dih.server.security.Role;
import io.dih.server.security.Tenants;
import io.dih.testing.FreePorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.HdrHistogram.Histogram;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.StringEntity;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * What authentication costs a request: two nodes in this JVM (two clusters), one with security off and one with it
 * on, each holding the same N entries; REST gets and SQL point queries against both, the secured node called with an
 * operator's API key (one registry read and a SHA-256 per request), and the same SQL by a tenant's key on its own copy
 * of the region ({@code acme_bench}: the statement's tables are checked against the tenant's, SqlScope). Prints ops/s
 * and latency and the ratio on/off per thread count.
 */
@Command(name = "security", mixinStandardHelpOptions = true,
        description = "REST get and SQL with security on (an operator's and a tenant's API key) vs off, in the same run.")
public final class SecurityBenchmark implements Callable<Integer> {
    private static final String ADMIN_KEY = "bench-operator-key-0123456789abcdef";
    /** The calls measured: REST get and SQL by an operator's key, SQL by a tenant's key on its own region. */
    private static final List<String> CALLS = List.of("get", "sql", "sql (tenant)");

    @Option(names = "--entries", defaultValue = "100000", description = "entries in the region (default ${DEFAULT-VALUE})")
    long entries;

    @Option(names = "--threads", split = ",", defaultValue = "1,4", description = "client thread counts (default ${DEFAULT-VALUE})")
    List<Integer> threads;

    @Option(names = "--seconds", defaultValue = "5", description = "measured seconds per run (default ${DEFAULT-VALUE})")
    double seconds;

    @Option(names = "--warmup", defaultValue = "2", description = "warm-up seconds per run (default ${DEFAULT-VALUE})")
    double warmup;

    @Override
    public Integer call() throws Exception {
        Path work = Files.createTempDirectory("dih-bench-");
        try (HubNode off = start(work.resolve("off"), false); HubNode on = start(work.resolve("on"), true)) {
            Principal admin = new Principal("admin-key", null, Role.ADMIN, "admin_key");
            String key = on.security().createKey(admin, "bench", null, Role.WRITER, null).key();
            on.security().tenants().create(new Tenants.Tenant("acme", Tenants.Quotas.NONE, null));
            BenchSupport.benchRegion(on, "acme_bench", entries);
            String tenantKey = on.security().createKey(admin, "acme bench", "acme", Role.READER, null).key();
            int maxThreads = threads.stream().mapToInt(Integer::intValue).max().orElse(1);
            List<LoadRunner.Result> results = new ArrayList<>();
            try (CloseableHttpClient http = HttpClients.custom()
                    .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create().setMaxConnPerRoute(maxThreads).setMaxConnTotal(2 * maxThreads).build())
                    .build()) {
                // both paths of both nodes warm (JIT) before anything is measured, so neither side gets the other's warm-up
                LoadRunner.Op[] all = {k -> get(http, off, null, k), k -> get(http, on, key, k), k -> sql(http, off, null, "bench", k),
                    k -> sql(http, on, key, "bench", k), k -> sql(http, on, tenantKey, "acme_bench", k)};
                for (int round = 0; round < 2; round++) {
                    for (LoadRunner.Op op : all) {
                        LoadRunner.warmUp(maxThreads, entries, warmup, op);
                    }
                }
                // each pair measured twice, in both orders (off, on, on, off), and summed: neither side profits from going
                // second (a warmer JIT, a quieter GC)
                for (int t : threads) {
                    for (String call : CALLS) {
                        LoadRunner.Op offOp = call.equals("get") ? k -> get(http, off, null, k) : k -> sql(http, off, null, "bench", k);
                        LoadRunner.Op onOp = switch (call) {
                            case "get" -> k -> get(http, on, key, k);
                            case "sql" -> k -> sql(http, on, key, "bench", k);
                            default -> k -> sql(http, on, tenantKey, "acme_bench", k);
                        };
                        LoadRunner.Result off1 = LoadRunner.run(call + ", security off", t, entries, warmup, seconds, offOp);
                        LoadRunner.Result on1 = LoadRunner.run(call + ", security on", t, entries, warmup, seconds, onOp);
                        LoadRunner.Result on2 = LoadRunner.run(call + ", security on", t, entries, warmup, seconds, onOp);
                        LoadRunner.Result off2 = LoadRunner.run(call + ", security off", t, entries, warmup, seconds, offOp);
                        results.add(sum(off1, off2));
                        results.add(sum(on1, on2));
                    }
                }
            }
            print(results);
        } finally {
            BenchSupport.deleteTree(work);
        }
        return 0;
    }

    private static LoadRunner.Result sum(LoadRunner.Result a, LoadRunner.Result b) {
        Histogram h = a.latency().copy();
        h.add(b.latency());
        return new LoadRunner.Result(a.name(), a.threads(), a.ops() + b.ops(), a.seconds() + b.seconds(), h);
    }

    private HubNode start(Path work, boolean security) {
        ObjectNode tree = BenchSupport.hubTree("bench-sec-" + (security ? "on" : "off"), work, FreePorts.next());
        tree.putObject("security").put("enabled", security).put("admin_key", ADMIN_KEY);
        ((ObjectNode) tree.get("storage")).put("data_region_max_mb", 512);
        HubNode node = HubNode.start(new HubConfigLoader(Map.of()).load(tree));
        BenchSupport.benchRegion(node, entries);
        return node;
    }

    private static void get(CloseableHttpClient http, HubNode node, String key, long k) throws Exception {
        check(http, withKey(new HttpGet(node.baseUrl() + "/api/v1/dih/cache-regions/bench/entries/" + k), key), k);
    }

    private static void sql(CloseableHttpClient http, HubNode node, String key, String region, long k) throws Exception {
        HttpPost post = new HttpPost(node.baseUrl() + "/api/v1/dih/sql-query");
        post.setEntity(new StringEntity("{\"query\": \"SELECT name FROM " + region + " WHERE id = ?\", \"params\": [" + k + "]}",
                ContentType.APPLICATION_JSON));
        check(http, withKey(post, key), k);
    }

    private static HttpUriRequestBase withKey(HttpUriRequestBase request, String key) {
        if (key != null) {
            request.setHeader("Authorization", "Bearer " + key);
        }
        return request;
    }

    private static void check(CloseableHttpClient http, HttpUriRequestBase request, long k) throws Exception {
        String body = http.execute(request, r -> {
            if (r.getCode() != 200) {
                throw new IllegalStateException(request.getMethod() + " " + k + " answered " + r.getCode());
            }
            return EntityUtils.toString(r.getEntity());
        });
        if (!body.contains("name-" + k + "\"")) {
            throw new IllegalStateException(request.getMethod() + " " + k + " answered " + body);
        }
    }

    private void print(List<LoadRunner.Result> results) {
        System.out.println();
        System.out.printf(Locale.ROOT, "Security on (an operator's or a tenant's API key) vs off, %,d entries, two one-node clusters, %s s per run (%d cores)%n",
                entries, seconds, Runtime.getRuntime().availableProcessors());
        System.out.println("| call | threads | ops/s | p50 µs | p99 µs |");
        System.out.println("|---|---:|---:|---:|---:|");
        Map<String, LoadRunner.Result> byKey = new LinkedHashMap<>();
        for (LoadRunner.Result r : results) {
            byKey.put(r.name() + "/" + r.threads(), r);
            System.out.printf(Locale.ROOT, "| %s | %d | %,.0f | %.1f | %.1f |%n", r.name(), r.threads(), r.opsPerSecond(), r.p50Micros(), r.p99Micros());
        }
        System.out.println();
        System.out.println("| call | threads | on/off ops/s | on/off p50 |");
        System.out.println("|---|---:|---:|---:|");
        for (String call : CALLS) {
            for (int t : threads) {
                LoadRunner.Result off = byKey.get(call + ", security off/" + t);
                LoadRunner.Result on = byKey.get(call + ", security on/" + t);
                System.out.printf(Locale.ROOT, "| %s | %d | %.2f | %.2f× |%n", call, t, on.opsPerSecond() / off.opsPerSecond(), on.p50Micros() / off.p50Micros());
            }
        }
    }
}
