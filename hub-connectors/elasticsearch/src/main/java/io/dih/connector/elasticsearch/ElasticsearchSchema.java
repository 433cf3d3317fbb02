package io.dih.connector.elasticsearch;

import co.elastic.clients.elasticsearch._types.mapping.Property;
import co.elastic.clients.elasticsearch._types.mapping.PropertyBase;
import io.dih.api.SqlType;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The columns of an index, from its mapping: one per field, named by its dotted path ({@code author.name}), typed by
 * the field's type; an object or nested field is also a column of its own, holding the object as JSON text. A field's
 * {@code meta.sql_type} (e.g. {@code DECIMAL} on a {@code double}) overrides the type.
 *
 * @param columns       path to type, in mapping order
 * @param objectColumns the paths that hold objects as JSON (written back as objects)
 */
record ElasticsearchSchema(Map<String, SqlType> columns, Set<String> objectColumns) {
    /** The field {@code meta} key that overrides a column's type. */
    static final String SQL_TYPE_META = "sql_type";

    /** The columns of these mapping properties (several indexes behind an alias or pattern: the first one wins). */
    static ElasticsearchSchema of(Iterable<Map<String, Property>> mappings) {
        Map<String, SqlType> columns = new LinkedHashMap<>();
        Set<String> objects = new LinkedHashSet<>();
        for (Map<String, Property> properties : mappings) {
            add("", properties, columns, objects);
        }
        return new ElasticsearchSchema(columns, objects);
    }

    private static void add(String prefix, Map<String, Property> properties, Map<String, SqlType> columns, Set<String> objects) {
        for (Map.Entry<String, Property> e : properties.entrySet()) {
            String path = prefix + e.getKey();
            Property p = e.getValue();
            String kind = p._kind().jsonValue();
            PropertyBase base = p._get() instanceof PropertyBase pb ? pb : null;
            SqlType type = type(kind);
            if (base != null && base.meta() != null && base.meta().containsKey(SQL_TYPE_META)) {
                try {
                    type = SqlType.of(base.meta().get(SQL_TYPE_META));
                } catch (IllegalArgumentException ignored) {
                    // a meta value we cannot read: the field keeps the type of its kind
                }
            }
            columns.putIfAbsent(path, type);
            boolean object = kind.equals("object") || kind.equals("nested") || kind.equals("flattened");
            if (object) {
                objects.add(path);
            }
            if (base != null && base.properties() != null && !base.properties().isEmpty()) {
                add(path + ".", base.properties(), columns, objects);
            }
        }
    }

    /** The column type of a field type; anything without a scalar SQL match is JSON text. */
    static SqlType type(String kind) {
        return switch (kind.toLowerCase(Locale.ROOT)) {
            case "long" -> SqlType.BIGINT;
            case "integer" -> SqlType.INT;
            case "short" -> SqlType.SMALLINT;
            case "byte" -> SqlType.TINYINT;
            case "double" -> SqlType.DOUBLE;
            case "float", "half_float" -> SqlType.REAL;
            case "scaled_float", "unsigned_long" -> SqlType.DECIMAL;
            case "boolean" -> SqlType.BOOLEAN;
            case "date", "date_nanos" -> SqlType.TIMESTAMP;
            case "binary" -> SqlType.BINARY;
            default -> SqlType.VARCHAR; // keyword, text, ip, version, wildcard; objects, nested, geo shapes as JSON
        };
    }
}
