package io.dih.server.region;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.dih.api.RegionSpec;
import io.dih.api.SqlType;
import io.dih.spi.FieldError;
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
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.ignite.IgniteBinary;
import org.apache.ignite.binary.BinaryObject;
import org.apache.ignite.binary.BinaryObjectBuilder;

/**
 * Converts between the gateway's JSON and a region's keys and BinaryObject values, typed by the region's columns,
 * so that every stored field is an SQL column of the declared type.
 */
public final class EntryCodec {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private EntryCodec() {
    }

    /** The cache key for a key written in a URL: the value itself, or "a,b" for a composite key. */
    public static Object key(Region region, IgniteBinary binary, String text) {
        RegionSpec spec = region.spec();
        if (spec.simpleKey()) {
            String col = spec.keyFields().get(0);
            return convert("key", region.columns().get(col), TextNode.valueOf(text));
        }
        String[] parts = text.split(",", -1);
        if (parts.length != spec.keyFields().size()) {
            throw new InvalidSpecException("key", "the key of region '" + spec.name() + "' has " + spec.keyFields().size()
                    + " parts " + spec.keyFields() + "; give them comma-separated, got '" + text + "'");
        }
        BinaryObjectBuilder b = binary.builder(region.keyType());
        for (int i = 0; i < parts.length; i++) {
            String col = spec.keyFields().get(i);
            SqlType t = region.columns().get(col);
            b.setField(col, convert("key." + col, t, TextNode.valueOf(parts[i])), javaClass(t));
        }
        return b.build();
    }

    /**
     * The value to store for {@code json} (a PUT: columns the body leaves out are null). Key columns in the body, if
     * any, must match {@code key}; a field that is not a column of the region is an error.
     */
    public static BinaryObject value(Region region, IgniteBinary binary, Object key, JsonNode json, String path) {
        Map<String, Object> given = columnValues(region, key, json, path);
        Map<String, SqlType> valueFields = region.valueColumns();
        BinaryObjectBuilder b = binary.builder(region.valueType());
        for (Map.Entry<String, SqlType> f : valueFields.entrySet()) {
            b.setField(f.getKey(), given.get(f.getKey()), javaClass(f.getValue()));
        }
        return b.build();
    }

    /**
     * The value columns a JSON body sets, converted to their column types, in body order; a JSON null is kept as a
     * {@code null} value (it sets the column to null). Key columns in the body, if any, must match {@code key} and are
     * left out; a field that is not a column of the region is an error that lists every column the region has now.
     */
    public static Map<String, Object> columnValues(Region region, Object key, JsonNode json, String path) {
        if (json == null || !json.isObject()) {
            throw new InvalidSpecException(path.isEmpty() ? "body" : path, "must be a JSON object of column values, got "
                    + (json == null ? "nothing" : json.getNodeType().name().toLowerCase()));
        }
        RegionSpec spec = region.spec();
        Map<String, SqlType> valueFields = region.valueColumns();
        List<FieldError> errors = new ArrayList<>();
        Map<String, Object> out = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = json.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> f = it.next();
            String name = f.getKey();
            String fieldPath = path.isEmpty() ? name : path + "." + name;
            try {
                if (spec.keyFields().contains(name)) {
                    Object given = convert(fieldPath, region.columns().get(name), f.getValue());
                    Object expected = keyPart(spec, key, name);
                    if (!expected.equals(given)) {
                        errors.add(new FieldError(fieldPath, "is a key column and must equal the key in the URL (" + expected + "), got " + f.getValue()));
                    }
                    continue;
                }
                SqlType type = valueFields.get(name);
                if (type == null) {
                    errors.add(new FieldError(fieldPath, "is not a column of region '" + spec.name() + "'; its columns are "
                            + region.columns().keySet()));
                    continue;
                }
                out.put(name, convert(fieldPath, type, f.getValue()));
            } catch (InvalidSpecException e) {
                errors.addAll(e.errors());
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidSpecException(errors);
        }
        return out;
    }

    /**
     * The stored value {@code current} with {@code changes} (from {@link #columnValues}) written over it: every column
     * the changes leave out keeps its value, and so does any other field the stored value holds.
     */
    public static BinaryObject merge(Region region, IgniteBinary binary, Object current, Map<String, Object> changes) {
        BinaryObjectBuilder b;
        if (current instanceof BinaryObject bo) {
            b = bo.toBuilder();
        } else {
            b = binary.builder(region.valueType());
            for (Map.Entry<String, SqlType> f : region.valueColumns().entrySet()) {
                b.setField(f.getKey(), null, javaClass(f.getValue()));
            }
        }
        Map<String, SqlType> valueFields = region.valueColumns();
        changes.forEach((name, v) -> b.setField(name, v, javaClass(valueFields.get(name))));
        return b.build();
    }

    /** A cache key as it is written in a URL: the value, or its parts comma-separated. */
    public static String keyText(Region region, Object key) {
        RegionSpec spec = region.spec();
        List<String> parts = new ArrayList<>();
        for (String col : spec.keyFields()) {
            JsonNode part = toJson(keyPart(spec, key, col));
            parts.add(part.isTextual() ? part.asText() : part.toString());
        }
        return String.join(",", parts);
    }

    private static Object keyPart(RegionSpec spec, Object key, String col) {
        return spec.simpleKey() ? key : ((BinaryObject) key).field(col);
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

    /** The cache key of a row given by region column name. */
    public static Object keyOf(Region region, IgniteBinary binary, Map<String, Object> row) {
        RegionSpec spec = region.spec();
        if (spec.simpleKey()) {
            String col = spec.keyFields().get(0);
            Object k = coerce(col, region.columns().get(col), row.get(col));
            if (k == null) {
                throw new InvalidSpecException(col, "a key column cannot be null");
            }
            return k;
        }
        BinaryObjectBuilder b = binary.builder(region.keyType());
        for (String col : spec.keyFields()) {
            SqlType t = region.columns().get(col);
            Object k = coerce(col, t, row.get(col));
            if (k == null) {
                throw new InvalidSpecException(col, "a key column cannot be null");
            }
            b.setField(col, k, javaClass(t));
        }
        return b.build();
    }

    /** The value of a row given by region column name; columns missing from the row are stored as null. */
    public static BinaryObject valueOf(Region region, IgniteBinary binary, Map<String, Object> row) {
        BinaryObjectBuilder b = binary.builder(region.valueType());
        for (Map.Entry<String, SqlType> c : region.valueColumns().entrySet()) {
            b.setField(c.getKey(), coerce(c.getKey(), c.getValue(), row.get(c.getKey())), javaClass(c.getValue()));
        }
        return b.build();
    }

    /** The JSON row for a stored entry: key columns first, then every value field. */
    public static ObjectNode toJson(Region region, Object key, Object value) {
        RegionSpec spec = region.spec();
        ObjectNode out = NODES.objectNode();
        for (String k : spec.keyFields()) {
            out.set(k, toJson(keyPart(spec, key, k)));
        }
        if (value instanceof BinaryObject bo) {
            for (String name : region.valueColumns().keySet()) {
                out.set(name, toJson(bo.field(name)));
            }
            for (String name : bo.type().fieldNames()) {
                if (!out.has(name)) {
                    out.set(name, toJson(bo.field(name)));
                }
            }
        } else if (value != null) {
            out.set("_value", toJson(value));
        }
        return out;
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
