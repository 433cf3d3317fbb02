package io.dih.server.transform;

import com.google.common.primitives.UnsignedLong;
import dev.cel.common.types.CelKind;
import dev.cel.common.types.CelType;
import dev.cel.common.types.NullableType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.values.CelByteString;
import dev.cel.common.values.NullValue;
import io.dih.api.SqlType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Date;
import java.sql.Time;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Between the hub's column values (Java values of a {@link SqlType}) and CEL's.
 *
 * <p>Types: TINYINT..BIGINT → {@code int}; REAL, DOUBLE and DECIMAL → {@code double} (expressions compute decimals as
 * doubles; a DECIMAL column that is not recomputed keeps its exact value); VARCHAR, UUID, TIME → {@code string};
 * BOOLEAN → {@code bool}; BINARY → {@code bytes}; DATE, TIMESTAMP → {@code google.protobuf.Timestamp} (the SQL
 * value's wall clock read as UTC; a DATE is its midnight UTC). Columns of the scalar types are declared as CEL wrapper
 * types (DATE and TIMESTAMP as timestamps, which CEL also lets compare with null), so {@code col == null} type-checks;
 * using a NULL value in arithmetic, an ordering comparison or a function is an evaluation error.
 */
final class CelValues {
    private CelValues() {
    }

    /** The CEL type of a column of this SQL type. */
    static CelType celType(SqlType type) {
        return switch (type) {
            case TINYINT, SMALLINT, INT, BIGINT -> NullableType.create(SimpleType.INT);
            case REAL, DOUBLE, DECIMAL -> NullableType.create(SimpleType.DOUBLE);
            case VARCHAR, UUID, TIME -> NullableType.create(SimpleType.STRING);
            case BOOLEAN -> NullableType.create(SimpleType.BOOL);
            case BINARY -> NullableType.create(SimpleType.BYTES);
            case DATE, TIMESTAMP -> SimpleType.TIMESTAMP;
        };
    }

    /** The SQL type that stores results of this CEL type, if any (dyn, lists, maps, durations have none). */
    static Optional<SqlType> sqlType(CelType type) {
        CelType t = type instanceof NullableType n ? n.targetType() : type;
        CelKind kind = t.kind();
        return switch (kind) {
            case INT, UINT -> Optional.of(SqlType.BIGINT);
            case DOUBLE -> Optional.of(SqlType.DOUBLE);
            case STRING -> Optional.of(SqlType.VARCHAR);
            case BOOL -> Optional.of(SqlType.BOOLEAN);
            case BYTES -> Optional.of(SqlType.BINARY);
            case TIMESTAMP -> Optional.of(SqlType.TIMESTAMP);
            default -> Optional.empty();
        };
    }

    /** A column value as CEL sees it; NULL is CEL's {@code null}. Parsed JSON values are already CEL values. */
    static Object toCel(Object value) {
        if (value == null) {
            return NullValue.NULL_VALUE;
        }
        if (value instanceof String || value instanceof Long || value instanceof Double || value instanceof Boolean
                || value instanceof Map || value instanceof List || value instanceof NullValue) {
            return value;
        }
        if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (value instanceof Float || value instanceof BigDecimal || value instanceof BigInteger) {
            return ((Number) value).doubleValue();
        }
        if (value instanceof Timestamp ts) {
            return ts.toLocalDateTime().toInstant(ZoneOffset.UTC);
        }
        if (value instanceof Date d) {
            return d.toLocalDate().atStartOfDay().toInstant(ZoneOffset.UTC);
        }
        if (value instanceof LocalDateTime ldt) {
            return ldt.toInstant(ZoneOffset.UTC);
        }
        if (value instanceof LocalDate ld) {
            return ld.atStartOfDay().toInstant(ZoneOffset.UTC);
        }
        if (value instanceof byte[] bytes) {
            return CelByteString.of(bytes);
        }
        if (value instanceof Time || value instanceof UUID) {
            return value.toString();
        }
        return value;
    }

    /** A CEL result as the Java value of {@code type} (the type {@link #sqlType} gave); CEL's null is NULL. */
    static Object fromCel(Object value, SqlType type) {
        if (value == null || value instanceof NullValue) {
            return null;
        }
        if (value instanceof UnsignedLong u) {
            if (u.compareTo(UnsignedLong.valueOf(Long.MAX_VALUE)) > 0) {
                throw new IllegalArgumentException("the unsigned value " + u + " does not fit BIGINT");
            }
            return u.longValue();
        }
        if (value instanceof CelByteString b) {
            return b.toByteArray();
        }
        if (value instanceof Instant i) {
            return Timestamp.valueOf(LocalDateTime.ofInstant(i, ZoneOffset.UTC));
        }
        if (type == SqlType.VARCHAR && !(value instanceof String)) {
            return String.valueOf(value);
        }
        return value;
    }
}
