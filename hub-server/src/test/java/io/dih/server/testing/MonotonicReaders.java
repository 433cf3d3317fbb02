package io.dih.server.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One reader per hub process, each reading {@code id, value} pairs with SQL over the thin JDBC driver in a loop and
 * noting every value that went down since it last read it (a change delivered again after a failure must never
 * overwrite a newer one). A killed node's reader stops quietly.
 */
public final class MonotonicReaders implements AutoCloseable {
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<Thread> threads = new ArrayList<>();
    /** A value that went down, and when the read that saw it ended. */
    private record Backwards(String text, Instant at) {
    }

    private final List<Backwards> backwards = Collections.synchronizedList(new ArrayList<>());
    private final List<String> errors = Collections.synchronizedList(new ArrayList<>());
    private final AtomicLong reads = new AtomicLong();

    /** Starts the readers; {@code sql} selects two numbers: a key and a value that only grows. */
    public MonotonicReaders(List<HubProcess> nodes, String sql) {
        for (int i = 0; i < nodes.size(); i++) {
            HubProcess node = nodes.get(i);
            int index = i;
            Thread t = new Thread(() -> read(node, index, sql), "reader-" + index);
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
    }

    /** The {@code id → value} pairs a query of one node answers now. */
    public static Map<Long, Long> read(HubProcess node, String sql) throws Exception {
        return read(node, sql, null);
    }

    /** {@link #read(HubProcess, String)}, noting in {@code twice} every id the answer had more than once. */
    private static Map<Long, Long> read(HubProcess node, String sql, List<String> twice) throws Exception {
        Map<Long, Long> out = new HashMap<>();
        try (Connection c = DriverManager.getConnection(io.dih.testing.HubCredentials.jdbcUrl(node.thinClientPort()));
             ResultSet rs = c.createStatement().executeQuery(sql)) {
            while (rs.next()) {
                Long before = out.put(rs.getLong(1), rs.getLong(2));
                if (before != null && twice != null) {
                    twice.add(rs.getLong(1) + " (" + before + " and " + rs.getLong(2) + ")");
                }
            }
        }
        return out;
    }

    private void read(HubProcess node, int index, String sql) {
        Map<Long, Long> seen = new HashMap<>();
        while (!stop.get()) {
            try {
                long t0 = System.nanoTime();
                List<String> twice = new ArrayList<>();
                Map<Long, Long> now = read(node, sql, twice);
                long read = reads.incrementAndGet();
                if (errors.size() < 20 && System.nanoTime() - t0 > 2_000_000_000L) {
                    errors.add("node " + index + ": a read took " + (System.nanoTime() - t0) / 1_000_000 + " ms");
                }
                now.forEach((id, value) -> {
                    Long before = seen.put(id, value);
                    if (before != null && value < before) {
                        Instant at = Instant.now();
                        backwards.add(new Backwards("node " + index + ": " + id + " went from " + before + " to " + value + " (read " + read + " at "
                                + at + ", " + now.size() + " ids" + (twice.isEmpty() ? "" : ", twice in one answer: " + twice) + ")", at));
                    }
                });
            } catch (Exception e) {
                if (!node.process().isAlive()) {
                    return; // the killed node
                }
                if (errors.size() < 20) {
                    errors.add("node " + index + ": " + e);
                }
            }
        }
    }

    /** Values that went down, as "node i: id went from a to b (which read, when, how many ids, any id answered twice)". */
    public List<String> backwards() {
        synchronized (backwards) {
            return backwards.stream().map(Backwards::text).toList();
        }
    }

    /**
     * {@link #backwards()} seen outside {@code [from, to]}: a test that kills a node passes the moments Ignite may show
     * a surviving copy without the dead primary's last commits (until its exchange has recovered them).
     */
    public List<String> backwardsOutside(Instant from, Instant to) {
        synchronized (backwards) {
            return backwards.stream().filter(b -> b.at().isBefore(from) || b.at().isAfter(to)).map(Backwards::text).toList();
        }
    }

    public long reads() {
        return reads.get();
    }

    public List<String> errors() {
        return List.copyOf(errors);
    }

    /** Stops the readers and waits for them. */
    @Override
    public void close() throws InterruptedException {
        stop.set(true);
        for (Thread t : threads) {
            t.join(10_000);
        }
    }
}
