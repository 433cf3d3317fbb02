package io.dih.server.subscribe;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dih.server.region.ColumnValues;
import io.dih.server.region.EntryCodec;
import io.dih.server.region.Region;
import java.io.IOException;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import javax.cache.Cache;
import org.apache.ignite.binary.BinaryObject;
import org.apache.ignite.cache.query.QueryCursor;
import org.apache.ignite.cache.query.ScanQuery;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subscription: reads the region's journal from its position on, one event after another, and sends the ones
 * its filter and operations let through. It pulls — from this node's {@link JournalTail} ring while it keeps up, from
 * the journal cache when it is behind — so a slow client only falls behind, and never holds memory or a writer up;
 * one that falls further behind than the node allows, or does not take an event in time, is closed with "too slow"
 * and the position it can resume from.
 */
final class Subscriber implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(Subscriber.class);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final int READ_BATCH = 256;

    private final long id;
    private volatile Region region;
    private final SubscriptionRequest request;
    private final EventSink sink;
    private final JournalFeeds.Feed feed;
    private final Subscriptions owner;
    private final String epoch;
    private final String initialResync;
    private volatile long next;
    private volatile boolean stopped;
    private volatile String closeReason;
    private volatile int closeCode;
    private volatile Thread thread;
    /** Snapshot dedup: the rows the snapshot sent (key → value hash), and keys settled since. */
    private Map<Object, Integer> snapshotRows;
    private Set<Object> settled;
    private long snapshotEndedAt;
    private final long[] sent = new long[1];

    Subscriber(long id, Region region, SubscriptionRequest request, EventSink sink, JournalFeeds.Feed feed, Subscriptions owner,
               String epoch, long next, String initialResync) {
        this.id = id;
        this.region = region;
        this.request = request;
        this.sink = sink;
        this.feed = feed;
        this.owner = owner;
        this.epoch = epoch;
        this.next = next;
        this.initialResync = initialResync;
    }

    long id() {
        return id;
    }

    String region() {
        return region.name();
    }

    /** The position of the last event this subscriber has gone past (sent or skipped). */
    Position position() {
        return new Position(epoch, next - 1);
    }

    long eventsSent() {
        return sent[0];
    }

    /** Asks the subscriber to end with a close code and reason (the region went, the node stops, too slow). */
    void stop(int code, String reason) {
        closeCode = code;
        closeReason = reason;
        stopped = true;
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }

    @Override
    public void run() {
        thread = Thread.currentThread();
        try {
            ObjectNode hello = NODES.objectNode();
            hello.put("op", "SUBSCRIBED");
            hello.put("region", region.name());
            hello.put("position", position().toString());
            emit(position().toString(), hello); // the start position: a client can resume from here before any change
            if (initialResync != null) {
                resync(next - 1, initialResync);
            }
            if (request.snapshot()) {
                snapshot();
            }
            long lastSend = System.nanoTime();
            while (!stopped && sink.isOpen()) {
                long head = feed.tail.head();
                if (next <= head) {
                    if (head - next + 1 > owner.settings().maxLagEvents()) {
                        tooSlow((head - next + 1) + " events behind, more than the " + owner.settings().maxLagEvents() + " a subscriber may lag");
                        return;
                    }
                    deliver(next, Math.min(head, next + READ_BATCH - 1));
                    lastSend = System.nanoTime();
                } else {
                    feed.tail.awaitPast(next - 1, Math.min(owner.settings().heartbeatMillis(), 1000));
                    if (feed.tail.head() < next && System.nanoTime() - lastSend > owner.settings().heartbeatMillis() * 1_000_000L) {
                        sink.heartbeat();
                        lastSend = System.nanoTime();
                    }
                }
            }
            if (stopped) {
                sink.close(closeCode, closeReason, problem(closeCode, closeReason));
            }
        } catch (InterruptedException e) {
            if (stopped) {
                sink.close(closeCode, closeReason, problem(closeCode, closeReason));
            }
        } catch (EventSink.TooSlow e) {
            tooSlow(e.getMessage());
        } catch (IOException e) {
            LOG.debug("Subscriber {} of {} went away: {}", id, region.name(), e.toString());
            if (sink.isOpen()) {
                sink.close(1011, "the stream broke; resume from " + position(), problem(1011, e.getMessage()));
            }
        } catch (RuntimeException e) {
            if (stopped) {
                sink.close(closeCode, closeReason, problem(closeCode, closeReason));
            } else {
                LOG.warn("Subscriber {} of region {} failed at position {}: {}", id, region.name(), position(), e.toString());
                sink.close(1011, "internal error; resume from " + position(), problem(1011, "internal error: " + e.getMessage()));
            }
        } finally {
            owner.ended(this);
        }
    }

    private void tooSlow(String why) {
        owner.slowDisconnect(region.name());
        String reason = "too slow: " + why + "; resume from " + position();
        sink.close(EventSink.TOO_SLOW, reason, problem(EventSink.TOO_SLOW, reason));
    }

    private void deliver(long from, long to) throws IOException {
        region = owner.current(region); // a source may have added columns since the last batch
        Map<Long, Object> fromCache = null;
        for (long seq = from; seq <= to && !stopped; seq++) {
            BinaryObject ev = feed.tail.cached(seq);
            if (ev == null) {
                if (fromCache == null) {
                    Set<Long> keys = new LinkedHashSet<>();
                    for (long s = seq; s <= to; s++) {
                        keys.add(s);
                    }
                    fromCache = feed.journal.getAll(keys);
                }
                Object o = fromCache.get(seq);
                ev = o instanceof BinaryObject bo ? bo : null;
            }
            if (ev == null) {
                JournalMeta meta = owner.journals().meta(region.name());
                long first = meta == null ? to + 1 : meta.firstSeq();
                resync(seq, "position " + epoch + "." + (seq - 1) + " is older than what the journal keeps (from "
                        + epoch + "." + (first - 1) + " on); re-read the region");
                next = Math.max(seq + 1, first);
                return;
            }
            send(seq, ev);
            next = seq + 1;
        }
    }

    private void resync(long seq, String reason) throws IOException {
        ObjectNode out = NODES.objectNode();
        out.put("op", "RESYNC");
        out.put("region", region.name());
        out.put("position", new Position(epoch, seq).toString());
        out.put("ts", Instant.now().toString());
        out.put("reason", reason);
        emit(new Position(epoch, seq).toString(), out);
    }

    private void send(long seq, BinaryObject ev) throws IOException {
        String op = ev.field("op");
        Long ts = ev.field("ts");
        String position = new Position(epoch, seq).toString();
        if ("RESYNC".equals(op)) {
            ObjectNode out = NODES.objectNode();
            out.put("op", "RESYNC");
            out.put("region", region.name());
            out.put("position", position);
            out.put("ts", Instant.ofEpochMilli(ts == null ? 0 : ts).toString());
            out.put("reason", (String) ev.field("reason"));
            emit(position, out);
            return;
        }
        Object key = ev.field("key");
        Object val = ev.field("val");
        Object old = ev.field("old");
        Map<String, Object> newRow = val == null ? null : EntryCodec.javaRow(region, key, val);
        Map<String, Object> oldRow = old == null ? null : EntryCodec.javaRow(region, key, old);
        boolean newMatch = newRow != null && request.filter().test(newRow);
        boolean oldMatch = oldRow != null && request.filter().test(oldRow);
        String outOp;
        if ("PUT".equals(op)) {
            outOp = newMatch ? "PUT" : oldMatch ? "DELETE" : null; // a row that leaves the filter is a DELETE for this subscriber
        } else {
            outOp = oldRow == null || oldMatch ? "DELETE" : null;
        }
        if (outOp == null || duplicateOfSnapshot(outOp, key, val, ts)) {
            return;
        }
        if (!request.ops().contains(SubscriptionRequest.Op.valueOf(outOp))) {
            return;
        }
        ObjectNode out = NODES.objectNode();
        out.put("op", outOp);
        out.put("region", region.name());
        out.put("key", EntryCodec.keyText(region, key));
        out.set("value", "PUT".equals(outOp) ? json(request.projection().apply(newRow)) : NODES.nullNode());
        out.set("old_value", oldRow == null ? NODES.nullNode() : json(request.projection().apply(oldRow)));
        out.put("position", position);
        out.put("ts", Instant.ofEpochMilli(ts == null ? 0 : ts).toString());
        emit(position, out);
        if (ts != null) {
            owner.delivered(region.name(), System.currentTimeMillis() - ts);
        }
    }

    private void emit(String position, ObjectNode event) throws IOException {
        sink.send(position, event.toString());
        sent[0]++;
        owner.sent(region.name());
    }

    private static ObjectNode json(Map<String, Object> row) {
        ObjectNode o = NODES.objectNode();
        row.forEach((k, v) -> o.set(k, ColumnValues.toJson(v)));
        return o;
    }

    /**
     * Sends the rows that match now, each as a PUT at the journal position the snapshot started from; the changes
     * after it follow. A change the snapshot already shows (it was committed while the snapshot was read) is not sent
     * again, nor is the delete of a row the snapshot never showed.
     */
    private void snapshot() throws IOException {
        long start = next - 1;
        String position = new Position(epoch, start).toString();
        snapshotRows = new HashMap<>();
        settled = new HashSet<>();
        try (QueryCursor<Cache.Entry<Object, Object>> cur = region.cache().query(new ScanQuery<>())) {
            for (Cache.Entry<Object, Object> e : cur) {
                if (stopped) {
                    return;
                }
                Map<String, Object> row = EntryCodec.javaRow(region, e.getKey(), e.getValue());
                if (!request.filter().test(row)) {
                    continue;
                }
                if (snapshotRows.size() >= owner.settings().maxSnapshotRows()) {
                    String why = "snapshot: the matching rows are more than the " + owner.settings().maxSnapshotRows()
                            + " a snapshot may send (subscriptions.max_snapshot_rows); narrow the filter or read the region by SQL";
                    closeCode = EventSink.BAD_REQUEST;
                    closeReason = why;
                    stopped = true; // (not stop(): that interrupts this very thread, which still writes the close)
                    return;
                }
                snapshotRows.put(e.getKey(), Objects.hashCode(e.getValue()));
                ObjectNode out = NODES.objectNode();
                out.put("op", "PUT");
                out.put("region", region.name());
                out.put("key", EntryCodec.keyText(region, e.getKey()));
                out.set("value", json(request.projection().apply(row)));
                out.set("old_value", NODES.nullNode());
                out.put("position", position);
                out.put("snapshot", true);
                emit(position, out);
            }
        }
        snapshotEndedAt = System.currentTimeMillis();
        ObjectNode done = NODES.objectNode();
        done.put("op", "SNAPSHOT_END");
        done.put("region", region.name());
        done.put("rows", snapshotRows.size());
        done.put("position", position);
        emit(position, done);
    }

    private boolean duplicateOfSnapshot(String op, Object key, Object val, Long ts) {
        if (snapshotRows == null) {
            return false;
        }
        if (ts != null && ts > snapshotEndedAt + Sequencer.CLOCK_SKEW_MILLIS) {
            if (ts > snapshotEndedAt + 10 * Sequencer.CLOCK_SKEW_MILLIS) {
                snapshotRows = null; // well past the snapshot: nothing can repeat it any more
                settled = null;
            }
            return false;
        }
        if (!settled.add(key)) {
            return false; // the key's first change after the snapshot has been judged; later ones are new
        }
        Integer shown = snapshotRows.get(key);
        if ("PUT".equals(op)) {
            return shown != null && shown == Objects.hashCode(val);
        }
        return shown == null; // a delete of a row the snapshot never showed
    }

    private String problem(int code, String detail) {
        ObjectNode p = NODES.objectNode();
        p.put("type", "about:blank");
        p.put("title", code == EventSink.TOO_SLOW ? "Too slow" : code == EventSink.GONE ? "Gone" : "Subscription closed");
        p.put("status", code);
        p.put("detail", detail);
        p.put("position", position().toString());
        return p.toString();
    }
}
