package io.dih.server.subscribe;

import static java.util.Objects.requireNonNull;

import io.dih.server.region.Region;
import io.dih.server.region.RegionService;
import io.dih.spi.NotFoundException;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.cache.event.CacheEntryEvent;
import javax.cache.event.EventType;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.binary.BinaryObject;
import org.apache.ignite.cache.affinity.Affinity;
import org.apache.ignite.cache.query.CacheQueryEntryEvent;
import org.apache.ignite.cache.query.ContinuousQuery;
import org.apache.ignite.cache.query.QueryCursor;
import org.apache.ignite.lang.IgniteBiPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What this node runs for every journaled region (the registry's {@code journal/<region>} entries): a continuous query
 * on the region that keeps the changes in a {@link ShadowBuffer} until they are journaled, and a continuous query on
 * the region's journal that moves the {@link JournalTail} subscribers wait on and trims the shadow buffer. Every node
 * runs both, whether or not it has subscribers or the sequencer, so the sequencer can move to any node without losing
 * a change, and any node can serve a subscriber.
 */
public final class JournalFeeds implements AutoCloseable {
    /** Node-local key under which the {@link JournalService} finds this node's feeds. */
    public static final String NODE_LOCAL_KEY = "dih.journal.feeds";
    private static final Logger LOG = LoggerFactory.getLogger(JournalFeeds.class);
    private static final int RING = 8192;
    private static final String RESYNC_TOPIC = "dih.journal.resync";

    private final Ignite ignite;
    private final RegionService regions;
    private final Journals journals;
    private final JournalCaches caches;
    private final int maxShadowChanges;
    private final Map<String, Feed> feeds = new ConcurrentHashMap<>();
    private final JournalFollowers followers;
    private final ScheduledExecutorService worker;
    private final IgniteBiPredicate<UUID, Object> resyncListener;
    private final AtomicLong resyncIds = new AtomicLong();

    /** One journaled region as this node follows it. */
    static final class Feed {
        final String region;
        final String epoch;
        final ShadowBuffer shadow;
        final JournalTail tail = new JournalTail(RING);
        final IgniteCache<Long, Object> journal;
        volatile QueryCursor<?> regionQuery;
        volatile QueryCursor<?> journalQuery;

        Feed(String region, String epoch, ShadowBuffer shadow, IgniteCache<Long, Object> journal) {
            this.region = region;
            this.epoch = epoch;
            this.shadow = shadow;
            this.journal = journal;
        }
    }

    JournalFeeds(Ignite ignite, RegionService regions, Journals journals, JournalCaches caches, int maxShadowChanges) {
        this.ignite = requireNonNull(ignite, "ignite is null");
        this.regions = requireNonNull(regions, "regions is null");
        this.journals = requireNonNull(journals, "journals is null");
        this.caches = requireNonNull(caches, "caches is null");
        this.maxShadowChanges = maxShadowChanges;
        this.followers = new JournalFollowers(caches.feeders(), String.valueOf(ignite.cluster().localNode().consistentId()));
        this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "dih-journal-feeds");
            t.setDaemon(true);
            return t;
        });
        worker.scheduleWithFixedDelay(this::fillGaps, 500, 500, TimeUnit.MILLISECONDS);
        worker.scheduleWithFixedDelay(this::reconcile, 2, 2, TimeUnit.SECONDS);
        worker.scheduleWithFixedDelay(followers::touchActive, 5, 5, TimeUnit.SECONDS);
        this.resyncListener = (node, msg) -> {
            if (msg instanceof String[] m && m.length == 3) {
                Feed f = feeds.get(m[0]);
                if (f != null) {
                    f.shadow.add(-1, m[2].hashCode() & 0x7fffffffL, "RESYNC", null, m[1], null, System.currentTimeMillis());
                }
            }
            return true;
        };
        ignite.message().localListen(RESYNC_TOPIC, resyncListener);
        reconcileLater();
    }

    /**
     * Called by the registry listener (quick): journals or regions changed somewhere. A journal that appears is
     * followed from its entry at once — a scan of the registry right after the event may not see it yet — and every
     * few seconds {@link #reconcile} catches whatever an event did not bring.
     */
    void onRegistryChange(String registryKey, String json) {
        if (registryKey.startsWith(Journals.KIND + "/")) {
            String region = registryKey.substring(Journals.KIND.length() + 1);
            if (json != null) {
                String epoch = Journals.epochOf(json);
                submit(() -> follow(region, epoch));
            } else {
                // the journal was dropped (its cache with it): stop at once, so one started again gets a fresh feed
                submit(() -> stopFeed(region));
            }
        } else if (registryKey.startsWith(Journals.KIND + "/") || registryKey.startsWith("region/")) {
            reconcileLater();
        }
    }

    void reconcileLater() {
        submit(this::reconcile);
    }

    private void submit(Runnable task) {
        try {
            worker.execute(task);
        } catch (RejectedExecutionException e) {
            LOG.debug("Journal feeds are closed");
        }
    }

    private synchronized void stopFeed(String region) {
        stop(region.toLowerCase(Locale.ROOT));
    }

    /** Starts following a journal unless this node does already (or the region is gone). */
    private synchronized void follow(String region, String epoch) {
        try {
            ensure(regions.get(region), epoch);
        } catch (NotFoundException e) {
            LOG.debug("Journaled region {} is gone", region);
        } catch (RuntimeException e) {
            LOG.warn("Cannot follow journaled region {} (trying again shortly): {}", region, e.toString());
        }
    }

    /** This node's feed of the journal named {@code epoch}; a feed of an older journal of the region is stopped first. */
    private Feed ensure(Region r, String epoch) {
        String key = r.name().toLowerCase(Locale.ROOT);
        Feed f = feeds.get(key);
        if (f != null && f.epoch.equals(epoch)) {
            return f;
        }
        if (f != null) {
            stop(key);
        }
        return start(r, epoch);
    }

    /**
     * Puts a RESYNC into every node's buffer of the region (whichever node writes the journal takes it in turn with the
     * changes around it); a journal without its writer's buffer getting it still has it on the others.
     */
    void announceResync(String region, String reason) {
        ignite.message().send(RESYNC_TOPIC, new String[] {region.toLowerCase(Locale.ROOT), reason, Long.toString(resyncIds.incrementAndGet())
                + "-" + ignite.cluster().localNode().order()});
    }

    /** This node's feed of a journaled region, started now if the registry listener has not started it yet. */
    synchronized Feed feed(String region) {
        Journals.Retention journal = journals.retention(region);
        if (journal == null) {
            throw new NotFoundException("region '" + region + "' has no change journal");
        }
        return ensure(regions.get(region), journal.epoch());
    }

    /** This node's feed if it runs, else {@code null}. */
    Feed running(String region) {
        return feeds.get(region.toLowerCase(Locale.ROOT));
    }

    private synchronized void reconcile() {
        try {
            Set<String> wanted = new HashSet<>();
            for (String region : journals.names()) {
                try {
                    Region r = regions.get(region);
                    wanted.add(r.name().toLowerCase(Locale.ROOT));
                    Journals.Retention journal = journals.retention(region);
                    if (journal != null) {
                        ensure(r, journal.epoch());
                    }
                } catch (NotFoundException e) {
                    LOG.debug("Journaled region {} is gone", region);
                } catch (RuntimeException e) {
                    LOG.warn("Cannot follow journaled region {}: {}", region, e.toString());
                }
            }
            for (String region : List.copyOf(feeds.keySet())) {
                // a journal only a scan misses may be too new for it: stop only what a point read confirms gone
                if (!wanted.contains(region) && (!regionExists(region) || journals.retention(region) == null)) {
                    stop(region);
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("Keeping journal feeds in step with the registry failed: {}", e.toString());
        }
    }

    /** Who follows which journal, and which journals are in use or dropped. */
    JournalFollowers followers() {
        return followers;
    }


    private boolean regionExists(String region) {
        try {
            regions.get(region);
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }

    private Feed start(Region r, String epoch) {
        String key = r.name().toLowerCase(Locale.ROOT);
        Feed f = new Feed(r.name(), epoch, new ShadowBuffer(maxShadowChanges), caches.journal(r.name(), epoch));
        // the journal's query first: a change journaled from now on moves the tail and trims the shadow buffer
        ContinuousQuery<Long, Object> jq = new ContinuousQuery<>();
        jq.setLocalListener(events -> {
            for (CacheEntryEvent<? extends Long, ?> e : events) {
                if (e.getEventType() == EventType.CREATED && e.getValue() instanceof BinaryObject ev) {
                    f.tail.arrived(e.getKey(), ev);
                    Integer part = ev.field("part");
                    Long ctr = ev.field("ctr");
                    if (part != null && ctr != null) {
                        f.shadow.trim(part, ctr);
                    }
                }
            }
        });
        f.journalQuery = f.journal.query(jq);
        JournalMeta meta = journals.meta(r.name());
        if (meta != null && meta.epoch().equals(epoch)) {
            f.tail.atLeast(meta.nextSeq() - 1);
        }
        Affinity<Object> affinity = ignite.affinity(r.cache().getName());
        ContinuousQuery<Object, Object> rq = new ContinuousQuery<>();
        rq.setIncludeExpired(true);
        rq.setLocalListener(events -> {
            long now = System.currentTimeMillis();
            for (CacheEntryEvent<?, ?> e : events) {
                boolean put = e.getEventType() == EventType.CREATED || e.getEventType() == EventType.UPDATED;
                long ctr = e instanceof CacheQueryEntryEvent<?, ?> q ? q.getPartitionUpdateCounter() : 0;
                f.shadow.add(affinity.partition(e.getKey()), ctr, put ? "PUT" : "DELETE", e.getKey(), put ? e.getValue() : null,
                        e.getOldValue(), now);
            }
        });
        f.regionQuery = r.cache().query(rq);
        long registered = System.currentTimeMillis();
        f.shadow.registered(registered);
        feeds.put(key, f);
        followers.followed(key, registered); // the sequencer going live waits for every node's entry
        LOG.info("Following region {} for its change journal", r.name());
        return f;
    }

    private void stop(String key) {
        Feed f = feeds.remove(key);
        if (f == null) {
            return;
        }
        close(f.regionQuery);
        close(f.journalQuery);
        try {
            followers.unfollowed(key);
        } catch (RuntimeException e) {
            LOG.debug("Forgetting this node as a follower of {} failed: {}", key, e.toString());
        }
        f.shadow.clear();
        f.tail.wakeAll();
        LOG.info("Stopped following region {} for its change journal", f.region);
    }

    /** A tail that has waited a while for an event lost in between reads the journal's head from its meta instead. */
    private void fillGaps() {
        for (Feed f : feeds.values()) {
            try {
                if (f.tail.waitingForGap() && f.tail.nanosSinceAdvance() > TimeUnit.SECONDS.toNanos(1)) {
                    JournalMeta meta = journals.meta(f.region);
                    if (meta != null && meta.epoch().equals(f.epoch)) {
                        f.tail.atLeast(meta.nextSeq() - 1);
                    }
                }
            } catch (RuntimeException e) {
                LOG.debug("Checking the journal tail of {} failed: {}", f.region, e.toString());
            }
        }
    }

    private static void close(QueryCursor<?> c) {
        try {
            if (c != null) {
                c.close();
            }
        } catch (RuntimeException e) {
            LOG.debug("Closing a journal query failed: {}", e.toString());
        }
    }

    @Override
    public synchronized void close() {
        worker.shutdownNow();
        try {
            ignite.message().stopLocalListen(RESYNC_TOPIC, resyncListener);
        } catch (RuntimeException e) {
            LOG.debug("Stopping the resync listener failed: {}", e.toString());
        }
        List.copyOf(feeds.keySet()).forEach(this::stop);
    }
}
