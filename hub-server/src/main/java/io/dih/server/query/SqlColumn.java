package io.dih.server.query;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonProperty;

/** A result column: its name as the query labels it and its SQL type (VARCHAR, BIGINT, DECIMAL, TIMESTAMP…). */
public record SqlColumn(@JsonProperty("name") String name, @JsonProperty("type") String type) {
    public SqlColumn {
        requireNonNull(name, "name is null");
        requireNonNull(type, "type is null");
    }
}
