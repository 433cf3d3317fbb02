package io.dih.server.sync;

import java.util.HashMap;
import java.util.Map;

/**
 * A CDC source's progress as its engine last published it (once a second) to {@code dih_sync_status}; its state is
 * STARTING, SNAPSHOT, STREAMING, RETRYING (the database is unreachable or refused) or STOPPED (PAUSED is the API's). A
 * plain class: Ignite marshals it.
 */
final class CdcState extends FeedProgress {
    private static final long serialVersionUID = 1L;

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
    /** Per target region (lower-case name): {snapshot rows applied, change events applied}. */
    HashMap<String, long[]> regions = new HashMap<>();

    /** Counts what a batch applied to each region. */
    void count(Map<String, AppliedChanges.Counts> applied) {
        applied.forEach((region, c) -> {
            long[] r = regions.computeIfAbsent(region, k -> new long[2]);
            r[0] += c.snapshotRows();
            r[1] += c.events();
        });
    }

    /** A snapshot starts (again) from the start: no region has snapshot rows yet. */
    void snapshotRestarted() {
        regions.values().forEach(r -> r[0] = 0);
    }

    CdcState copy() {
        CdcState c = new CdcState();
        copyTo(c);
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
        c.regions = new HashMap<>();
        if (regions != null) { // a state published before regions were counted has none
            regions.forEach((r, v) -> c.regions.put(r, v.clone()));
        }
        return c;
    }
}
