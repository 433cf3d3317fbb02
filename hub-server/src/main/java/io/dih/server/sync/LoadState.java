package io.dih.server.sync;

import java.io.Serializable;

/**
 * The stored state of one binding's loads, kept in a REPLICATED cache so every node can report it and the next
 * loader (after a failover) resumes from the watermark. A plain class: Ignite's marshaller cannot rebuild records.
 */
final class LoadState implements Serializable {
    private static final long serialVersionUID = 1L;

    final String state;
    final String kind;
    final long rowsLoaded;
    final long rowsTotal;
    final long removed;
    final long startedAtMillis;
    final long lastLoadedAtMillis;
    final Object watermark;
    final String error;
    /** When the last successful load started: the region holds the source's rows as of then at least. */
    final long asOfMillis;
    /** QUEUED: the id of the node whose loader queue holds the load (if it leaves, the load is run elsewhere). */
    final String queuedOn;

    LoadState(String state, String kind, long rowsLoaded, long rowsTotal, long removed, long startedAtMillis,
              long lastLoadedAtMillis, Object watermark, String error) {
        this(state, kind, rowsLoaded, rowsTotal, removed, startedAtMillis, lastLoadedAtMillis, watermark, error, 0, null);
    }

    LoadState(String state, String kind, long rowsLoaded, long rowsTotal, long removed, long startedAtMillis,
              long lastLoadedAtMillis, Object watermark, String error, long asOfMillis, String queuedOn) {
        this.asOfMillis = asOfMillis;
        this.queuedOn = queuedOn;
        this.state = state;
        this.kind = kind;
        this.rowsLoaded = rowsLoaded;
        this.rowsTotal = rowsTotal;
        this.removed = removed;
        this.startedAtMillis = startedAtMillis;
        this.lastLoadedAtMillis = lastLoadedAtMillis;
        this.watermark = watermark;
        this.error = error;
    }

    static LoadState initial() {
        return new LoadState("IDLE", null, 0, -1, 0, 0, 0, null, null);
    }

    /**
     * A load asked for (by a sync call) and waiting for a loader on node {@code nodeId}; it starts at {@code now}: the
     * load keeps this start time when it runs, so a client can tell its load by {@code started_at}.
     */
    LoadState queued(String kind, long now, String nodeId) {
        return new LoadState("QUEUED", kind, 0, -1, 0, now, lastLoadedAtMillis, watermark, null, asOfMillis, nodeId);
    }

    boolean queued() {
        return "QUEUED".equals(state);
    }

    /** The load runs; a queued load keeps the time it was asked for as its start. */
    LoadState started(String kind, long total, long now) {
        return new LoadState("LOADING", kind, 0, total, 0, queued() ? startedAtMillis : now, lastLoadedAtMillis, watermark, null,
                asOfMillis, null);
    }

    LoadState progress(long rows) {
        return new LoadState(state, kind, rows, rowsTotal, removed, startedAtMillis, lastLoadedAtMillis, watermark, null, asOfMillis, null);
    }

    LoadState finished(long rows, long removedRows, Object newWatermark, long now) {
        return new LoadState("IDLE", kind, rows, rowsTotal, removedRows, startedAtMillis, now, newWatermark, null, startedAtMillis, null);
    }

    LoadState failed(long rows, String message) {
        return new LoadState("FAILED", kind, rows, rowsTotal, removed, startedAtMillis, lastLoadedAtMillis, watermark, message, asOfMillis,
                null);
    }

    SourceStatus.RegionLoad toStatus(long now) {
        Double percent = null;
        Double rate = null;
        Double eta = null;
        long end = "LOADING".equals(state) || lastLoadedAtMillis < startedAtMillis ? now : lastLoadedAtMillis;
        double elapsed = (end - startedAtMillis) / 1000.0;
        if (startedAtMillis > 0 && elapsed > 0 && !queued()) {
            rate = rowsLoaded / elapsed;
        }
        if (rowsTotal > 0) {
            percent = Math.min(100.0, 100.0 * rowsLoaded / rowsTotal);
            if ("LOADING".equals(state) && rate != null && rate > 0) {
                eta = Math.max(0, (rowsTotal - rowsLoaded) / rate);
            }
        } else if (rowsTotal == 0 && !"LOADING".equals(state)) {
            percent = 100.0;
        }
        return new SourceStatus.RegionLoad(state, kind, rowsLoaded, null, rowsTotal < 0 ? null : rowsTotal, percent, rate, eta, removed,
                startedAtMillis == 0 ? null : java.time.Instant.ofEpochMilli(startedAtMillis).toString(),
                lastLoadedAtMillis == 0 ? null : java.time.Instant.ofEpochMilli(lastLoadedAtMillis).toString(),
                lastLoadedAtMillis == 0 ? null : (now - lastLoadedAtMillis) / 1000.0,
                watermark == null ? null : watermark.toString(), error, null, null);
    }

    /** How old the region's copy of the source may be: since the last successful load began (or the first began). */
    long lagMillis(long now) {
        long since = asOfMillis > 0 ? asOfMillis : startedAtMillis;
        return since == 0 ? 0 : Math.max(0, now - since);
    }
}
