package io.dih.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.dih.spi.FieldError;
import io.dih.spi.InvalidSpecException;
import java.util.ArrayList;
import java.util.List;

/**
 * When entries expire, in seconds; {@code null} leaves that clock alone.
 *
 * <p>{@code create}: lifetime of a new entry. {@code access}: a read resets the lifetime to this. {@code update}:
 * a write resets it. With no {@code create}, a new entry gets the {@code access} (else {@code update}) lifetime,
 * so {@code {"access": 60}} means "expire after 60 s without a read".
 */
@JsonIgnoreProperties(ignoreUnknown = false)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ExpiryPolicySpec(
        @JsonProperty("create") Long create,
        @JsonProperty("access") Long access,
        @JsonProperty("update") Long update) {

    public ExpiryPolicySpec {
        List<FieldError> errors = new ArrayList<>();
        check(errors, "create", create);
        check(errors, "access", access);
        check(errors, "update", update);
        if (create == null && access == null && update == null) {
            errors.add(new FieldError("expiry_policy", "give at least one of create, access, update (seconds)"));
        }
        if (!errors.isEmpty()) {
            throw new InvalidSpecException(errors);
        }
    }

    private static void check(List<FieldError> errors, String name, Long seconds) {
        if (seconds != null && seconds <= 0) {
            errors.add(new FieldError("expiry_policy." + name, "must be a positive number of seconds, was " + seconds));
        }
    }

    /** Seconds a new entry lives, or {@code null} for ever. */
    public Long creationSeconds() {
        return create != null ? create : access != null ? access : update;
    }
}
