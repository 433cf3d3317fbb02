package io.dih.server.region;

import static java.util.Objects.requireNonNull;

import java.util.Collection;
import java.util.function.Consumer;
import javax.cache.processor.MutableEntry;
import org.apache.ignite.binary.BinaryObject;
import org.apache.ignite.cache.CacheEntryProcessor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the hub's own writes to a region go. Through the region's cache (and so its cache store: WRITE_THROUGH), or,
 * for a WRITE_BEHIND region that a source feeds, past the store and into the region's durable write-behind queue, in
 * the same Ignite transaction as the entry. Every write path of the hub (entries, transactions) goes through here, so
 * the rule is fixed once.
 */
public final class RegionWrites {
    private static final Logger LOG = LoggerFactory.getLogger(RegionWrites.class);
    private volatile DataPath path = DataPath.NONE;
    private volatile Consumer<Collection<String>> written = names -> { };

    /**
     * Installs the listener told, before a write call answers, of the regions it wrote (committed or not: a listener
     * must treat a failed write as a possible change). Cached endpoint answers over them end there.
     */
    public void afterWrites(Consumer<Collection<String>> listener) {
        this.written = requireNonNull(listener, "listener is null");
    }

    /**
     * Tells the listener that a write call has finished writing these regions; call it before the call answers. A
     * listener's failure is logged, never put in the place of the write's own outcome (the continuous query that
     * watches each cached region still catches the change, a few milliseconds later).
     */
    public void written(Collection<String> regionNames) {
        try {
            written.accept(regionNames);
        } catch (RuntimeException e) {
            LOG.warn("Telling of writes to {} failed (cached endpoint answers over them end when the change event arrives): {}",
                    regionNames, e.toString());
        }
    }

    /** Connects the data path (the durable write-behind queues); until then WRITE_BEHIND regions write through. */
    public void attach(DataPath dataPath) {
        this.path = requireNonNull(dataPath, "dataPath is null");
    }

    /**
     * The queue writes to {@code r} go through when they are to be queued: a WRITE_BEHIND region that a source feeds;
     * else {@code null}. Call it outside any transaction (it may create the region's queue cache, which inside one
     * would deadlock).
     */
    public WriteQueue queueing(Region r) {
        return path.queueFor(r);
    }

    /** Whether the region's source promises SESSION consistency. */
    public boolean sessionConsistent(Region r) {
        return path.sessionConsistent(r);
    }

    /**
     * Inside a transaction: stores {@code value} under {@code key} ({@code null}: removes it). With {@code wb} (from
     * {@link #queueing}) the write skips the store and its pending record joins the transaction; without, the store
     * (if any) gets it when the transaction commits, and a refusal rolls the transaction back.
     */
    public static void write(Region r, WriteQueue wb, Object key, BinaryObject value) {
        if (wb != null) {
            if (value == null) {
                r.cache().withSkipStore().remove(key);
            } else {
                r.cache().withSkipStore().put(key, value);
            }
            wb.enqueue(r, key, value);
        } else if (value == null) {
            r.cache().remove(key);
        } else {
            r.cache().put(key, value);
        }
    }

    /**
     * As {@link #write}, for a key the running transaction has invoked an entry processor on (Ignite then takes only
     * more entry processors for it, no plain put or remove).
     */
    public static void writeByProcessor(Region r, WriteQueue wb, Object key, BinaryObject value) {
        (wb != null ? r.cache().withSkipStore() : r.cache()).invoke(key, new Assign(value));
        if (wb != null) {
            wb.enqueue(r, key, value);
        }
    }

    /** Sets the entry to a value ({@code null}: removes it). */
    static final class Assign implements CacheEntryProcessor<Object, Object, Object> {
        private static final long serialVersionUID = 1L;
        private final BinaryObject value;

        Assign(BinaryObject value) {
            this.value = value;
        }

        @Override
        public Object process(MutableEntry<Object, Object> entry, Object... arguments) {
            if (value == null) {
                entry.remove();
            } else {
                entry.setValue(value);
            }
            return null;
        }
    }
}
