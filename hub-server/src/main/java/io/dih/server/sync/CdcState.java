package io.dih.server.sync;

import java.io.Serializable;

/**
 * A CDC source's progress as its engine last published it (once a second) to {@code dih_sync_status}. A plain class:
 * Ignite marshals it.
 */
final class CdcState implements Serializable {
    private static final long serialVersionUID = 1L;

    /** STARTING, SNAPSHOT, STREAMING, RETRYING (the database is unreachable or refused), STOPPED (PAUSED is the API's). */
    String state = "STARTING";
    String node;
    long events;
    long snapshotRows;
    /** Rows the snapshot will read (counted when it starts), -1 while unknown. */
    long snapshotTotal = -1;
    boolean snapshotDone;
    /** Lag percentiles of the recent changes (the last 1024), milliseconds. */
    long lagP50Millis;
    long lagP99Millis;
    long skippedStale;
    double eventsPerSecond;
    long lastEventAtMillis;
    /** Source commit → visible in the region, of the last change applied (snapshot rows excluded). */
    long lastLagMillis;
    long maxLagMillis;
    String error;
    long errorAtMillis;

    CdcState copy() {
        CdcState c = new CdcState();
        c.state = state;
        c.node = node;
        c.events = events;
        c.snapshotRows = snapshotRows;
        c.snapshotTotal = snapshotTotal;
        c.snapshotDone = snapshotDone;
        c.lagP50Millis = lagP50Millis;
        c.lagP99Millis = lagP99Millis;
        c.skippedStale = skippedStale;
        c.eventsPerSecond = eventsPerSecond;
        c.lastEventAtMillis = lastEventAtMillis;
        c.lastLagMillis = lastLagMillis;
        c.maxLagMillis = maxLagMillis;
        c.error = error;
        c.errorAtMillis = errorAtMillis;
        return c;
    }
}
