package io.dih.server.security;

import io.dih.spi.TooManyRequestsException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Failed authentications per client address within the last minute: past the limit, the client gets 429s (even with a
 * right credential) until its oldest failure is a minute old. Per node: a client spreading guesses over nodes gets
 * the limit once per node, still far too few guesses for 256-bit keys.
 */
public final class LoginLimiter {
    private static final long WINDOW_NANOS = 60_000_000_000L;
    private static final int MAX_CLIENTS = 100_000;

    private final int limit;
    private final Map<String, Deque<Long>> failures = new ConcurrentHashMap<>();
    /** When each throttled client was last told so with an audited refusal (one a minute: a flood fills no disk). */
    private final Map<String, Long> toldAt = new ConcurrentHashMap<>();

    public LoginLimiter(int failuresPerMinute) {
        this.limit = failuresPerMinute;
    }

    /** Refuses a client that failed too often lately. */
    public void check(String client) {
        Deque<Long> times = failures.get(client);
        if (times == null) {
            return;
        }
        long now = System.nanoTime();
        synchronized (times) {
            prune(times, now);
            if (times.size() >= limit) {
                long wait = Math.max(1, (times.peekFirst() + WINDOW_NANOS - now) / 1_000_000_000L + 1);
                Long told = toldAt.get(client);
                boolean first = told == null || now - told > WINDOW_NANOS;
                if (first) {
                    toldAt.put(client, now);
                }
                throw new Throttled(wait, limit, first);
            }
        }
    }

    /** Notes a failed authentication of a client. */
    public void failed(String client) {
        if (failures.size() > MAX_CLIENTS) {
            long now = System.nanoTime();
            toldAt.values().removeIf(t -> now - t > WINDOW_NANOS);
            failures.values().removeIf(d -> {
                synchronized (d) {
                    prune(d, now);
                    return d.isEmpty();
                }
            });
        }
        Deque<Long> times = failures.computeIfAbsent(client, c -> new ArrayDeque<>());
        synchronized (times) {
            times.addLast(System.nanoTime());
            while (times.size() > limit) {
                times.removeFirst();
            }
        }
    }

    private static void prune(Deque<Long> times, long now) {
        while (!times.isEmpty() && now - times.peekFirst() > WINDOW_NANOS) {
            times.removeFirst();
        }
    }

    /** A 429 with how long to wait. */
    public static final class Throttled extends TooManyRequestsException {
        private final long retryAfterSeconds;
        private final boolean first;

        Throttled(long retryAfterSeconds, int limit, boolean first) {
            super("too many failed authentications from this address (more than " + limit + " a minute); retry in " + retryAfterSeconds + " s");
            this.retryAfterSeconds = retryAfterSeconds;
            this.first = first;
        }

        public long retryAfterSeconds() {
            return retryAfterSeconds;
        }

        /** Whether this is the client's first refusal in a minute (the one worth an audit event). */
        public boolean first() {
            return first;
        }
    }
}
