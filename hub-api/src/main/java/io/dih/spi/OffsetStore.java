package io.dih.spi;

import java.util.Map;

/**
 * Where a {@link ChangeFeed} keeps its position, as opaque key/value strings. The hub keeps it in a cache with
 * backups, so a feed that moves to another node resumes where the last one stopped.
 */
public interface OffsetStore {
    /** The offsets last saved (empty: start with a snapshot). */
    Map<String, String> load();

    /** Replaces the stored offsets. */
    void save(Map<String, String> offsets);
}
