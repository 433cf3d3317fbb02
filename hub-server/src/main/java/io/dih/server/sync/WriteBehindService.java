package io.dih.server.sync;

import io.dih.api.CacheStrategy;
import io.dih.server.region.Region;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.ignite.Ignite;
import org.apache.ignite.resources.IgniteInstanceResource;
import org.apache.ignite.services.Service;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster singleton that runs one {@link RegionFlusher} per WRITE_BEHIND region. Ignite starts it on one server
 * node and, when that node leaves or dies, on another; the queue it drains lives in backed-up caches, so the new
 * flusher starts where the old one stopped (writes in flight when a node dies are sent again: at-least-once, and
 * applying a key's latest value twice does no harm).
 */
public final class WriteBehindService implements Service {
    private static final long serialVersionUID = 1L;
    public static final String NAME = "dih-write-behind";
    private static final Logger LOG = LoggerFactory.getLogger(WriteBehindService.class);

    @IgniteInstanceResource
    private transient Ignite ignite;
    private transient volatile boolean cancelled;
    private transient volatile Thread runner;

    @Override
    public void cancel() {
        cancelled = true;
        Thread t = runner;
        if (t != null) {
            t.interrupt();
        }
    }

    @Override
    public void execute() throws Exception {
        runner = Thread.currentThread();
        Map<String, Running> flushers = new HashMap<>();
        SyncEngine engine = null;
        try {
            while (!cancelled) {
                engine = SyncEngine.of(ignite);
                if (engine == null) {
                    Thread.sleep(200); // the node is starting: its hub services are not there yet
                    continue;
                }
                if (!engine.running(this)) {
                    break; // the node is stopping: drain, then leave the rest to the next flusher
                }
                reconcile(engine, flushers);
                Thread.sleep(500);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            long deadline = System.currentTimeMillis()
                    + (engine == null ? 0 : engine.settings().writeBehind().shutdownFlushSeconds() * 1000);
            if (engine != null) {
                try {
                    reconcile(engine, flushers); // a region created since the last round drains too
                } catch (RuntimeException e) {
                    LOG.debug("Cannot list the regions to drain: {}", e.getMessage());
                }
            }
            flushers.values().forEach(f -> f.flusher.stop(deadline));
            try {
                for (Running f : flushers.values()) {
                    f.thread.join(Math.max(1, deadline - System.currentTimeMillis() + 2000));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // cancelled while draining: the rest stays queued for the next flusher
            } finally {
                if (engine != null) {
                    engine.stopped(this);
                }
                LOG.info("Write-behind service stopped on {}", ignite.name());
            }
        }
    }

    /** One flusher per WRITE_BEHIND region: started for new regions, forgotten when it ended. */
    private static void reconcile(SyncEngine engine, Map<String, Running> flushers) {
        Set<String> wanted = new HashSet<>();
        for (Region r : engine.regions().regions()) {
            if (r.spec().cacheStrategy() == CacheStrategy.WRITE_BEHIND) {
                wanted.add(r.name().toLowerCase(Locale.ROOT));
            }
        }
        flushers.values().removeIf(f -> !f.thread.isAlive());
        for (String name : wanted) {
            flushers.computeIfAbsent(name, n -> Running.start(engine, n));
        }
    }

    private record Running(RegionFlusher flusher, Thread thread) {
        static Running start(SyncEngine engine, String region) {
            RegionFlusher f = new RegionFlusher(engine, region);
            Thread t = new Thread(f, "dih-write-behind-" + region);
            t.setDaemon(true);
            t.start();
            return new Running(f, t);
        }
    }
}
