package io.dih.server.query;

import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Runs a query again while the cluster settles. Right after nodes join or a full restart, Ignite can see the caches of
 * a join on different sets of nodes for a moment (each cache switches to its new partition owners on its own) and
 * refuses to map the query ("Caches have distinct sets of data nodes"), or a cache just created is not yet through its
 * exchange. Nothing ran then — the refusal comes before any row is read or written — so running the statement again
 * is safe; the caller only sees a 503 when the cluster has not settled within {@link #MAX_WAIT_MS} (or the query's
 * own time limit, if shorter).
 */
final class SettlingRetry {
    static final long MAX_WAIT_MS = 15_000;

    private SettlingRetry() {
    }

    /** {@code attempt}, again after 50, 100… up to 500 ms while it fails with a settling refusal and time is left. */
    static <T> T run(long timeoutMillis, Supplier<T> attempt) {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.min(MAX_WAIT_MS, timeoutMillis));
        for (int n = 1; ; n++) {
            try {
                return attempt.get();
            } catch (RuntimeException e) {
                long pause = Math.min(50L * n, 500);
                if (!settling(e) || System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(pause) > until) {
                    throw e;
                }
                try {
                    Thread.sleep(pause);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** Whether a failure is Ignite refusing to map a query while partitions change hands (nothing ran). */
    static boolean settling(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String m = t.getMessage();
            if (m != null && (m.contains("Caches have distinct sets of data nodes")
                    || m.contains("partitions exchange wasn't yet completed after cache creation"))) {
                return true;
            }
        }
        return false;
    }
}
