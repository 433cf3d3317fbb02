package io.dih.connector.cassandra;

import static java.util.Objects.requireNonNull;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.ResultSet;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.type.DataType;
import io.dih.spi.RowSink;
import io.dih.spi.UnavailableException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bulk load: the Murmur3 token ring cut into equal ranges, {@code load_parallelism} of them read at once (each paged
 * by the driver), and every row handed to the sink on the calling thread. A watermark filters rows as they come:
 * Cassandra cannot select by a regular column without scanning, so an incremental load reads the table and skips the
 * rows at or below the watermark.
 */
final class CassandraLoader {
    private static final int RANGES_PER_WORKER = 4;
    private static final BigInteger MIN = BigInteger.valueOf(Long.MIN_VALUE);
    private static final BigInteger MAX = BigInteger.valueOf(Long.MAX_VALUE);

    /** A page of converted rows, or the end of one range's reading (with its failure, if any). */
    private record Batch(List<Map<String, Object>> rows, boolean done, RuntimeException failure) {
    }

    private final CqlSession session;
    private final int parallelism;

    CassandraLoader(CqlSession session, int parallelism) {
        this.session = requireNonNull(session, "session is null");
        this.parallelism = parallelism;
    }

    /** How many token ranges a load reads: a few per worker, so a slow range does not hold the others up. */
    int rangeCount() {
        return parallelism * RANGES_PER_WORKER;
    }

    /** The ranges {@code (start, end]} covering every Murmur3 token, {@code (Long.MIN_VALUE, Long.MAX_VALUE]}. */
    static List<long[]> ranges(int count) {
        List<long[]> ranges = new ArrayList<>(count);
        BigInteger span = MAX.subtract(MIN);
        BigInteger start = MIN;
        for (int i = 1; i <= count; i++) {
            BigInteger end = i == count ? MAX : MIN.add(span.multiply(BigInteger.valueOf(i)).divide(BigInteger.valueOf(count)));
            ranges.add(new long[] {start.longValue(), end.longValue()});
            start = end;
        }
        return ranges;
    }

    /**
     * Streams the rows of {@code table} (past {@code after} in {@code watermark}, when given) to the sink.
     *
     * @param statements the statements to read, bound: one per token range, or a single full read
     * @return the highest watermark seen
     */
    Object load(CassandraTable table, List<BoundStatement> statements, String watermark, Object after, RowSink sink) {
        List<Map.Entry<String, DataType>> cols = new ArrayList<>(table.columns().entrySet());
        BlockingQueue<Batch> queue = new ArrayBlockingQueue<>(parallelism * 4);
        AtomicInteger next = new AtomicInteger();
        int workers = Math.min(parallelism, statements.size());
        ExecutorService pool = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "cassandra-load-" + table.label());
            t.setDaemon(true);
            return t;
        });
        try {
            for (int w = 0; w < workers; w++) {
                pool.execute(() -> {
                    for (int i = next.getAndIncrement(); i < statements.size(); i = next.getAndIncrement()) {
                        if (!readRange(statements.get(i), cols, queue)) {
                            return;
                        }
                    }
                });
            }
            Object max = after;
            int finished = 0;
            while (finished < statements.size()) {
                Batch b = queue.poll(1, TimeUnit.MINUTES);
                if (b == null) {
                    throw new UnavailableException("no page of " + table.label() + " arrived from Cassandra within a minute");
                }
                if (b.failure() != null) {
                    throw b.failure();
                }
                if (b.done()) {
                    finished++;
                    continue;
                }
                for (Map<String, Object> row : b.rows()) {
                    if (watermark != null) {
                        Object v = row.get(watermark);
                        if (after != null && (v == null || compare(v, after) <= 0)) {
                            continue;
                        }
                        max = max == null || (v != null && compare(v, max) > 0) ? v : max;
                    }
                    sink.accept(row);
                }
            }
            return max;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while loading " + table.label(), e);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Reads one range page by page into the queue; false when the load is over (failed or stopped). */
    private boolean readRange(BoundStatement statement, List<Map.Entry<String, DataType>> cols, BlockingQueue<Batch> queue) {
        try {
            ResultSet rs = session.execute(statement);
            List<Map<String, Object>> page = new ArrayList<>();
            for (Row row : rs) {
                Map<String, Object> r = new HashMap<>();
                for (int i = 0; i < cols.size(); i++) {
                    r.put(cols.get(i).getKey(), CassandraTypes.read(row, i, cols.get(i).getValue()));
                }
                page.add(r);
                if (rs.getAvailableWithoutFetching() == 0) {
                    queue.put(new Batch(page, false, null));
                    page = new ArrayList<>();
                }
            }
            if (!page.isEmpty()) {
                queue.put(new Batch(page, false, null));
            }
            queue.put(new Batch(List.of(), true, null));
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (RuntimeException e) {
            try {
                queue.put(new Batch(List.of(), true, e));
            } catch (InterruptedException stopped) {
                Thread.currentThread().interrupt();
            }
            return false;
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static int compare(Object a, Object b) {
        if (a instanceof Number x && b instanceof Number y && a.getClass() != b.getClass()) {
            return new java.math.BigDecimal(x.toString()).compareTo(new java.math.BigDecimal(y.toString()));
        }
        return ((Comparable) a).compareTo(b);
    }
}
