package io.dih.server.sync;

import io.dih.api.SourceSpec;
import io.dih.spi.ChangeEvent;
import io.dih.spi.ChangeFeed;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The change-data-capture engine of one CDC source, as an Ignite cluster singleton: it runs the source's change feed
 * and applies its changes to the bound regions. Its offsets are in a cache with backups, so when its node dies the
 * node that takes over resumes from the last saved offset (changes since then come again and are applied
 * idempotently). While the database cannot be reached it retries with backoff, in state RETRYING.
 */
public final class CdcService extends FeedService<CdcState> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(CdcService.class);

    public CdcService(String source) {
        super(source);
    }

    /** The service name of a source's CDC engine. */
    public static String serviceName(String source) {
        return "dih-cdc/" + source.toLowerCase(Locale.ROOT);
    }

    @Override
    String kind() {
        return "CDC";
    }

    @Override
    SourceSpec runnable(SyncEngine engine) {
        SourceSpec spec = engine.cdc().spec(source);
        return spec == null || engine.cdc().paused(source) ? null : spec;
    }

    @Override
    CdcState progress(SyncEngine engine) {
        CdcState last = engine.cdc().state(source);
        return last == null ? new CdcState() : last.copy();
    }

    @Override
    FeedService.Publisher publisher(SyncEngine engine, CdcState st) {
        return new Publisher(engine, st);
    }

    @Override
    ChangeFeed open(SyncEngine engine, SourceSpec spec, FeedService.Publisher publisher) {
        return engine.cdc().changeFeed(spec, engine.cdc().offsets(source), publisher);
    }

    @Override
    void publishStopped(SyncEngine engine, CdcState st) {
        engine.cdc().publish(source, st.copy());
    }

    /** Applies each batch and publishes progress; one per feed run. */
    private final class Publisher implements FeedService.Publisher {
        private final SyncEngine engine;
        private final CdcState st;
        private final FeedMeter meter = new FeedMeter();
        private long lastPublish;

        Publisher(SyncEngine engine, CdcState st) {
            this.engine = engine;
            this.st = st;
        }

        @Override
        public synchronized void phase(String phase) {
            if ("STREAMING".equals(phase)) {
                st.snapshotDone = true;
            }
            if (!phase.equals(st.state)) {
                st.state = phase;
                st.error = null;
                publish(true);
            }
        }

        @Override
        public synchronized void snapshotTotal(long rows) {
            st.snapshotTotal = rows; // a snapshot (again) from the start
            st.snapshotRows = 0;
            st.snapshotRestarted();
            st.snapshotDone = false;
            publish(true);
        }

        @Override
        public synchronized void apply(List<ChangeEvent> events) {
            AppliedChanges applied = engine.applier().apply(source, events);
            long now = System.currentTimeMillis();
            st.events += events.size();
            st.skippedStale += applied.skippedCount();
            st.count(applied.regions());
            st.lastEventAtMillis = now;
            for (ChangeEvent e : events) {
                if (e.snapshot()) {
                    st.snapshotRows++;
                } else {
                    long lag = Math.max(0, now - e.commitMillis());
                    st.lastLagMillis = lag;
                    st.maxLagMillis = Math.max(st.maxLagMillis, lag);
                    meter.lag(lag);
                    engine.cdc().recordLag(source, lag);
                }
            }
            publish(false);
        }

        /** Publishes now when forced, else at most once a second (a ticker calls this every second too). */
        @Override
        public synchronized void publish(boolean force) {
            long now = System.currentTimeMillis();
            if (!force && now - lastPublish < 1000) {
                return;
            }
            lastPublish = now;
            st.eventsPerSecond = meter.rate(now, st.events);
            st.lagP50Millis = meter.lagQuantile(0.5);
            st.lagP99Millis = meter.lagQuantile(0.99);
            try {
                engine.cdc().publish(source, st.copy());
            } catch (RuntimeException e) {
                LOG.debug("Cannot publish the CDC state of {}: {}", source, e.getMessage());
            }
        }
    }
}
