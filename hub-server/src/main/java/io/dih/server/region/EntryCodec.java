package io.dih.server.region;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.dih.api.RegionSpec;
import io.dih.api.SqlType;
import io.dih.spi.FieldError;
import io.dih.spi.InvalidSpecException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
            return ColumnValues.convert("key", region.columns().get(col), TextNode.valueOf(text));
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
            b.setField(col, ColumnValues.convert("key." + col, t, TextNode.valueOf(parts[i])), ColumnValues.javaClass(t));
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
            b.setField(f.getKey(), given.get(f.getKey()), ColumnValues.javaClass(f.getValue()));
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
                    Object given = ColumnValues.convert(fieldPath, region.columns().get(name), f.getValue());
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
                out.put(name, ColumnValues.convert(fieldPath, type, f.getValue()));
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
                b.setField(f.getKey(), null, ColumnValues.javaClass(f.getValue()));
            }
        }
        Map<String, SqlType> valueFields = region.valueColumns();
        changes.forEach((name, v) -> b.setField(name, v, ColumnValues.javaClass(valueFields.get(name))));
        return b.build();
    }

    /** A cache key as it is written in a URL: the value, or its parts comma-separated. */
    public static String keyText(Region region, Object key) {
        RegionSpec spec = region.spec();
        List<String> parts = new ArrayList<>();
        for (String col : spec.keyFields()) {
            JsonNode part = ColumnValues.toJson(keyPart(spec, key, col));
            parts.add(part.isTextual() ? part.asText() : part.toString());
        }
        return String.join(",", parts);
    }

    private static Object keyPart(RegionSpec spec, Object key, String col) {
        return spec.simpleKey() ? key : ((BinaryObject) key).field(col);
    }

    /** The cache key of a row given by region column name. */
    public static Object keyOf(Region region, IgniteBinary binary, Map<String, Object> row) {
        RegionSpec spec = region.spec();
        if (spec.simpleKey()) {
            String col = spec.keyFields().get(0);
            Object k = ColumnValues.coerce(col, region.columns().get(col), row.get(col));
            if (k == null) {
                throw new InvalidSpecException(col, "a key column cannot be null");
            }
            return k;
        }
        BinaryObjectBuilder b = binary.builder(region.keyType());
        for (String col : spec.keyFields()) {
            SqlType t = region.columns().get(col);
            Object k = ColumnValues.coerce(col, t, row.get(col));
            if (k == null) {
                throw new InvalidSpecException(col, "a key column cannot be null");
            }
            b.setField(col, k, ColumnValues.javaClass(t));
        }
        return b.build();
    }

    /** The value of a row given by region column name; columns missing from the row are stored as null. */
    public static BinaryObject valueOf(Region region, IgniteBinary binary, Map<String, Object> row) {
        BinaryObjectBuilder b = binary.builder(region.valueType());
        for (Map.Entry<String, SqlType> c : region.valueColumns().entrySet()) {
            b.setField(c.getKey(), ColumnValues.coerce(c.getKey(), c.getValue(), row.get(c.getKey())), ColumnValues.javaClass(c.getValue()));
        }
        return b.build();
    }

    /** A stored entry as Java values by column name: key columns first, then the region's value columns. */
    public static Map<String, Object> javaRow(Region region, Object key, Object value) {
        RegionSpec spec = region.spec();
        Map<String, Object> out = new LinkedHashMap<>();
        for (String k : spec.keyFields()) {
            out.put(k, keyPart(spec, key, k));
        }
        if (value instanceof BinaryObject bo) {
            for (String name : region.valueColumns().keySet()) {
                out.put(name, bo.field(name));
            }
        }
        return out;
    }

    /** The JSON row for a stored entry: key columns first, then every value field. */
    public static ObjectNode toJson(Region region, Object key, Object value) {
        RegionSpec spec = region.spec();
        ObjectNode out = NODES.objectNode();
        for (String k : spec.keyFields()) {
            out.set(k, ColumnValues.toJson(keyPart(spec, key, k)));
        }
        if (value instanceof BinaryObject bo) {
            for (String name : region.valueColumns().keySet()) {
                out.set(name, ColumnValues.toJson(bo.field(name)));
            }
            for (String name : bo.type().fieldNames()) {
                if (!out.has(name)) {
                    out.set(name, ColumnValues.toJson(bo.field(name)));
                }
            }
        } else if (value != null) {
            out.set("_value", ColumnValues.toJson(value));
        }
        return out;
    }
}
