package io.dih.server.subscribe;

import java.io.Serializable;
import java.util.Collection;
import java.util.Objects;

/**
 * A region journal's bookkeeping, one entry per journaled region in {@link JournalCaches#META}, written in the same
 * transaction as each batch of events. (A class, not a record: Ignite's binary marshaller cannot build records.)
 */
public final class JournalMeta implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String epoch;
    private final long nextSeq;
    private final long firstSeq;
    private final long lastBatchAt;
    private final long safeAt;
    private final boolean live;
    private final String feeders;

    /**
     * @param epoch       the journal's random name (see {@link Position})
     * @param nextSeq     the sequence number the next event gets
     * @param firstSeq    the oldest sequence number still kept (older ones were dropped by retention)
     * @param lastBatchAt when the sequencer last wrote a batch (epoch millis, the sequencer's clock)
     * @param safeAt      every change the sequencer had received before this time (its clock) is journaled
     * @param live        the sequencer follows the region: a subscriber may take "now" as its start
     * @param feeders     the nodes (consistent ids, comma-separated) that followed the region before it went live:
     *                    each has every change since in its buffer, so the sequencer can move to it without a RESYNC
     */
    JournalMeta(String epoch, long nextSeq, long firstSeq, long lastBatchAt, long safeAt, boolean live, String feeders) {
        this.epoch = epoch;
        this.nextSeq = nextSeq;
        this.firstSeq = firstSeq;
        this.lastBatchAt = lastBatchAt;
        this.safeAt = safeAt;
        this.live = live;
        this.feeders = feeders == null ? "" : feeders;
    }

    static JournalMeta fresh(String epoch) {
        return new JournalMeta(epoch, 1, 1, 0, 0, false, "");
    }

    String epoch() {
        return epoch;
    }

    long nextSeq() {
        return nextSeq;
    }

    long firstSeq() {
        return firstSeq;
    }

    long lastBatchAt() {
        return lastBatchAt;
    }

    long safeAt() {
        return safeAt;
    }

    boolean live() {
        return live;
    }

    /** Whether the node followed the region since before the journal went live. */
    boolean fedBy(String node) {
        for (String f : feeders.split(",")) {
            if (f.equals(node)) {
                return true;
            }
        }
        return false;
    }

    /** Goes live with these nodes as the ones that followed the region from the start. */
    JournalMeta liveWith(Collection<String> nodes) {
        return new JournalMeta(epoch, nextSeq, firstSeq, lastBatchAt, safeAt, live, String.join(",", nodes));
    }

    /** The position of the last event written (before the first: {@code <epoch>.0}). */
    Position head() {
        return new Position(epoch, nextSeq - 1);
    }

    JournalMeta advanced(long next, long now, long safe) {
        return new JournalMeta(epoch, next, firstSeq, now, safe, true, feeders);
    }

    JournalMeta trimmedTo(long first) {
        return new JournalMeta(epoch, nextSeq, first, lastBatchAt, safeAt, live, feeders);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JournalMeta m && m.epoch.equals(epoch) && m.nextSeq == nextSeq && m.firstSeq == firstSeq
                && m.lastBatchAt == lastBatchAt && m.safeAt == safeAt && m.live == live && m.feeders.equals(feeders);
    }

    @Override
    public int hashCode() {
        return Objects.hash(epoch, nextSeq, firstSeq, lastBatchAt, safeAt, live, feeders);
    }

    @Override
    public String toString() {
        return "JournalMeta[" + epoch + ", next " + nextSeq + ", first " + firstSeq + (live ? ", live" : "") + "]";
    }
}
