package io.dih.server.sync;

import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * A feed's recent figures on the node that runs it: the lag of its last 1024 changes (source commit or message time →
 * visible in the region) as percentiles, and its changes per second over the last 10 s. Not thread-safe: the feed's
 * publisher guards it.
 */
final class FeedMeter {
    private static final long RATE_WINDOW_MS = 10_000;
    private final long[] lags = new long[1024];
    private int lagCount;
    private final ArrayDeque<long[]> samples = new ArrayDeque<>();

    void lag(long millis) {
        lags[lagCount++ % lags.length] = millis;
    }

    /** The {@code q} quantile (0..1) of the recent lags, or 0 before any. */
    long lagQuantile(double q) {
        int n = Math.min(lagCount, lags.length);
        if (n == 0) {
            return 0;
        }
        long[] sorted = Arrays.copyOf(lags, n);
        Arrays.sort(sorted);
        return sorted[Math.max(0, (int) Math.ceil(n * q) - 1)];
    }

    /** Notes the running total at {@code now}; answers the rate per second over the window. */
    double rate(long now, long total) {
        samples.addLast(new long[] {now, total});
        while (samples.size() > 1 && now - samples.peekFirst()[0] > RATE_WINDOW_MS) {
            samples.removeFirst();
        }
        long[] first = samples.peekFirst();
        return now > first[0] ? (total - first[1]) * 1000.0 / (now - first[0]) : 0;
    }
}
