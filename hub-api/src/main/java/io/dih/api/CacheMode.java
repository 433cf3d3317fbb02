package io.dih.api;

import com.fasterxml.jackson.annotation.JsonCreator;

/** How a region's entries are spread over the nodes. */
public enum CacheMode {
    PARTITIONED, REPLICATED;

    /** Parses a value case-insensitively; the message lists the accepted values. */
    @JsonCreator
    public static CacheMode of(String value) {
        return Enums.parse(CacheMode.class, value);
    }
}
