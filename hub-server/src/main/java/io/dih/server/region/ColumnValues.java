package io.dih.server.region;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dih.api.SqlType;
import io.dih.spi.InvalidSpecException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Collection;
import java.util.Map;
import java.util.UUID;
import org.apache.ignite.binary.BinaryObject;

/**
 * One column value: JSON (as users write it) or a source's Java value to the Java type of an SQL column, and a stored
 * value back to JSON (ISO-8601 times, base64 binary, exact decimals). {@link EntryCodec} builds whole rows from these.
 */
public final class ColumnValues {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private ColumnValues() {
    }

    /**
     * A typed Java value (from a source) as the Java type of a region column: as it is when it already fits, else
     * converted the way a JSON value would be (so a source's BIGINT id can feed a VARCHAR key column).
     */
    public static Object coerce(String field, SqlType type, Object v) {
        if (v == null || javaType(type).isInstance(v)) {
            return v;
        }
        return convert(field, type, toJson(v));
    }

    /** A stored Java value as JSON: dates and times in ISO-8601, binary as base64. */
    public static JsonNode toJson(Object v) {
        if (v == null) {
            return NODES.nullNode();
        }
        if (v instanceof String s) {
            return NODES.textNode(s);
        }
        if (v instanceof Boolean b) {
            return NODES.booleanNode(b);
        }
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return NODES.numberNode(((Number) v).intValue());
        }
        if (v instanceof Long l) {
            return NODES.numberNode(l);
        }
        if (v instanceof Float f) {
            return NODES.numberNode(f);
        }
        if (v instanceof Double d) {
            return NODES.numberNode(d);
        }
        if (v instanceof BigDecimal d) {
            return NODES.numberNode(d);
        }
        if (v instanceof BigInteger i) {
            return NODES.numberNode(i);
        }
        if (v instanceof java.sql.Date d) {
            return NODES.textNode(d.toLocalDate().toString());
        }
        if (v instanceof java.sql.Time t) {
            return NODES.textNode(t.toLocalTime().toString());
        }
        if (v instanceof java.sql.Timestamp t) {
            return NODES.textNode(t.toInstant().toString());
        }
        if (v instanceof java.util.Date d) {
            return NODES.textNode(d.toInstant().toString());
        }
        if (v instanceof UUID u) {
            return NODES.textNode(u.toString());
        }
        if (v instanceof byte[] bytes) {
            return NODES.textNode(Base64.getEncoder().encodeToString(bytes));
        }
        if (v instanceof BinaryObject bo) {
            ObjectNode o = NODES.objectNode();
            for (String n : bo.type().fieldNames()) {
                o.set(n, toJson(bo.field(n)));
            }
            return o;
        }
        if (v instanceof Collection<?> c) {
            var arr = NODES.arrayNode();
            c.forEach(x -> arr.add(toJson(x)));
            return arr;
        }
        if (v instanceof Object[] a) {
            var arr = NODES.arrayNode();
            for (Object x : a) {
                arr.add(toJson(x));
            }
            return arr;
        }
        if (v instanceof Map<?, ?> m) {
            ObjectNode o = NODES.objectNode();
            m.forEach((k, x) -> o.set(String.valueOf(k), toJson(x)));
            return o;
        }
        return NODES.textNode(v.toString());
    }

    @SuppressWarnings("unchecked")
    static Class<Object> javaClass(SqlType t) {
        return (Class<Object>) javaType(t);
    }

    private static Class<?> javaType(SqlType t) {
        return switch (t) {
            case VARCHAR -> String.class;
            case BOOLEAN -> Boolean.class;
            case TINYINT -> Byte.class;
            case SMALLINT -> Short.class;
            case INT -> Integer.class;
            case BIGINT -> Long.class;
            case REAL -> Float.class;
            case DOUBLE -> Double.class;
            case DECIMAL -> BigDecimal.class;
            case DATE -> java.sql.Date.class;
            case TIME -> java.sql.Time.class;
            case TIMESTAMP -> java.sql.Timestamp.class;
            case UUID -> UUID.class;
            case BINARY -> byte[].class;
        };
    }

    /** Converts one JSON value to the Java type of an SQL column; the error names {@code field}. */
    public static Object convert(String field, SqlType type, JsonNode v) {
        if (v == null || v.isNull()) {
            if (field.equals("key") || field.startsWith("key.")) {
                throw new InvalidSpecException(field, "a key column cannot be null");
            }
            return null;
        }
        if (v.isContainerNode()) {
            throw new InvalidSpecException(field, "must be a single " + type + " value, got " + (v.isArray() ? "an array" : "an object"));
        }
        try {
            return switch (type) {
                case VARCHAR -> v.asText();
                case BOOLEAN -> bool(v);
                case TINYINT -> (byte) integral(v, Byte.MIN_VALUE, Byte.MAX_VALUE);
                case SMALLINT -> (short) integral(v, Short.MIN_VALUE, Short.MAX_VALUE);
                case INT -> (int) integral(v, Integer.MIN_VALUE, Integer.MAX_VALUE);
                case BIGINT -> integral(v, Long.MIN_VALUE, Long.MAX_VALUE);
                case REAL -> (float) decimal(v).doubleValue();
                case DOUBLE -> decimal(v).doubleValue();
                case DECIMAL -> decimal(v);
                case DATE -> java.sql.Date.valueOf(LocalDate.parse(text(v)));
                case TIME -> java.sql.Time.valueOf(LocalTime.parse(text(v)));
                case TIMESTAMP -> timestamp(v);
                case UUID -> java.util.UUID.fromString(text(v));
                case BINARY -> Base64.getDecoder().decode(text(v));
            };
        } catch (NumberFormatException | ArithmeticException | DateTimeParseException e) {
            throw new InvalidSpecException(field, "'" + v.asText() + "' is not a valid " + type + hint(type));
        } catch (IllegalArgumentException e) {
            throw new InvalidSpecException(field, "'" + v.asText() + "' is not a valid " + type + hint(type));
        }
    }

    private static String hint(SqlType type) {
        return switch (type) {
            case DATE -> " (use yyyy-MM-dd)";
            case TIME -> " (use HH:mm:ss)";
            case TIMESTAMP -> " (use ISO-8601, e.g. 2024-01-01T10:00:00Z, or epoch milliseconds)";
            case BINARY -> " (use base64)";
            case TINYINT, SMALLINT, INT, BIGINT -> " (an integer in range)";
            default -> "";
        };
    }

    private static String text(JsonNode v) {
        if (!v.isTextual()) {
            throw new IllegalArgumentException("not text");
        }
        return v.asText();
    }

    private static Boolean bool(JsonNode v) {
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        String s = v.asText().trim().toLowerCase();
        if (s.equals("true") || s.equals("false")) {
            return Boolean.valueOf(s);
        }
        throw new IllegalArgumentException("not a boolean");
    }

    private static long integral(JsonNode v, long min, long max) {
        BigDecimal d = v.isNumber() ? v.decimalValue() : new BigDecimal(v.asText().trim());
        long l = d.longValueExact();
        if (l < min || l > max) {
            throw new ArithmeticException("out of range");
        }
        return l;
    }

    private static BigDecimal decimal(JsonNode v) {
        if (v.isNumber()) {
            return v.decimalValue();
        }
        if (v.isTextual()) {
            return new BigDecimal(v.asText().trim());
        }
        throw new NumberFormatException("not a number");
    }

    private static java.sql.Timestamp timestamp(JsonNode v) {
        if (v.isIntegralNumber()) {
            return new java.sql.Timestamp(v.longValue());
        }
        String s = text(v).trim();
        try {
            return java.sql.Timestamp.from(OffsetDateTime.parse(s).toInstant());
        } catch (DateTimeParseException ignored) {
            // not with an offset: try the forms below
        }
        try {
            return java.sql.Timestamp.from(Instant.parse(s));
        } catch (DateTimeParseException ignored) {
            // not an instant
        }
        if (s.length() == 10) {
            return java.sql.Timestamp.from(LocalDate.parse(s).atStartOfDay().toInstant(ZoneOffset.UTC));
        }
        return java.sql.Timestamp.from(LocalDateTime.parse(s.replace(' ', 'T')).toInstant(ZoneOffset.UTC));
    }
}
