package io.dih.server.subscribe;

import java.util.Map;
import java.util.TreeMap;
import org.apache.ignite.binary.BinaryObject;

/**
 * This node's view of the end of one region's journal: the highest sequence number up to which every event is known
 * to be written ({@link #head}), fed by a continuous query on the journal cache, and the latest events themselves in a
 * ring, so live subscribers read them from memory instead of the cache. Events can arrive out of order across the
 * journal's partitions; the head only moves over an unbroken run. Subscribers wait here for the head to move.
 */
final class JournalTail {
    private final long[] ringSeqs;
    private final BinaryObject[] ring;
    private final TreeMap<Long, BinaryObject> early = new TreeMap<>();
    private long head;
    private volatile long lastAdvanceNanos = System.nanoTime();

    JournalTail(int ringSize) {
        this.ringSeqs = new long[ringSize];
        this.ring = new BinaryObject[ringSize];
    }

    /** Every event up to {@code seq} is in the journal cache (read when the tail starts, and as a fallback). */
    synchronized void atLeast(long seq) {
        if (seq > head) {
            head = seq;
            early.headMap(seq, true).clear();
            advance();
            notifyAll();
        }
    }

    /** An event the journal's continuous query delivered. */
    synchronized void arrived(long seq, BinaryObject event) {
        if (seq <= head) {
            remember(seq, event); // already counted (read at start), still worth keeping for readers
            return;
        }
        early.put(seq, event);
        if (advance()) {
            notifyAll();
        }
    }

    private boolean advance() {
        boolean moved = false;
        Map.Entry<Long, BinaryObject> e;
        while ((e = early.firstEntry()) != null && e.getKey() <= head + 1) {
            early.pollFirstEntry();
            if (e.getKey() == head + 1) {
                head++;
                moved = true;
            }
            remember(e.getKey(), e.getValue());
        }
        if (moved) {
            lastAdvanceNanos = System.nanoTime();
        }
        return moved;
    }

    private void remember(long seq, BinaryObject event) {
        int i = (int) Math.floorMod(seq, (long) ring.length);
        ringSeqs[i] = seq;
        ring[i] = event;
    }

    synchronized long head() {
        return head;
    }

    /** The event from the ring, or {@code null} when it is not (or no longer) there. */
    synchronized BinaryObject cached(long seq) {
        int i = (int) Math.floorMod(seq, (long) ring.length);
        return ringSeqs[i] == seq ? ring[i] : null;
    }

    /** Whether events arrived beyond a missing one (an out-of-order arrival that has not been filled). */
    synchronized boolean waitingForGap() {
        return !early.isEmpty();
    }

    long nanosSinceAdvance() {
        return System.nanoTime() - lastAdvanceNanos;
    }

    /** Waits until the head passes {@code seq} or {@code millis} pass; returns the head. */
    synchronized long awaitPast(long seq, long millis) throws InterruptedException {
        if (head <= seq && millis > 0) {
            wait(millis);
        }
        return head;
    }

    /** Wakes every waiting subscriber (the journal was dropped or the node stops). */
    synchronized void wakeAll() {
        notifyAll();
    }
}
