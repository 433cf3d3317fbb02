package io.dih.api;

import com.fasterxml.jackson.annotation.JsonCreator;

/** How data moves from a source into its regions: bulk loads, change data capture, a message stream, or not at all (read/write-through only). */
public enum SyncMode {
    LOAD, CDC, STREAM, NONE;

    /** Parses a value case-insensitively; the message lists the accepted values. */
    @JsonCreator
    public static SyncMode of(String value) {
        return Enums.parse(SyncMode.class, value);
    }
}
