package io.dih.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** The column types a region accepts, with the SQL spellings users write for them. */
public enum SqlType {
    VARCHAR("java.lang.String", "STRING", "TEXT", "CHAR", "CHARACTER VARYING"),
    BOOLEAN("java.lang.Boolean", "BOOL"),
    TINYINT("java.lang.Byte"),
    SMALLINT("java.lang.Short", "INT2"),
    INT("java.lang.Integer", "INTEGER", "INT4"),
    BIGINT("java.lang.Long", "LONG", "INT8"),
    REAL("java.lang.Float", "FLOAT4"),
    DOUBLE("java.lang.Double", "FLOAT", "FLOAT8", "DOUBLE PRECISION"),
    DECIMAL("java.math.BigDecimal", "NUMERIC", "NUMBER"),
    DATE("java.sql.Date"),
    TIME("java.sql.Time"),
    TIMESTAMP("java.sql.Timestamp", "DATETIME", "TIMESTAMPTZ"),
    UUID("java.util.UUID"),
    BINARY("[B", "VARBINARY", "BYTES", "BYTEA", "BLOB");

    private final String javaType;
    private final List<String> aliases;

    SqlType(String javaType, String... aliases) {
        this.javaType = javaType;
        this.aliases = List.of(aliases);
    }

    /** The Java class name Ignite's QueryEntity uses for this column type. */
    public String javaType() {
        return javaType;
    }

    @JsonValue
    public String sqlName() {
        return name();
    }

    /** Parses a type name or alias, case-insensitively; the message lists the accepted names. */
    @JsonCreator
    public static SqlType of(String value) {
        if (value != null) {
            String v = value.trim().toUpperCase(Locale.ROOT);
            for (SqlType t : values()) {
                if (t.name().equals(v) || t.aliases.contains(v)) {
                    return t;
                }
            }
        }
        throw new IllegalArgumentException("'" + value + "' is not a supported SQL type; use one of "
                + Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", ")));
    }
}
