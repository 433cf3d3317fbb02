package io.dih.spi;

import java.util.List;
import java.util.Map;

/**
 * Where a {@link ChangeFeed} keeps its position, as opaque key/value strings, and what else it must remember to resume
 * (a schema history). The hub keeps both in a cache with backups, so a feed that moves to another node resumes where
 * the last one stopped.
 */
public interface OffsetStore {
    /** The offsets last saved (empty: start with a snapshot). */
    Map<String, String> load();

    /** Replaces the stored offsets. */
    void save(Map<String, String> offsets);

    /** The feed's schema history, oldest record first (empty at first). */
    default List<String> history() {
        return List.of();
    }

    /** Appends one record to the feed's schema history. */
    default void appendHistory(String record) {
        throw new UnsupportedOperationException("this offset store keeps no schema history");
    }
}
