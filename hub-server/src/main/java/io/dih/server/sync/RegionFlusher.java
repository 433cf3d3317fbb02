package io.dih.server.sync;

import io.dih.api.CacheStrategy;
import io.dih.api.ConsistencyLevel;
import io.dih.api.SourceSpec;
import io.dih.server.region.EntryCodec;
import io.dih.server.region.Region;
import io.dih.spi.InvalidSpecException;
import io.dih.spi.NotFoundException;
import io.dih.spi.SourceRejectedException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains one WRITE_BEHIND region's queue into its source: oldest writes first, in batches of up to
 * {@code batch_size} (sent as soon as a batch is full, or once its oldest write is {@code flush_delay_ms} old), one
 * source transaction per batch, a batch at a time, so a key's writes reach the source in order. A source that is down
 * is retried with exponential backoff; a write the source refuses for good is found by halving the batch and goes to
 * the dead letters, and the rest flows on. Only one flusher per region runs in the cluster (it lives in the
 * {@link WriteBehindService} cluster singleton); what it has not acknowledged stays queued for the next one.
 */
final class RegionFlusher implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(RegionFlusher.class);
    private static final long PUBLISH_EVERY_MS = 1000;
    private static final long RATE_WINDOW_MS = 10_000;

    private final SyncEngine engine;
    private final String region;
    private final SyncSettings.WriteBehind settings;
    private final WriteBehindState st;
    private final ArrayDeque<long[]> samples = new ArrayDeque<>();
    private final Object wake = new Object();
    private volatile boolean stopping;
    private volatile long drainUntil;
    private long backoff;
    private long lastPublish;

    RegionFlusher(SyncEngine engine, String region) {
        this.engine = engine;
        this.region = region;
        this.settings = engine.settings().writeBehind();
        WriteBehindState last = engine.writeBehindState(region);
        this.st = last == null ? new WriteBehindState() : last.copy();
        this.st.node = engine.nodeName();
    }

    String region() {
        return region;
    }

    /** Asks the flusher to stop: it keeps draining until {@code deadline}, then leaves the rest queued. */
    void stop(long deadline) {
        synchronized (wake) {
            drainUntil = deadline;
            stopping = true;
            wake.notifyAll(); // a flusher waiting for a batch to fill drains now
        }
    }

    @Override
    public void run() {
        LOG.info("Write-behind flusher of region {} started on {}", region, engine.nodeName());
        try {
            while (!stopping || System.currentTimeMillis() < drainUntil) {
                Region r;
                try {
                    r = engine.regions().get(region);
                } catch (NotFoundException e) {
                    return; // the region was deleted
                }
                if (r.spec().cacheStrategy() != CacheStrategy.WRITE_BEHIND) {
                    return;
                }
                // read once per round: a stop that arrives during the round must not end it as if it had drained
                boolean draining = stopping;
                long pause;
                boolean retry = false;
                try {
                    pause = round(r, draining) ? 0 : draining ? -1 : settings.flushDelayMs();
                } catch (RuntimeException e) {
                    pause = failed(r, e);
                    retry = true;
                }
                publish(false);
                if (pause < 0) {
                    return; // stopping, and nothing left to drain
                }
                if (retry && draining) {
                    Thread.sleep(Math.min(pause, Math.max(0, drainUntil - System.currentTimeMillis()))); // a retry while draining
                } else if (pause > 0) {
                    sleep(pause); // returns at once when a stop came meanwhile: the next round drains
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            st.state = "STOPPED";
            publish(true);
            LOG.info("Write-behind flusher of region {} stopped on {}", region, engine.nodeName());
        }
    }

    /** One flush round; true when it sent something. While draining, a batch goes out however small and young. */
    private boolean round(Region r, boolean draining) {
        Optional<SourceSpec> source = engine.sources().primaryFor(r.name());
        if (source.isEmpty()) {
            st.state = "NO_SOURCE";
            return false;
        }
        // one indexed query: the oldest writes, as many as a batch takes
        List<WriteBehindQueue.Pending> batch = engine.queue().oldest(r, settings.batchSize());
        if (batch.isEmpty()) {
            st.state = "FLOWING";
            return false;
        }
        long age = System.currentTimeMillis() - batch.get(0).firstEnqueuedAt();
        if (batch.size() < settings.batchSize() && !draining && age < settings.flushDelayMs()) {
            return false; // let a few more writes join the batch
        }
        flush(r, source.get(), batch);
        backoff = 0;
        st.state = "FLOWING";
        st.lastFlushAtMillis = System.currentTimeMillis();
        return true;
    }

    private void flush(Region r, SourceSpec source, List<WriteBehindQueue.Pending> batch) {
        if (batch.isEmpty()) {
            return;
        }
        try {
            Map<Object, Object> upserts = new LinkedHashMap<>();
            List<Object> deletes = new ArrayList<>();
            for (WriteBehindQueue.Pending p : batch) {
                if (p.delete()) {
                    deletes.add(p.key());
                } else {
                    upserts.put(p.key(), p.value());
                }
            }
            Runnable written = engine.access().writeThrough(r, upserts, deletes);
            written.run(); // before the acknowledgement: once a key has no pending write, its echo must already be known
            engine.queue().acknowledge(r, batch);
            st.flushed += batch.size();
        } catch (SourceRejectedException | InvalidSpecException e) {
            if (batch.size() == 1) {
                WriteBehindQueue.Pending p = batch.get(0);
                engine.deadLetters().add(r, source.sourceName(), p, e.getMessage());
                st.deadLettered++;
                LOG.warn("Source {} refused the write of key {} in region {}; it is a dead letter now: {}", source.sourceName(),
                        EntryCodec.keyText(r, p.key()), r.name(), e.getMessage());
                return;
            }
            int mid = batch.size() / 2; // find the refused write(s); the others go through
            flush(r, source, batch.subList(0, mid));
            flush(r, source, batch.subList(mid, batch.size()));
        }
    }

    /** A failed round: count it, and wait before the next (exponential backoff, shorter past a staleness bound). */
    private long failed(Region r, RuntimeException e) {
        st.retries++;
        st.state = "RETRYING";
        st.lastError = e.getMessage();
        st.lastErrorAtMillis = System.currentTimeMillis();
        backoff = backoff == 0 ? settings.initialBackoffMs() : Math.min(settings.maxBackoffMs(), backoff * 2);
        Long bound = staleness(r);
        if (bound != null) {
            backoff = Math.min(backoff, Math.max(settings.initialBackoffMs(), bound * 1000 / 4)); // catch up quickly
        }
        st.backoffMillis = backoff;
        if (st.retries == 1 || st.retries % 20 == 0) {
            LOG.warn("Write-behind of region {} failed ({} retries so far), retrying in {} ms: {}", r.name(), st.retries, backoff,
                    e.getMessage());
        }
        return backoff;
    }

    private Long staleness(Region r) {
        try {
            return engine.sources().primaryFor(r.name())
                    .filter(s -> s.consistencyLevel() == ConsistencyLevel.BOUNDED_STALENESS)
                    .map(SourceSpec::maxStalenessSeconds).orElse(null);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private void publish(boolean force) {
        long now = System.currentTimeMillis();
        if (!force && now - lastPublish < PUBLISH_EVERY_MS) {
            return;
        }
        lastPublish = now;
        samples.addLast(new long[] {now, st.flushed});
        while (samples.size() > 1 && now - samples.peekFirst()[0] > RATE_WINDOW_MS) {
            samples.removeFirst();
        }
        long[] first = samples.peekFirst();
        st.writesPerSecond = now > first[0] ? (st.flushed - first[1]) * 1000.0 / (now - first[0]) : 0;
        try {
            engine.publish(region, st.copy());
        } catch (RuntimeException e) {
            LOG.debug("Cannot publish write-behind state of {}: {}", region, e.getMessage());
        }
    }

    /** Waits, but wakes up at once when asked to stop. */
    private void sleep(long millis) throws InterruptedException {
        synchronized (wake) {
            if (millis > 0 && !stopping) {
                wake.wait(millis);
            }
        }
    }
}
