package io.dih.server.sync;

import io.dih.api.SourceSpec;
import io.dih.spi.ChangeEvent;
import io.dih.spi.ChangeFeed;
import io.dih.spi.ChangeSink;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.ignite.Ignite;
import org.apache.ignite.resources.IgniteInstanceResource;
import org.apache.ignite.services.Service;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The change-data-capture engine of one CDC source, as an Ignite cluster singleton: it runs the source's change feed
 * and applies its changes to the bound regions. Its offsets are in a cache with backups, so when its node dies the
 * node that takes over resumes from the last saved offset (changes since then come again and are applied
 * idempotently). While the database cannot be reached it retries with backoff, in state RETRYING.
 */
public final class CdcService implements Service {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(CdcService.class);
    private static final long MAX_BACKOFF_MS = 30_000;

    private final String source;

    @IgniteInstanceResource
    private transient Ignite ignite;
    private transient volatile boolean cancelled;
    private transient volatile ChangeFeed feed;
    private transient volatile Thread runner;
    private transient volatile CountDownLatch finished;

    public CdcService(String source) {
        this.source = source;
    }

    /** The service name of a source's CDC engine. */
    public static String serviceName(String source) {
        return "dih-cdc/" + source.toLowerCase(Locale.ROOT);
    }

    @Override
    public void cancel() {
        cancelled = true;
        ChangeFeed f = feed;
        CountDownLatch done = finished;
        if (f != null) {
            f.close();
            // let the engine finish its own shutdown: interrupting it mid-way makes Debezium warn and skip clean-up
            try {
                if (done != null) {
                    done.await(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Thread t = runner;
        if (t != null && (done == null || done.getCount() > 0)) {
            t.interrupt(); // asleep between retries, or a feed that did not stop in time
        }
    }

    @Override
    public void execute() throws Exception {
        runner = Thread.currentThread();
        finished = new CountDownLatch(1);
        try {
            run();
        } finally {
            finished.countDown();
        }
    }

    private void run() {
        String node = ignite.name(); // Ignite clears injected resources when the service is cancelled
        long backoff = 0;
        SyncEngine engine = null;
        CdcState st = null;
        while (!cancelled) {
            engine = SyncEngine.of(ignite);
            if (engine == null || engine.closing()) {
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    break;
                }
                continue;
            }
            SourceSpec spec = engine.cdc().spec(source);
            if (spec == null || engine.cdc().paused(source)) {
                return; // the source was deleted, or paused while this node deployed it
            }
            if (st == null) {
                CdcState last = engine.cdc().state(source);
                st = last == null ? new CdcState() : last.copy();
                st.node = engine.nodeName();
            }
            Publisher pub = new Publisher(engine, st);
            ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "dih-cdc-status-" + source);
                t.setDaemon(true);
                return t;
            });
            ticker.scheduleWithFixedDelay(() -> pub.publish(false), 1, 1, TimeUnit.SECONDS);
            try {
                st.state = "STARTING";
                pub.publish(true);
                ChangeFeed f = engine.cdc().changeFeed(spec, engine.cdc().offsets(source), pub);
                feed = f;
                if (cancelled) {
                    f.close();
                    break;
                }
                LOG.info("CDC of source {} running on {}", source, engine.nodeName());
                f.run();
                if (!cancelled) {
                    throw new IllegalStateException("the change feed stopped");
                }
            } catch (Exception e) {
                if (cancelled) {
                    break;
                }
                backoff = backoff == 0 ? 1000 : Math.min(MAX_BACKOFF_MS, backoff * 2);
                st.state = "RETRYING";
                st.error = rootMessage(e);
                st.errorAtMillis = System.currentTimeMillis();
                pub.publish(true);
                LOG.warn("CDC of source {} failed, retrying in {} ms: {}", source, backoff, st.error);
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    break;
                }
                continue;
            } finally {
                feed = null;
                ticker.shutdownNow();
            }
            backoff = 0;
        }
        if (engine != null && st != null) {
            st.state = "STOPPED";
            try {
                engine.cdc().publish(source, st.copy());
            } catch (RuntimeException ignored) {
                // the node is stopping
            }
        }
        LOG.info("CDC of source {} stopped on {}", source, node);
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        String msg = e.getMessage();
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
            if (t.getMessage() != null) {
                msg = t.getMessage();
            }
        }
        return msg == null ? e.toString() : msg;
    }

    /** Applies each batch and publishes progress; one per feed run. */
    private final class Publisher implements ChangeSink {
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
        synchronized void publish(boolean force) {
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
