package io.dih.spi;

import java.util.List;

/** Where a {@link ChangeFeed} hands its changes. */
public interface ChangeSink {
    /**
     * Applies a batch of changes, in source commit order. Returns once they are durable in the hub; a throw stops the
     * feed without saving their offset (they come again).
     */
    void apply(List<ChangeEvent> events);

    /** The feed's phase: {@code SNAPSHOT} while it copies the tables, {@code STREAMING} after. */
    default void phase(String phase) {
    }

    /** Before a snapshot starts: how many rows it will read (an estimate a source may refine), for progress in %. */
    default void snapshotTotal(long rows) {
    }
}
