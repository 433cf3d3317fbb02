package io.dih.api;

import com.fasterxml.jackson.annotation.JsonCreator;

/** Whether a region takes part in ACID transactions. */
public enum AtomicityMode {
    ATOMIC, TRANSACTIONAL;

    /** Parses a value case-insensitively; the message lists the accepted values. */
    @JsonCreator
    public static AtomicityMode of(String value) {
        return Enums.parse(AtomicityMode.class, value);
    }
}
