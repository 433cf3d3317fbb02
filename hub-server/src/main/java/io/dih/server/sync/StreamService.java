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
 * One node's consumer of a STREAM source, as an Ignite node singleton: every server node runs one, all in the
 * source's consumer group (Kafka) or subscription (Pulsar), so the topics' partitions spread over the nodes and move
 * to the others when a node leaves. Messages go through the {@link Applier} (per-key positions make a redelivered or
 * late message harmless; one a region cannot take is a dead letter); the connector commits or acknowledges them only
 * after that. While the broker cannot be reached it retries with backoff, in state RETRYING.
 */
public final class StreamService implements Service {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(StreamService.class);
    private static final long MAX_BACKOFF_MS = 30_000;

    private final String source;

    @IgniteInstanceResource
    private transient Ignite ignite;
    private transient volatile boolean cancelled;
    private transient volatile ChangeFeed feed;
    private transient volatile Thread runner;
    private transient volatile CountDownLatch finished;

    public StreamService(String source) {
        this.source = source;
    }

    /** The service name of a source's consumers. */
    public static String serviceName(String source) {
        return "dih-stream/" + source.toLowerCase(Locale.ROOT);
    }

    @Override
    public void cancel() {
        cancelled = true;
        ChangeFeed f = feed;
        CountDownLatch done = finished;
        if (f != null) {
            f.close(); // the consumer leaves its group cleanly: its partitions move at once
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
            t.interrupt(); // asleep between retries, or a consumer that did not stop in time
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
        String node = ignite.name();
        long backoff = 0;
        SyncEngine engine = null;
        StreamState st = null;
        while (!cancelled) {
            engine = SyncEngine.of(ignite);
            if (engine == null || engine.closing()) {
                if (!sleep(200)) {
                    break;
                }
                continue;
            }
            SourceSpec spec = engine.streams().spec(source);
            if (spec == null || engine.streams().paused(source)) {
                return; // the source was deleted, or paused while this node deployed it
            }
            if (st == null) { // a consumer started again on this node (resume, restart) goes on counting
                StreamState last = engine.streams().state(source, engine.nodeName());
                st = last == null ? new StreamState() : last.copy();
                st.node = engine.nodeName();
                st.error = null;
            }
            Publisher pub = new Publisher(engine, st);
            ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "dih-stream-status-" + source);
                t.setDaemon(true);
                return t;
            });
            ticker.scheduleWithFixedDelay(() -> pub.publish(false), 1, 1, TimeUnit.SECONDS);
            try {
                st.state = "STARTING";
                pub.publish(true);
                ChangeFeed f = engine.streams().open(spec, pub);
                feed = f;
                if (cancelled) {
                    f.close();
                    break;
                }
                st.state = "RUNNING";
                st.error = null;
                pub.publish(true);
                LOG.info("Stream of source {} consuming on {}", source, engine.nodeName());
                f.run();
                if (!cancelled) {
                    throw new IllegalStateException("the consumer stopped");
                }
            } catch (Exception e) {
                if (cancelled) {
                    break;
                }
                backoff = backoff == 0 ? 1000 : Math.min(MAX_BACKOFF_MS, backoff * 2);
                st.state = "RETRYING";
                st.error = CdcService.rootMessage(e);
                st.errorAtMillis = System.currentTimeMillis();
                pub.publish(true);
                LOG.warn("Stream of source {} failed, retrying in {} ms: {}", source, backoff, st.error);
                if (!sleep(backoff)) {
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
                engine.streams().publish(source, st.copy());
            } catch (RuntimeException ignored) {
                // the node is stopping
            }
        }
        LOG.info("Stream of source {} stopped on {}", source, node);
    }

    private static boolean sleep(long millis) {
        try {
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }

    /** Applies each batch and publishes progress; one per consumer run. */
    private final class Publisher implements ChangeSink {
        private final SyncEngine engine;
        private final StreamState st;
        private final FeedMeter meter = new FeedMeter();
        private long lastPublish;

        Publisher(SyncEngine engine, StreamState st) {
            this.engine = engine;
            this.st = st;
        }

        @Override
        public synchronized void apply(List<ChangeEvent> events) {
            AppliedChanges applied = engine.applier().apply(source, events);
            long now = System.currentTimeMillis();
            st.messages += events.size();
            st.skippedStale += applied.skippedCount();
            st.deadLetters += applied.deadLetteredCount();
            st.count(applied.regions());
            st.lastMessageAtMillis = now;
            for (ChangeEvent e : events) {
                long lag = Math.max(0, now - e.commitMillis());
                st.lastLagMillis = lag;
                st.maxLagMillis = Math.max(st.maxLagMillis, lag);
                meter.lag(lag);
                engine.streams().recordLag(source, lag);
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
            st.messagesPerSecond = meter.rate(now, st.messages);
            st.lagP50Millis = meter.lagQuantile(0.5);
            st.lagP99Millis = meter.lagQuantile(0.99);
            st.publishedAtMillis = now;
            try {
                engine.streams().publish(source, st.copy());
            } catch (RuntimeException e) {
                LOG.debug("Cannot publish the stream state of {}: {}", source, e.getMessage());
            }
        }
    }
}
