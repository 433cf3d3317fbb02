package io.dih.server.gateway;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.dih.spi.FieldError;
import java.util.List;

/**
 * An RFC 9457 problem document ({@code application/problem+json}). {@code field} names the first offending
 * field; {@code errors} lists every one.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(
        @JsonProperty("type") String type,
        @JsonProperty("title") String title,
        @JsonProperty("status") int status,
        @JsonProperty("detail") String detail,
        @JsonProperty("instance") String instance,
        @JsonProperty("field") String field,
        @JsonProperty("errors") List<FieldError> errors) {
}
