package io.dih.spi;

import static java.util.Objects.requireNonNull;

/**
 * One problem with one field of a request or configuration.
 *
 * @param field   the field's path as the user wrote it, e.g. {@code cache_mode} or {@code indexes[1]}
 * @param message what is wrong, in words a user can act on
 */
public record FieldError(String field, String message) {
    public FieldError {
        requireNonNull(field, "field is null");
        requireNonNull(message, "message is null");
    }

    @Override
    public String toString() {
        return field + ": " + message;
    }
}
