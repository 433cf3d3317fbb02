package io.dih.server.query;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Arrays;
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

    /** What {@code GET /api-endpoints/{path}/stats} answers. */
    public record Snapshot(
            @JsonProperty("path") String path,
            @JsonProperty("calls") long calls,
            @JsonProperty("hits") long hits,
            @JsonProperty("misses") long misses,
            @JsonProperty("errors") long errors,
            @JsonProperty("cached_answers") int cachedAnswers,
            @JsonProperty("latency_ms_p50") double p50,
            @JsonProperty("latency_ms_p99") double p99) {
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

    Snapshot snapshot(String path, int cachedAnswers) {
        long[] sorted;
        synchronized (latencies) {
            sorted = Arrays.copyOf(latencies, (int) Math.min(recorded, WINDOW));
        }
        Arrays.sort(sorted);
        return new Snapshot(path, calls.sum(), hits.sum(), misses.sum(), errors.sum(), cachedAnswers,
                percentile(sorted, 0.5), percentile(sorted, 0.99));
    }

    private static double percentile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return Math.round(sorted[Math.max(0, i)] / 1000.0) / 1000.0;
    }
}
