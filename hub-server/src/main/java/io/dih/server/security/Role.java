package io.dih.server.security;

import io.dih.spi.InvalidSpecException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What a credential may do, each role including the ones before it: {@code reader} (reads, endpoint calls, SELECT,
 * subscriptions), {@code writer} (also entries, transactions, DML), {@code admin} (also regions, sources, endpoints
 * and keys).
 */
public enum Role {
    READER, WRITER, ADMIN;

    /** Whether this role may do what {@code needed} may. */
    public boolean covers(Role needed) {
        return compareTo(needed) >= 0;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** A role by its name ({@code reader}, {@code writer}, {@code admin}); anything else is a 400 on {@code field}. */
    public static Role parse(String field, String text) {
        if (text != null) {
            for (Role r : values()) {
                if (r.wireName().equalsIgnoreCase(text.trim())) {
                    return r;
                }
            }
        }
        throw new InvalidSpecException(field, "must be one of " + Arrays.stream(values()).map(Role::wireName).collect(Collectors.joining(", "))
                + (text == null ? "" : ", was '" + text + "'"));
    }
}
