package io.dih.server.subscribe;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import javax.cache.Cache;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.binary.BinaryObject;
import org.apache.ignite.binary.BinaryObjectBuilder;
import org.apache.ignite.cluster.ClusterNode;
import org.apache.ignite.cache.query.QueryCursor;
import org.apache.ignite.cache.query.ScanQuery;
import org.apache.ignite.transactions.Transaction;
import org.apache.ignite.transactions.TransactionConcurrency;
import org.apache.ignite.transactions.TransactionIsolation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one region's journal: takes the changes its node's {@link ShadowBuffer} holds, gives each the next sequence
 * number and writes them, with the journal's {@link JournalMeta}, in one transaction — so sequence numbers have no
 * holes and a change is journaled exactly once (a partition's changes up to the highest update counter journaled are
 * skipped). Also applies the journal's retention.
 *
 * <p>When it starts on a node (the journal's first start, or after the node running it left), it reads the highest
 * counter journaled per partition from the journal itself. If the node's shadow buffer cannot be trusted to hold
 * every change the previous sequencer had not written — its continuous query started after the last change that
 * sequencer is known to have journaled everything before, or the buffer overflowed — it writes a RESYNC event:
 * subscribers then re-read, instead of silently missing changes.
 */
final class Sequencer {
    private static final Logger LOG = LoggerFactory.getLogger(Sequencer.class);
    /** The most events written in one transaction. */
    static final int BATCH = 512;
    /** How far apart two nodes' clocks may be for the failover check. */
    static final long CLOCK_SKEW_MILLIS = 2000;

    private final Ignite ignite;
    private final Journals journals;
    private final JournalFeeds.Feed feed;
    private final JournalFeeds feeds;
    private final String key;
    private final Map<Integer, Long> journaled = new HashMap<>();
    private JournalMeta meta;
    private long lastTrimNanos;
    private final long createdNanos = System.nanoTime();

    Sequencer(Ignite ignite, Journals journals, JournalFeeds feeds, JournalFeeds.Feed feed) {
        this.ignite = ignite;
        this.feeds = feeds;
        this.journals = journals;
        this.feed = feed;
        this.key = feed.region.toLowerCase(Locale.ROOT);
    }

    String region() {
        return feed.region;
    }

    /** How long (ms) this sequencer has been writing its journal. */
    long runningFor() {
        return (System.nanoTime() - createdNanos) / 1_000_000;
    }

    /** The journal this sequencer writes. */
    String epoch() {
        return feed.epoch;
    }

    /** Reads where the journal stands and goes live (or writes a RESYNC when changes may have been missed). */
    void start() {
        meta = journals.metaOrFresh(feed.region, feed.epoch);
        try (QueryCursor<Cache.Entry<Long, Object>> cur = feed.journal.query(new ScanQuery<>())) {
            for (Cache.Entry<Long, Object> e : cur) {
                if (e.getValue() instanceof BinaryObject ev) {
                    Integer part = ev.field("part");
                    Long ctr = ev.field("ctr");
                    if (part != null && part >= 0 && ctr != null) {
                        journaled.merge(part, ctr, Math::max);
                    }
                }
            }
        }
        String resync = null;
        String self = feeds.followers().localNode();
        if (!meta.live()) {
            // going live: every server node follows the region first, so the sequencer can later move to any of them
            // and find every change it had not written in that node's buffer
            List<String> following = awaitFollowers();
            meta = meta.liveWith(following);
        } else if (!meta.fedBy(self) && feed.shadow.registeredAt() > meta.safeAt() - CLOCK_SKEW_MILLIS) {
            resync = "the journal's sequencer moved to a node that started following the region after changes it may not "
                    + "have received; re-read the region";
        }
        long now = System.currentTimeMillis();
        write(List.of(), resync, now, now);
        LOG.info("Journal of region {} is written from this node (epoch {}, next position {})", feed.region, meta.epoch(), meta.nextSeq());
    }

    /** Waits (up to 10 s) until every server node follows the region; returns the nodes that do. */
    private List<String> awaitFollowers() {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            List<String> following = new ArrayList<>();
            List<String> missing = new ArrayList<>();
            for (ClusterNode n : ignite.cluster().forServers().nodes()) {
                String id = String.valueOf(n.consistentId());
                (feeds.followers().follows(feed.region, id) ? following : missing).add(id);
            }
            if (missing.isEmpty() || System.nanoTime() > deadline) {
                if (!missing.isEmpty()) {
                    LOG.warn("Journal of region {} goes live without nodes {} following it yet (a move to them may RESYNC)", feed.region, missing);
                }
                return following;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return following;
            }
        }
    }

    /**
     * Journals what the shadow buffer holds (up to a batch).
     *
     * @return whether anything was written
     */
    boolean step() {
        feed.shadow.wakeOnChange(Thread.currentThread());
        long takenAt = System.currentTimeMillis();
        List<ShadowBuffer.Change> changes = feed.shadow.take(BATCH, journaled);
        Set<Integer> lost = feed.shadow.takeOverflowed();
        String resync = lost.isEmpty() ? null : "changes of " + lost.size() + " partition(s) were dropped before they were journaled "
                + "(the journal could not keep up); re-read the region";
        if (changes.isEmpty() && resync == null) {
            return false;
        }
        write(changes, resync, takenAt, feed.shadow.oldestReceivedAt(takenAt));
        return true;
    }

    /**
     * Writes the batch with the journal's head, in one transaction that locks the head first: if another sequencer
     * wrote since this one last did (during a move, Ignite may run the old and the new one for a moment), this one
     * learns what the other journaled, drops those changes from its batch and writes the rest after them — so two
     * writers never give two changes one number, and neither loses what the other had not written.
     */
    private void write(List<ShadowBuffer.Change> taken, String resync, long now, long safeAt) {
        List<ShadowBuffer.Change> changes = taken;
        for (int attempt = 0; ; attempt++) {
            try (Transaction tx = ignite.transactions().txStart(TransactionConcurrency.PESSIMISTIC, TransactionIsolation.REPEATABLE_READ)) {
                JournalMeta current = journals.metaCache().get(key); // locks the head until the commit
                if (current == null || !current.epoch().equals(meta.epoch())) {
                    throw new IllegalStateException("the journal of region " + feed.region + " was dropped or started again");
                }
                if (current.nextSeq() != meta.nextSeq() || current.firstSeq() != meta.firstSeq()) {
                    tx.rollback();
                    changes = catchUp(current, changes);
                    if (attempt > 100) {
                        throw new IllegalStateException("the journal of region " + feed.region + " keeps being written by another node");
                    }
                    continue;
                }
                TreeMap<Long, Object> batch = new TreeMap<>();
                long seq = meta.nextSeq();
                if (resync != null) {
                    batch.put(seq++, event("RESYNC", -1, 0, null, null, null, now, resync));
                }
                for (ShadowBuffer.Change c : changes) {
                    if ("RESYNC".equals(c.op())) { // announced by the node that cleared the region
                        batch.put(seq++, event("RESYNC", -1, c.counter(), null, null, null, c.receivedAt(), String.valueOf(c.value())));
                    } else {
                        batch.put(seq++, event(c.op(), c.partition(), c.counter(), c.key(), c.value(), c.oldValue(), c.receivedAt(), null));
                    }
                }
                JournalMeta next = meta.advanced(seq, now, safeAt);
                if (!batch.isEmpty()) {
                    feed.journal.putAll(batch);
                }
                journals.metaCache().put(key, next);
                tx.commit();
                meta = next;
                for (ShadowBuffer.Change c : changes) {
                    if (c.partition() >= 0) {
                        journaled.merge(c.partition(), c.counter(), Math::max);
                    }
                }
                if (resync != null) {
                    LOG.warn("Journal of region {}: RESYNC at position {}: {}", feed.region, meta.epoch() + "." + (next.nextSeq() - batch.size()), resync);
                }
                return;
            }
        }
    }

    /**
     * Another sequencer wrote up to {@code current}: reads what it wrote since this one's head, notes the counters it
     * journaled, and keeps of {@code changes} only those it did not journal.
     */
    private List<ShadowBuffer.Change> catchUp(JournalMeta current, List<ShadowBuffer.Change> changes) {
        LOG.warn("Journal of region {}: another node wrote positions {}..{}; continuing after them", feed.region, meta.nextSeq(),
                current.nextSeq() - 1);
        for (long from = Math.max(meta.nextSeq(), current.firstSeq()); from < current.nextSeq(); from += 1000) {
            Set<Long> keys = new LinkedHashSet<>();
            for (long s = from; s < Math.min(current.nextSeq(), from + 1000); s++) {
                keys.add(s);
            }
            for (Object o : feed.journal.getAll(keys).values()) {
                if (o instanceof BinaryObject ev) {
                    Integer part = ev.field("part");
                    Long ctr = ev.field("ctr");
                    if (part != null && part >= 0 && ctr != null) {
                        journaled.merge(part, ctr, Math::max);
                    }
                }
            }
        }
        meta = current;
        List<ShadowBuffer.Change> rest = new ArrayList<>();
        for (ShadowBuffer.Change c : changes) {
            if (c.partition() < 0 || c.counter() > journaled.getOrDefault(c.partition(), 0L)) {
                rest.add(c);
            }
        }
        return rest;
    }

    private BinaryObject event(String op, int part, long ctr, Object k, Object value, Object old, long ts, String reason) {
        BinaryObjectBuilder b = ignite.binary().builder(JournalCaches.EVENT_TYPE);
        b.setField("op", op, String.class);
        b.setField("part", part, Integer.class);
        b.setField("ctr", ctr, Long.class);
        b.setField("key", k, Object.class);
        b.setField("val", value, Object.class);
        b.setField("old", old, Object.class);
        b.setField("ts", ts, Long.class);
        b.setField("reason", reason, String.class);
        return b.build();
    }

    /** Drops what the retention no longer keeps, at most once a second. */
    void trim(Journals.Retention retention) {
        long nowNanos = System.nanoTime();
        if (nowNanos - lastTrimNanos < 1_000_000_000L) {
            return;
        }
        lastTrimNanos = nowNanos;
        long first = meta.firstSeq();
        long next = meta.nextSeq();
        long keepFrom = Math.max(first, next - retention.maxEvents());
        long oldest = System.currentTimeMillis() - retention.maxAgeSeconds() * 1000;
        // by age: walk from the oldest kept event while events are too old (a bounded number per round)
        long cursor = keepFrom;
        while (cursor < next && cursor - keepFrom < 10_000) {
            Set<Long> keys = new LinkedHashSet<>();
            for (long s = cursor; s < Math.min(next, cursor + 256); s++) {
                keys.add(s);
            }
            Map<Long, Object> found = feed.journal.getAll(keys);
            boolean stop = false;
            for (Long s : keys) {
                Object ev = found.get(s);
                Long ts = ev instanceof BinaryObject bo ? bo.field("ts") : null;
                if (ts != null && ts >= oldest) {
                    stop = true;
                    break;
                }
                cursor = s + 1;
            }
            if (stop) {
                break;
            }
        }
        keepFrom = cursor;
        if (keepFrom <= first) {
            return;
        }
        try (Transaction tx = ignite.transactions().txStart(TransactionConcurrency.PESSIMISTIC, TransactionIsolation.REPEATABLE_READ)) {
            JournalMeta current = journals.metaCache().get(key);
            if (current == null || current.nextSeq() != meta.nextSeq() || current.firstSeq() != meta.firstSeq()) {
                return; // another sequencer wrote meanwhile: the next batch catches up, the next round trims
            }
            JournalMeta trimmed = meta.trimmedTo(keepFrom);
            journals.metaCache().put(key, trimmed); // readers treat positions before firstSeq as gone from here on
            tx.commit();
            meta = trimmed;
        }
        List<Long> drop = new ArrayList<>();
        for (long s = first; s < keepFrom; s++) {
            drop.add(s);
            if (drop.size() == 1000 || s == keepFrom - 1) {
                feed.journal.removeAll(new LinkedHashSet<>(drop));
                drop.clear();
            }
        }
        LOG.debug("Journal of region {} now keeps positions {}..{}", feed.region, keepFrom, next - 1);
    }
}
