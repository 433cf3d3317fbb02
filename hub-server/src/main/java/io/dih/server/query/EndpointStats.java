package io.dih.server.query;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/** One endpoint's call counters on this node, and the latencies of its last {@link #WINDOW} calls for percentiles. */
final class EndpointStats {
    static final int WINDOW = 1024;

    private final LongAdder calls = new LongAdder();
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final long[] latencies = new long[WINDOW];
    private long recorded;

    /** One node's figures, as {@code GET /api-endpoints/{path}/stats} lists them. */
    public record NodeSnapshot(
            @JsonProperty("node") String node,
            @JsonProperty("calls") long calls,
            @JsonProperty("hits") long hits,
            @JsonProperty("misses") long misses,
            @JsonProperty("errors") long errors,
            @JsonProperty("cached_answers") int cachedAnswers,
            @JsonProperty("latency_ms_p50") double p50,
            @JsonProperty("latency_ms_p99") double p99) {
    }

    /** What {@code GET /api-endpoints/{path}/stats} answers: the cluster's totals, then each server node's figures. */
    public record Snapshot(
            @JsonProperty("path") String path,
            @JsonProperty("calls") long calls,
            @JsonProperty("hits") long hits,
            @JsonProperty("misses") long misses,
            @JsonProperty("errors") long errors,
            @JsonProperty("cached_answers") int cachedAnswers,
            @JsonProperty("latency_ms_p50") double p50,
            @JsonProperty("latency_ms_p99") double p99,
            @JsonProperty("nodes") List<NodeSnapshot> nodes) {

        /** Totals over the nodes; percentiles over all their recent latencies together. */
        static Snapshot of(String path, List<Local> locals) {
            List<NodeSnapshot> nodes = new ArrayList<>();
            long calls = 0;
            long hits = 0;
            long misses = 0;
            long errors = 0;
            int cached = 0;
            long[] all = new long[0];
            for (Local l : locals) {
                long[] sorted = l.latencies.clone();
                Arrays.sort(sorted);
                nodes.add(new NodeSnapshot(l.node, l.calls, l.hits, l.misses, l.errors, l.cachedAnswers,
                        percentile(sorted, 0.5), percentile(sorted, 0.99)));
                calls += l.calls;
                hits += l.hits;
                misses += l.misses;
                errors += l.errors;
                cached += l.cachedAnswers;
                long[] merged = Arrays.copyOf(all, all.length + sorted.length);
                System.arraycopy(sorted, 0, merged, all.length, sorted.length);
                all = merged;
            }
            Arrays.sort(all);
            nodes.sort((a, b) -> a.node().compareTo(b.node()));
            return new Snapshot(path, calls, hits, misses, errors, cached, percentile(all, 0.5), percentile(all, 0.99), List.copyOf(nodes));
        }
    }

    /**
     * One node's figures on the wire (a plain class, not a record: Ignite's marshaller cannot rebuild records on Java 17).
     */
    static final class Local implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
        final String node;
        final long calls;
        final long hits;
        final long misses;
        final long errors;
        final int cachedAnswers;
        final long[] latencies;

        Local(String node, long calls, long hits, long misses, long errors, int cachedAnswers, long[] latencies) {
            this.node = node;
            this.calls = calls;
            this.hits = hits;
            this.misses = misses;
            this.errors = errors;
            this.cachedAnswers = cachedAnswers;
            this.latencies = latencies;
        }

        static Local none(String node) {
            return new Local(node, 0, 0, 0, 0, 0, new long[0]);
        }
    }

    void record(EndpointObserver.Outcome outcome, long nanos) {
        calls.increment();
        switch (outcome) {
            case HIT -> hits.increment();
            case MISS -> misses.increment();
            case ERROR -> errors.increment();
        }
        synchronized (latencies) {
            latencies[(int) (recorded++ % WINDOW)] = nanos;
        }
    }

    Local local(String node, int cachedAnswers) {
        long[] window;
        synchronized (latencies) {
            window = Arrays.copyOf(latencies, (int) Math.min(recorded, WINDOW));
        }
        return new Local(node, calls.sum(), hits.sum(), misses.sum(), errors.sum(), cachedAnswers, window);
    }

    private static double percentile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return Math.round(sorted[Math.max(0, i)] / 1000.0) / 1000.0;
    }
}
