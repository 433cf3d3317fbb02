package io.dih.server.region;

import java.util.Map;
import org.apache.ignite.binary.BinaryObject;

/**
 * A region's durable write-behind queue, as the hub's write paths see it: a write's pending record joins the
 * caller's transaction, next to the entry.
 */
public interface WriteQueue {
    /** Records, inside the caller's transaction, that {@code key} of {@code r} must reach the source ({@code null}: removed). */
    void enqueue(Region r, Object key, BinaryObject value);

    /** {@link #enqueue} for many keys at once. */
    void enqueueAll(Region r, Map<Object, BinaryObject> values);
}
