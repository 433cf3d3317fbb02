package io.dih.server.sync;

import io.dih.api.SourceSpec;
import io.dih.spi.ChangeFeed;
import io.dih.spi.ChangeSink;
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
 * What a CDC engine ({@link CdcService}) and a stream consumer ({@link StreamService}) share as Ignite services: run a
 * source's feed on the service's thread until cancelled, retry with exponential backoff (state RETRYING) while the
 * source cannot be reached, publish progress once a second, and stop cleanly (the feed closes itself first; the thread
 * is interrupted only when it does not stop in time).
 *
 * @param <S> the feed's published progress
 */
abstract class FeedService<S extends FeedProgress> implements Service {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(FeedService.class);
    private static final long MAX_BACKOFF_MS = 30_000;

    /** The source whose feed this runs. */
    protected final String source;

    @IgniteInstanceResource
    private transient Ignite ignite;
    private transient volatile boolean cancelled;
    private transient volatile ChangeFeed feed;
    private transient volatile Thread runner;
    private transient volatile CountDownLatch finished;

    FeedService(String source) {
        this.source = source;
    }

    /** A sink that applies batches and publishes the feed's progress: forced, or at most once a second. */
    interface Publisher extends ChangeSink {
        void publish(boolean force);
    }

    /** How the log names this kind of feed ("CDC", "Stream"). */
    abstract String kind();

    /** The source's spec while this feed should run (registered with its sync mode, not paused), else {@code null}. */
    abstract SourceSpec runnable(SyncEngine engine);

    /** The progress to go on from (what this node published last, if anything). */
    abstract S progress(SyncEngine engine);

    abstract Publisher publisher(SyncEngine engine, S st);

    abstract ChangeFeed open(SyncEngine engine, SourceSpec spec, Publisher publisher);

    /** The feed is open and about to run. */
    void opened(S st) {
    }

    /** Publishes the final state (the node may be stopping). */
    abstract void publishStopped(SyncEngine engine, S st);

    @Override
    public void cancel() {
        cancelled = true;
        ChangeFeed f = feed;
        CountDownLatch done = finished;
        if (f != null) {
            f.close();
            // let the feed finish its own shutdown: interrupting it mid-way makes Debezium warn and skip clean-up, and
            // a consumer that leaves its group cleanly hands its partitions over at once
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
        S st = null;
        while (!cancelled) {
            engine = SyncEngine.of(ignite);
            if (engine == null || engine.closing()) {
                if (!sleep(200)) {
                    break;
                }
                continue;
            }
            SourceSpec spec = runnable(engine);
            if (spec == null) {
                return; // the source was deleted, or paused while this node deployed it
            }
            if (st == null) {
                st = progress(engine);
                st.node = engine.nodeName();
            }
            Publisher pub = publisher(engine, st);
            ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "dih-" + kind().toLowerCase(Locale.ROOT) + "-status-" + source);
                t.setDaemon(true);
                return t;
            });
            ticker.scheduleWithFixedDelay(() -> pub.publish(false), 1, 1, TimeUnit.SECONDS);
            try {
                st.state = "STARTING";
                pub.publish(true);
                ChangeFeed f = open(engine, spec, pub);
                feed = f;
                if (cancelled) {
                    f.close();
                    break;
                }
                opened(st);
                pub.publish(true);
                LOG.info("{} of source {} running on {}", kind(), source, engine.nodeName());
                f.run();
                if (!cancelled) {
                    throw new IllegalStateException("the feed stopped");
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
                LOG.warn("{} of source {} failed, retrying in {} ms: {}", kind(), source, backoff, st.error);
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
                publishStopped(engine, st);
            } catch (RuntimeException ignored) {
                // the node is stopping
            }
        }
        LOG.info("{} of source {} stopped on {}", kind(), source, node);
    }

    private static boolean sleep(long millis) {
        try {
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }

    /** The innermost message of a failure (what the source said), for status. */
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
}
