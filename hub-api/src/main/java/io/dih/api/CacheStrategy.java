package io.dih.api;

import com.fasterxml.jackson.annotation.JsonCreator;

/** How a region keeps in step with its bound source; it takes effect once a source is bound. */
public enum CacheStrategy {
    READ_THROUGH, WRITE_THROUGH, WRITE_BEHIND, REFRESH_AHEAD, NONE;

    /** Parses a value case-insensitively; the message lists the accepted values. */
    @JsonCreator
    public static CacheStrategy of(String value) {
        return Enums.parse(CacheStrategy.class, value);
    }
}
