package io.dih.server.subscribe;

import static java.util.Objects.requireNonNull;

import io.dih.server.region.Region;
import io.dih.server.region.RegionService;
import io.dih.server.registry.Registry;
import io.dih.spi.InvalidSpecException;
import io.dih.spi.NotFoundException;
import io.dih.spi.TooManyRequestsException;
import io.dih.spi.UnavailableException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import org.apache.ignite.Ignite;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's subscriptions to region change streams, and the journals behind them. Opening one starts the region's
 * journal if it has none (cluster-wide, through the registry), waits until the journal follows the region, picks the
 * position to start from (now, after a given position, or a RESYNC when that position is gone) and runs the
 * {@link Subscriber} on its own thread. Bounded per node ({@link Settings#maxPerNode}).
 */
public final class Subscriptions implements AutoCloseable {
    /** Node-local key under which the {@link JournalService} finds this node's subscriptions. */
    public static final String NODE_LOCAL_KEY = "dih.subscriptions";
    private static final Logger LOG = LoggerFactory.getLogger(Subscriptions.class);
    private static final long LIVE_WAIT_MILLIS = 15_000;

    private final Ignite ignite;
    private final RegionService regions;
    private final Journals journals;
    private final JournalFeeds feeds;
    private final JournalCaches caches;
    private final Settings settings;
    private final Map<Long, Subscriber> open = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final Map<String, LongAdder> slow = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> sent = new ConcurrentHashMap<>();
    private volatile BiConsumer<String, Long> lagObserver = (region, millis) -> { };
    private volatile boolean closed;

    /**
     * Per-node subscription settings.
     *
     * @param maxPerNode      the most subscriptions a node serves at once (more: 429)
     * @param maxLagEvents    a subscriber further behind the journal's end than this is closed as too slow
     * @param sendTimeoutMillis a client that does not take one event within this is closed as too slow
     * @param heartbeatMillis an idle subscription gets a heartbeat this often
     * @param maxSnapshotRows the most rows a {@code snapshot=true} subscription may start with
     * @param retention       journal retention for journals started without one
     * @param maxShadowChanges the most changes a node keeps per journaled region until they are journaled
     */
    public record Settings(int maxPerNode, long maxLagEvents, long sendTimeoutMillis, long heartbeatMillis, int maxSnapshotRows,
                           Journals.Retention retention, int maxShadowChanges) {
        public static Settings of(int maxPerNode, long maxLagEvents, long sendTimeoutMillis, long heartbeatMillis, int maxSnapshotRows,
                                  int journalMaxEvents, long journalMaxAgeSeconds, int maxShadowChanges) {
            return new Settings(maxPerNode, maxLagEvents, sendTimeoutMillis, heartbeatMillis, maxSnapshotRows,
                    new Journals.Retention(journalMaxEvents, journalMaxAgeSeconds, false, null), maxShadowChanges);
        }
    }

    /**
     * @param dataRegion    the Ignite data region for journals' bookkeeping (one that never evicts), or {@code null}
     *                      for the default one
     * @param journalRegion the Ignite data region for the journals, or {@code null} for the default one
     */
    public Subscriptions(Ignite ignite, Registry registry, RegionService regions, String dataRegion, String journalRegion,
                         Settings settings) {
        this.ignite = requireNonNull(ignite, "ignite is null");
        this.regions = requireNonNull(regions, "regions is null");
        this.settings = requireNonNull(settings, "settings is null");
        this.caches = new JournalCaches(ignite, dataRegion, journalRegion, 1);
        this.journals = new Journals(registry, caches.meta(), settings.retention());
        this.feeds = new JournalFeeds(ignite, regions, journals, caches, settings.maxShadowChanges());
        feeds.followers().reportActive(() -> openByRegion().keySet());
    }

    /** Deploys the journal writer (a cluster singleton; a no-op when it runs already). */
    public void start() {
        ignite.cluster().nodeLocalMap().put(NODE_LOCAL_KEY, this);
        ignite.services().deployClusterSingleton(JournalService.NAME, new JournalService());
    }

    Settings settings() {
        return settings;
    }

    Journals journals() {
        return journals;
    }

    JournalFeeds feeds() {
        return feeds;
    }

    /** Installs the observer of delivery lag (journal receipt → sent), for metrics. */
    public void observeLag(BiConsumer<String, Long> observer) {
        this.lagObserver = requireNonNull(observer, "observer is null");
    }

    /** Called by the registry listener (quick) for every change anywhere. */
    public void onRegistryChange(String registryKey, String json) {
        feeds.onRegistryChange(registryKey, json);
        if (registryKey.startsWith(Journals.KIND + "/") && json == null) {
            String region = registryKey.substring(Journals.KIND.length() + 1);
            for (Subscriber s : open.values()) {
                if (s.region().equalsIgnoreCase(region)) {
                    s.stop(EventSink.SHUTTING_DOWN, "the change journal of region '" + s.region() + "' was dropped; subscribe again");
                }
            }
        }
        if (registryKey.startsWith("region/")) {
            String region = registryKey.substring("region/".length());
            for (Subscriber s : open.values()) {
                if (s.region().equalsIgnoreCase(region) && !regionExists(region)) {
                    s.stop(EventSink.GONE, "region '" + s.region() + "' was deleted");
                }
            }
        }
    }

    /**
     * Opens a subscription and starts sending on its own thread.
     *
     * @param params   the query parameters, name → value
     * @param resumeAt SSE's {@code Last-Event-ID}, or {@code null}
     */
    public long open(String regionName, Map<String, String> params, String resumeAt, EventSink sink) {
        if (closed) {
            throw new UnavailableException("this node is stopping");
        }
        Region region = regions.get(regionName); // 404 for an unknown region
        SubscriptionRequest request = SubscriptionRequest.parse(region, params, resumeAt);
        if (open.size() >= settings.maxPerNode()) {
            throw new TooManyRequestsException("this node serves " + settings.maxPerNode() + " subscriptions, its limit; close some or "
                    + "subscribe through another node");
        }
        feeds.followers().touch(region.name()); // first: a journal is never dropped as unused between its start and this
        journals.ensure(region.name());
        JournalFeeds.Feed feed = feeds.feed(region.name());
        JournalMeta meta = awaitLive(region.name(), feed.epoch);
        long next = meta.nextSeq();
        String resync = null;
        Position from = request.from();
        if (from != null) {
            if (!from.epoch().equals(meta.epoch())) {
                resync = "position " + from + " is not of this region's journal (another region's, or a journal since started "
                        + "again); re-read the region";
            } else if (from.seq() >= meta.nextSeq()) {
                if (from.seq() > meta.nextSeq() - 1 + Sequencer.BATCH * 4L) {
                    throw new InvalidSpecException("from", "position " + from + " is ahead of the journal's end ("
                            + meta.head() + ")");
                }
                next = from.seq() + 1;
            } else if (from.seq() < meta.firstSeq() - 1) {
                resync = "position " + from + " is older than what the journal keeps (from " + new Position(meta.epoch(), meta.firstSeq() - 1)
                        + " on); re-read the region";
            } else {
                next = from.seq() + 1;
            }
        }
        long id = ids.incrementAndGet();
        Subscriber s = new Subscriber(id, region, request, sink, feed, this, meta.epoch(), next, resync);
        if (open.putIfAbsent(id, s) != null || open.size() > settings.maxPerNode()) {
            open.remove(id);
            throw new TooManyRequestsException("this node serves " + settings.maxPerNode() + " subscriptions, its limit");
        }
        Thread t = new Thread(s, "dih-subscriber-" + id);
        t.setDaemon(true);
        t.start();
        LOG.debug("Subscription {} to {} from position {}", id, region.name(), s.position());
        return id;
    }

    private JournalMeta awaitLive(String region, String epoch) {
        long deadline = System.nanoTime() + LIVE_WAIT_MILLIS * 1_000_000L;
        while (true) {
            JournalMeta meta = journals.meta(region);
            if (meta != null && meta.live() && meta.epoch().equals(epoch)) {
                return meta;
            }
            if (System.nanoTime() > deadline) {
                throw new UnavailableException("the change journal of region '" + region + "' did not start within "
                        + LIVE_WAIT_MILLIS / 1000 + " s; try again");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UnavailableException("interrupted while the journal started");
            }
        }
    }

    /** Ends a subscription whose client went away (or never mind: an unknown id is ignored). */
    public void cancel(long id) {
        Subscriber s = open.get(id);
        if (s != null) {
            s.stop(1000, "closed by the client");
        }
    }

    /** The journal's state once it is live (a journal just configured is waited for, as a subscription would be). */
    public JournalStatus awaitJournalStatus(String regionName) {
        Region region = regions.get(regionName);
        awaitLive(region.name(), feeds.feed(region.name()).epoch);
        return journalStatus(regionName);
    }

    void ended(Subscriber s) {
        open.remove(s.id());
    }

    void slowDisconnect(String region) {
        slow.computeIfAbsent(region.toLowerCase(Locale.ROOT), r -> new LongAdder()).increment();
    }

    void sent(String region) {
        sent.computeIfAbsent(region.toLowerCase(Locale.ROOT), r -> new LongAdder()).increment();
    }

    /** Events this node has sent to subscribers, by region (lower case). */
    public Map<String, Long> eventsSent() {
        Map<String, Long> out = new TreeMap<>();
        sent.forEach((r, n) -> out.put(r, n.sum()));
        return out;
    }

    void delivered(String region, long lagMillis) {
        lagObserver.accept(region, lagMillis);
    }

    /** The region as it is now (its columns may have grown), or {@code r} itself when it is gone. */
    Region current(Region r) {
        try {
            return regions.get(r.name());
        } catch (NotFoundException e) {
            return r;
        }
    }

    boolean regionExists(String region) {
        try {
            regions.get(region);
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }

    /** Drops a region's journal (called by the sequencer's node): its region is gone, or it is unkept and unused. */
    void dropJournal(String region, String why) {
        Journals.Retention journal = journals.retention(region);
        journals.drop(region);
        feeds.followers().forget(region);
        if (journal != null && journal.epoch() != null) {
            // its cache goes later: a node that has not yet seen the drop may still register a continuous query on it, and
            // that registration would wait for the cache's stop while the stop waits for it
            feeds.followers().tombstone(region, journal.epoch());
        }
        LOG.info("Dropped the change journal of region {}: {}", region, why);
    }

    /** Destroys the caches of journals dropped more than {@code graceMillis} ago (called by the journal writer's node). */
    void destroyDroppedJournals(long graceMillis) {
        feeds.followers().tombstones(graceMillis).forEach((region, epoch) -> {
            try {
                caches.destroy(region, epoch);
                LOG.debug("Destroyed the cache of dropped journal {} of region {}", epoch, region);
            } catch (RuntimeException e) {
                LOG.debug("Destroying the cache of dropped journal {} of {} failed: {}", epoch, region, e.toString());
            }
        });
    }

    /** Open subscriptions on this node, by region (lower case). */
    public Map<String, Integer> openByRegion() {
        Map<String, Integer> out = new TreeMap<>();
        open.values().forEach(s -> out.merge(s.region().toLowerCase(Locale.ROOT), 1, Integer::sum));
        return out;
    }

    /** Subscribers closed as too slow on this node, by region (lower case). */
    public Map<String, Long> slowDisconnects() {
        Map<String, Long> out = new TreeMap<>();
        slow.forEach((r, n) -> out.put(r, n.sum()));
        return out;
    }

    /** Whether the region has a change journal. */
    public boolean journaled(String region) {
        return journals.retention(region) != null;
    }

    /**
     * A region was emptied without change events (a CDC truncate clears the cache): its journal gets a RESYNC, so
     * subscribers re-read instead of keeping rows that are gone.
     */
    public void regionCleared(String region, String why) {
        if (journaled(region)) {
            feeds.announceResync(region, "region '" + region + "' was cleared: " + why + "; re-read the region");
        }
    }

    /** Events each journal keeps, by region (lower case). */
    public Map<String, Long> journalSizes() {
        Map<String, Long> out = new TreeMap<>();
        for (String region : journals.names()) {
            JournalMeta m = journals.meta(region);
            if (m != null) {
                out.put(region, m.nextSeq() - m.firstSeq());
            }
        }
        return out;
    }

    /** Starts or reconfigures a region's journal; @return whether it was started now */
    public boolean configureJournal(String regionName, Integer maxEvents, Long maxAgeSeconds, Boolean keep) {
        Region region = regions.get(regionName);
        feeds.followers().touch(region.name()); // an unkept journal lives at least its age from now
        boolean created = journals.configure(region.name(), Journals.Retention.of(maxEvents, maxAgeSeconds, keep, journals.defaults()));
        return created;
    }

    /** A region journal's state, or a 404 when the region has none. */
    public JournalStatus journalStatus(String regionName) {
        Region region = regions.get(regionName);
        Journals.Retention retention = journals.retention(region.name());
        JournalMeta meta = journals.meta(region.name());
        if (retention == null || meta == null) {
            throw new NotFoundException("region '" + region.name() + "' has no change journal yet: it starts with its first "
                    + "subscription, or PUT /subscriptions/" + region.name() + "/journal");
        }
        JournalFeeds.Feed feed = feeds.running(region.name());
        return new JournalStatus(region.name(), meta.epoch(), new Position(meta.epoch(), meta.firstSeq() - 1).toString(),
                meta.head().toString(), meta.nextSeq() - meta.firstSeq(), retention.maxEvents(), retention.maxAgeSeconds(),
                retention.keep(), meta.live(), openByRegion().getOrDefault(region.name().toLowerCase(Locale.ROOT), 0),
                feed == null ? 0 : feed.shadow.size(), feed == null ? null : new Position(meta.epoch(), feed.tail.head()).toString());
    }

    @Override
    public void close() {
        closed = true;
        for (Subscriber s : List.copyOf(open.values())) {
            s.stop(EventSink.SHUTTING_DOWN, "this node is stopping; resume on another node");
        }
        feeds.close();
    }
}
