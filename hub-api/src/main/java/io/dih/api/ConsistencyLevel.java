package io.dih.api;

import com.fasterxml.jackson.annotation.JsonCreator;

/** The consistency a source promises its regions (seed 004). */
public enum ConsistencyLevel {
    EVENTUAL, STRONG, BOUNDED_STALENESS, SESSION;

    /** Parses a value case-insensitively; the message lists the accepted values. */
    @JsonCreator
    public static ConsistencyLevel of(String value) {
        return Enums.parse(ConsistencyLevel.class, value);
    }
}
