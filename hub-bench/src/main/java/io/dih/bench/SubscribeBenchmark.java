package io.dih.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dih.api.RegionSpec;
import io.dih.api.SqlType;
import io.dih.server.node.HubConfigLoader;
import io.dih.server.node.HubNode;
import io.dih.testing.FreePorts;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.binary.BinaryObject;
import org.apache.ignite.cache.query.ContinuousQuery;
import org.apache.ignite.cache.query.QueryCursor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Subscriptions (issue 12) against a baseline in the same run: commit → delivered latency of WebSocket subscribers
 * (through the journal) vs a raw Ignite continuous query listener on the same node and the same writes, at fixed write
 * rates with 1 and 100 subscribers; the writer's throughput into a journaled region vs an identical one without a
 * journal; and the heap one idle subscription costs.
 */
@Command(name = "subscribe", mixinStandardHelpOptions = true,
        description = "Commit→delivered latency of WebSocket subscriptions vs a raw continuous query; writer cost of the journal; memory per idle subscriber.")
public final class SubscribeBenchmark implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--rates", split = ",", defaultValue = "1000,5000", description = "changes per second (default ${DEFAULT-VALUE})")
    List<Integer> rates;

    @Option(names = "--subscribers", split = ",", defaultValue = "1,100", description = "subscriber counts (default ${DEFAULT-VALUE})")
    List<Integer> subscriberCounts;

    @Option(names = "--seconds", defaultValue = "5", description = "measured seconds per run (default ${DEFAULT-VALUE})")
    double seconds;

    @Option(names = "--warmup", defaultValue = "2", description = "warm-up seconds per run (default ${DEFAULT-VALUE})")
    double warmup;

    @Option(names = "--idle", defaultValue = "1000", description = "idle subscriptions for the memory figure (default ${DEFAULT-VALUE})")
    int idle;

    private record Latency(String path, int rate, int subscribers, long delivered, long expected, Histogram histogram) {
    }

    @Override
    public Integer call() throws Exception {
        Path work = Files.createTempDirectory("dih-bench-subscribe-");
        try {
            ObjectNode tree = BenchSupport.hubTree("bench-subscribe", work, FreePorts.next());
            tree.putObject("subscriptions").put("max_per_node", 2000).put("max_lag_events", 1_000_000);
            try (HubNode node = HubNode.start(new HubConfigLoader(Map.of()).load(tree))) {
                for (String name : List.of("ticks", "plain", "quiet")) {
                    node.regions().create(new RegionSpec(name, null, 0, null, null, null, null, null, List.of("id"),
                            Map.of("id", SqlType.BIGINT, "t", SqlType.BIGINT, "pad", SqlType.VARCHAR)));
                }
                String ws = node.baseUrl().replaceFirst("^http", "ws") + "/api/v1/dih/subscriptions/";
                HttpClient http = HttpClient.newHttpClient();
                double perIdle = idleMemory(http, ws); // first, while the heap is calm
                List<Latency> latencies = new ArrayList<>();
                for (int subs : subscriberCounts) {
                    for (int rate : rates) {
                        latencies.addAll(latency(node, http, ws, rate, subs));
                    }
                }
                double[] writes = writerCost(node);
                print(latencies, writes, perIdle);
            }
        } finally {
            BenchSupport.deleteTree(work);
        }
        return 0;
    }

    /** One run: a paced writer, a raw continuous query and N WebSocket subscribers on the same region and writes. */
    private List<Latency> latency(HubNode node, HttpClient http, String ws, int rate, int subs) throws Exception {
        Histogram raw = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        Histogram viaWs = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        LongAdder rawCount = new LongAdder();
        LongAdder wsCount = new LongAdder();
        AtomicLongArray window = new AtomicLongArray(new long[] {Long.MAX_VALUE, Long.MAX_VALUE}); // nanoTime bounds of the measured writes
        IgniteCache<Long, BinaryObject> cache = node.ignite().<Long, BinaryObject>cache("ticks").withKeepBinary();
        ContinuousQuery<Long, BinaryObject> q = new ContinuousQuery<>();
        q.setLocalListener(events -> {
            long now = System.nanoTime();
            for (var e : events) {
                Long t = e.getValue().field("t");
                if (t >= window.get(0) && t < window.get(1)) {
                    synchronized (raw) {
                        raw.recordValue(Math.max(0, now - t));
                    }
                    rawCount.increment();
                }
            }
        });
        List<WebSocket> sockets = new ArrayList<>();
        CountDownLatch subscribed = new CountDownLatch(subs);
        try (QueryCursor<?> cq = cache.query(q)) {
            for (int i = 0; i < subs; i++) {
                sockets.add(http.newWebSocketBuilder().buildAsync(URI.create(ws + "ticks"), new WebSocket.Listener() {
                    private final StringBuilder part = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                        part.append(data);
                        if (last) {
                            long now = System.nanoTime();
                            try {
                                JsonNode m = JSON.readTree(part.toString());
                                if ("SUBSCRIBED".equals(m.path("op").asText())) {
                                    subscribed.countDown();
                                } else if (m.path("value").has("t") && m.path("value").path("t").asLong() >= window.get(0)
                                        && m.path("value").path("t").asLong() < window.get(1)) {
                                    synchronized (viaWs) {
                                        viaWs.recordValue(Math.max(0, now - m.path("value").path("t").asLong()));
                                    }
                                    wsCount.increment();
                                }
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                            part.setLength(0);
                        }
                        w.request(1);
                        return null;
                    }
                }).get(30, TimeUnit.SECONDS));
            }
            if (!subscribed.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("subscriptions did not start");
            }
            pace(node, cache, rate, warmup);
            window.set(0, System.nanoTime());
            long written = pace(node, cache, rate, seconds);
            window.set(1, System.nanoTime());
            Thread.sleep(3000); // the last changes arrive
            return List.of(new Latency("raw continuous query", rate, subs, rawCount.sum(), written, raw),
                    new Latency("WebSocket subscriber", rate, subs, wsCount.sum(), written * subs, viaWs));
        } finally {
            for (WebSocket s : sockets) {
                s.abort();
            }
            Thread.sleep(500);
        }
    }

    /** Writes {@code rate} changes per second for a while (each value carries its commit start time); returns how many. */
    private long pace(HubNode node, IgniteCache<Long, BinaryObject> cache, int rate, double secs) throws InterruptedException {
        long interval = TimeUnit.SECONDS.toNanos(1) / rate;
        long start = System.nanoTime();
        long end = start + (long) (secs * 1e9);
        long n = 0;
        String type = node.regions().get("ticks").valueType();
        while (System.nanoTime() < end) {
            long due = start + n * interval;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            long t = System.nanoTime();
            cache.put(n % 1000, node.ignite().binary().builder(type).setField("t", t).setField("pad", "x").build());
            n++;
        }
        return n;
    }

    /**
     * Puts/s from 4 threads into the journaled region and into one without a journal, and the journal's own rate in
     * the journaled run: {journaled puts/s, plain puts/s, journal events/s}.
     */
    private double[] writerCost(HubNode node) throws Exception {
        double[] out = new double[3];
        String[] regions = {"ticks", "plain"};
        for (int i = 0; i < 2; i++) {
            IgniteCache<Long, BinaryObject> cache = node.ignite().<Long, BinaryObject>cache(regions[i]).withKeepBinary();
            String type = node.regions().get(regions[i]).valueType();
            for (int pass = 0; pass < 2; pass++) { // the first pass warms up
                AtomicLong count = new AtomicLong();
                AtomicBoolean stop = new AtomicBoolean();
                List<Thread> threads = new ArrayList<>();
                for (int th = 0; th < 4; th++) {
                    int seed = th;
                    Thread t = new Thread(() -> {
                        long k = seed;
                        while (!stop.get()) {
                            cache.put(k % 10_000, node.ignite().binary().builder(type).setField("t", System.nanoTime()).setField("pad", "x").build());
                            k += 4;
                            count.incrementAndGet();
                        }
                    });
                    threads.add(t);
                    t.start();
                }
                double secs = pass == 0 ? warmup : seconds;
                long headBefore = journalHead(node);
                Thread.sleep((long) (secs * 1000));
                stop.set(true);
                for (Thread t : threads) {
                    t.join();
                }
                out[i] = count.get() / secs;
                if (i == 0) {
                    out[2] = (journalHead(node) - headBefore) / secs;
                }
            }
        }
        return out;
    }

    private static long journalHead(HubNode node) {
        String head = node.subscriptions().journalStatus("ticks").headPosition();
        return Long.parseLong(head.substring(head.indexOf('.') + 1));
    }

    /** Heap per idle subscription (server and this JVM's client side together), from {@code idle} of them. */
    private double idleMemory(HttpClient http, String ws) throws Exception {
        long before = usedHeap();
        List<WebSocket> sockets = new ArrayList<>();
        CountDownLatch subscribed = new CountDownLatch(idle);
        for (int i = 0; i < idle; i++) {
            sockets.add(http.newWebSocketBuilder().buildAsync(URI.create(ws + "quiet"), new WebSocket.Listener() {
                @Override
                public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                    subscribed.countDown();
                    w.request(1);
                    return null;
                }
            }).get(30, TimeUnit.SECONDS));
        }
        subscribed.await(60, TimeUnit.SECONDS);
        long after = usedHeap();
        sockets.forEach(WebSocket::abort);
        return (after - before) / (double) idle;
    }

    private static long usedHeap() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private void print(List<Latency> latencies, double[] writes, double perIdle) {
        int cores = Runtime.getRuntime().availableProcessors();
        System.out.println();
        System.out.printf(Locale.ROOT, "Subscriptions, one hub node on %d cores; subscribers are WebSocket clients in the same JVM (java.net.http). "
                + "%s s measured per run after %s s warm-up.%n%n", cores, seconds, warmup);
        System.out.println("1. Commit → delivered: a put's start to the event in the listener / the WebSocket client");
        System.out.println("| path | changes/s | subscribers | delivered / expected | p50 ms | p99 ms | max ms |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|");
        for (Latency l : latencies) {
            Histogram h = l.histogram();
            System.out.printf(Locale.ROOT, "| %s | %,d | %d | %,d / %,d | %.2f | %.2f | %.2f |%n", l.path(), l.rate(), l.subscribers(),
                    l.delivered(), l.expected(), h.getValueAtPercentile(50) / 1e6, h.getValueAtPercentile(99) / 1e6, h.getMaxValue() / 1e6);
        }
        System.out.println();
        System.out.println("| changes/s | subscribers | subscriber/raw p50 | subscriber/raw p99 |");
        System.out.println("|---:|---:|---:|---:|");
        for (int i = 0; i + 1 < latencies.size(); i += 2) {
            Histogram r = latencies.get(i).histogram();
            Histogram w = latencies.get(i + 1).histogram();
            System.out.printf(Locale.ROOT, "| %,d | %d | %.1f× | %.1f× |%n", latencies.get(i).rate(), latencies.get(i).subscribers(),
                    (double) w.getValueAtPercentile(50) / Math.max(1, r.getValueAtPercentile(50)),
                    (double) w.getValueAtPercentile(99) / Math.max(1, r.getValueAtPercentile(99)));
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "2. Writer (4 threads, in-process puts): journaled region %,.0f puts/s, region without a journal %,.0f puts/s: ratio %.2f;%n"
                + "   the journal wrote %,.0f events/s meanwhile (%.2f of the puts; beyond what it keeps up with, changes are dropped from the node buffer and subscribers are told to re-read)%n",
                writes[0], writes[1], writes[0] / writes[1], writes[2], writes[2] / writes[0]);
        System.out.printf(Locale.ROOT, "%n3. Heap per idle subscription (%d of them; server and client side in this JVM, plus one thread each): %,.0f bytes%n",
                idle, perIdle);
    }
}
