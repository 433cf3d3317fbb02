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
    /** A load by parts (the objects of a bucket): how far it got; {@code null} for other loads. */
    final PartProgress parts;

    /**
     * How far a load by parts got: parts and bytes read of those it reads, parts left alone and parts gone. A plain
     * class, as this one.
     */
    static final class PartProgress implements Serializable {
        private static final long serialVersionUID = 1L;
        private final int done;
        private final int total;
        private final long bytesDone;
        private final long bytesTotal;
        private final int unchanged;
        private final int gone;

        PartProgress(int done, int total, long bytesDone, long bytesTotal, int unchanged, int gone) {
            this.done = done;
            this.total = total;
            this.bytesDone = bytesDone;
            this.bytesTotal = bytesTotal;
            this.unchanged = unchanged;
            this.gone = gone;
        }

        int done() {
            return done;
        }

        int total() {
            return total;
        }

        long bytesDone() {
            return bytesDone;
        }

        long bytesTotal() {
            return bytesTotal;
        }

        int unchanged() {
            return unchanged;
        }

        int gone() {
            return gone;
        }
    }

    LoadState(String state, String kind, long rowsLoaded, long rowsTotal, long removed, long startedAtMillis,
              long lastLoadedAtMillis, Object watermark, String error) {
        this(state, kind, rowsLoaded, rowsTotal, removed, startedAtMillis, lastLoadedAtMillis, watermark, error, 0, null);
    }

    LoadState(String state, String kind, long rowsLoaded, long rowsTotal, long removed, long startedAtMillis,
              long lastLoadedAtMillis, Object watermark, String error, long asOfMillis, String queuedOn) {
        this(state, kind, rowsLoaded, rowsTotal, removed, startedAtMillis, lastLoadedAtMillis, watermark, error, asOfMillis, queuedOn, null);
    }

    private LoadState(String state, String kind, long rowsLoaded, long rowsTotal, long removed, long startedAtMillis,
                      long lastLoadedAtMillis, Object watermark, String error, long asOfMillis, String queuedOn, PartProgress parts) {
        this.parts = parts;
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

    /** The same state, with how far a load by parts got. */
    LoadState withParts(PartProgress p) {
        return new LoadState(state, kind, rowsLoaded, rowsTotal, removed, startedAtMillis, lastLoadedAtMillis, watermark, error, asOfMillis,
                queuedOn, p);
    }

    /** Whether the next load can read only what changed: past a watermark, or the parts whose version changed. */
    boolean incremental(io.dih.api.BindingSpec b) {
        return watermark != null && (b.watermarkColumn() != null || watermark instanceof PartVersions);
    }

    LoadState progress(long rows) {
        return new LoadState(state, kind, rows, rowsTotal, removed, startedAtMillis, lastLoadedAtMillis, watermark, null, asOfMillis, null, parts);
    }

    LoadState finished(long rows, long removedRows, Object newWatermark, long now) {
        return new LoadState("IDLE", kind, rows, rowsTotal, removedRows, startedAtMillis, now, newWatermark, null, startedAtMillis, null, parts);
    }

    LoadState failed(long rows, String message) {
        return new LoadState("FAILED", kind, rows, rowsTotal, removed, startedAtMillis, lastLoadedAtMillis, watermark, message, asOfMillis,
                null, parts);
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
        if (parts != null && parts.bytesTotal() > 0) { // a load by parts: progress by bytes
            percent = Math.min(100.0, 100.0 * parts.bytesDone() / parts.bytesTotal());
            if ("LOADING".equals(state) && elapsed > 0 && parts.bytesDone() > 0) {
                eta = Math.max(0, (parts.bytesTotal() - parts.bytesDone()) / (parts.bytesDone() / elapsed));
            }
        } else if (rowsTotal > 0) {
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
                watermark == null || watermark instanceof PartVersions ? null : watermark.toString(), error, null, null, parts == null ? null
                : new SourceStatus.Objects(parts.done(), parts.total(), parts.bytesDone(), parts.bytesTotal(), parts.unchanged(), parts.gone()));
    }

    /** How old the region's copy of the source may be: since the last successful load began (or the first began). */
    long lagMillis(long now) {
        long since = asOfMillis > 0 ? asOfMillis : startedAtMillis;
        return since == 0 ? 0 : Math.max(0, now - since);
    }
}
