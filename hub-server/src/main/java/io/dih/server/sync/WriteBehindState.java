package io.dih.server.sync;

import java.io.Serializable;

/**
 * A region's write-behind progress as its flusher last published it (once a second) to the REPLICATED
 * {@code dih_sync_status} cache, so every node answers status and a flusher that takes over keeps counting.
 * A plain class, not a record: Ignite marshals it.
 */
final class WriteBehindState implements Serializable {
    private static final long serialVersionUID = 1L;

    /** FLOWING, RETRYING (the source is down), NO_SOURCE (no source feeds the region), STOPPED. */
    String state = "FLOWING";
    String node;
    long flushed;
    long retries;
    long deadLettered;
    double writesPerSecond;
    long backoffMillis;
    long lastFlushAtMillis;
    String lastError;
    long lastErrorAtMillis;

    WriteBehindState copy() {
        WriteBehindState c = new WriteBehindState();
        c.state = state;
        c.node = node;
        c.flushed = flushed;
        c.retries = retries;
        c.deadLettered = deadLettered;
        c.writesPerSecond = writesPerSecond;
        c.backoffMillis = backoffMillis;
        c.lastFlushAtMillis = lastFlushAtMillis;
        c.lastError = lastError;
        c.lastErrorAtMillis = lastErrorAtMillis;
        return c;
    }
}
