package io.dih.server.subscribe;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;

/**
 * The changes of one region this node's continuous query received and has not yet seen journaled, per partition in
 * update-counter order. Every node keeps one for each journaled region: the sequencer journals from its node's
 * buffer, and when it moves to another node (its node left or died), the new one finds there what the old one had
 * not written yet. A node drops a change once the journal's own continuous query shows it journaled ({@link #trim}).
 * Bounded: past {@code maxChanges} the oldest change of the partition is dropped and the partition is marked as having
 * lost changes, which a sequencer turns into a RESYNC event instead of a silent gap.
 */
final class ShadowBuffer {
    /**
     * One change as the region's continuous query reported it.
     *
     * @param arrival the order in which this buffer received it (across partitions)
     */
    record Change(int partition, long counter, String op, Object key, Object value, Object oldValue, long receivedAt, long arrival) {
    }

    private final int maxChanges;
    private volatile long registeredAt = Long.MAX_VALUE;
    private final Map<Integer, ArrayDeque<Change>> parts = new HashMap<>();
    private final Set<Integer> overflowed = new HashSet<>();
    private int size;
    private long arrivals;
    private volatile Thread waiter;

    ShadowBuffer(int maxChanges) {
        this.maxChanges = maxChanges;
    }

    /** Notes when (this node's clock) the continuous query feeding this buffer was registered: it has every change since. */
    void registered(long at) {
        this.registeredAt = at;
    }

    /** When the feeding continuous query was registered ({@code Long.MAX_VALUE}: not yet). */
    long registeredAt() {
        return registeredAt;
    }

    synchronized void add(int partition, long counter, String op, Object key, Object value, Object oldValue, long receivedAt) {
        Change c = new Change(partition, counter, op, key, value, oldValue, receivedAt, ++arrivals);
        ArrayDeque<Change> q = parts.computeIfAbsent(c.partition(), p -> new ArrayDeque<>());
        if (q.isEmpty() || q.peekLast().counter() < c.counter()) {
            q.addLast(c);
        } else {
            insertInOrder(q, c); // the listener is called in counter order per partition; this is belt and braces
        }
        size++;
        if (size > maxChanges) {
            q.pollFirst();
            size--;
            overflowed.add(c.partition());
        }
        Thread w = waiter;
        if (w != null) {
            LockSupport.unpark(w);
        }
    }

    private void insertInOrder(ArrayDeque<Change> q, Change c) {
        List<Change> all = new ArrayList<>(q);
        q.clear();
        boolean placed = false;
        for (Change x : all) {
            if (!placed && x.counter() >= c.counter()) {
                if (x.counter() == c.counter()) {
                    size--; // the same change twice: keep one
                } else {
                    q.addLast(c);
                }
                placed = true;
            }
            q.addLast(x);
        }
        if (!placed) {
            q.addLast(c);
        }
    }

    /** Drops the partition's changes up to {@code counter}: they are journaled. */
    synchronized void trim(int partition, long counter) {
        ArrayDeque<Change> q = parts.get(partition);
        if (q == null) {
            return;
        }
        if (partition < 0) { // announced RESYNCs carry ids, not counters: drop the one journaled
            if (q.removeIf(c -> c.counter() == counter)) {
                size--;
            }
        }
        while (partition >= 0 && !q.isEmpty() && q.peekFirst().counter() <= counter) {
            q.pollFirst();
            size--;
        }
        if (q.isEmpty()) {
            parts.remove(partition);
        }
    }

    /**
     * Takes up to {@code max} changes not yet journaled (counter above {@code journaled}'s entry for their partition),
     * in the order they arrived here — each partition's stay in counter order, which is each key's order. Changes at
     * or below the journaled counter are dropped on the way.
     */
    synchronized List<Change> take(int max, Map<Integer, Long> journaled) {
        List<Change> out = new ArrayList<>();
        if (parts.isEmpty()) {
            return out;
        }
        PriorityQueue<ArrayDeque<Change>> heads = new PriorityQueue<>(Comparator.comparingLong(q -> q.peekFirst().arrival()));
        heads.addAll(parts.values());
        while (out.size() < max && !heads.isEmpty()) {
            ArrayDeque<Change> q = heads.poll();
            Change c = q.pollFirst();
            size--;
            if (c.partition() < 0 || c.counter() > journaled.getOrDefault(c.partition(), 0L)) { // -1: an announced RESYNC
                out.add(c);
            }
            if (q.isEmpty()) {
                parts.remove(c.partition());
            } else {
                heads.add(q);
            }
        }
        return out;
    }

    /** Unparks {@code thread} on every change from now on (the sequencer parks while there is nothing to write). */
    void wakeOnChange(Thread thread) {
        this.waiter = thread;
    }

    /** When (this node's clock) the oldest change still here arrived, or {@code fallback} when there is none. */
    synchronized long oldestReceivedAt(long fallback) {
        long oldest = fallback;
        for (ArrayDeque<Change> q : parts.values()) {
            if (!q.isEmpty()) {
                oldest = Math.min(oldest, q.peekFirst().receivedAt());
            }
        }
        return oldest;
    }

    /** The partitions that lost changes to the bound since the last call. */
    synchronized Set<Integer> takeOverflowed() {
        Set<Integer> out = new HashSet<>(overflowed);
        overflowed.clear();
        return out;
    }

    synchronized int size() {
        return size;
    }

    /** Removes every change (the journal is dropped). */
    synchronized void clear() {
        parts.clear();
        size = 0;
    }
}
