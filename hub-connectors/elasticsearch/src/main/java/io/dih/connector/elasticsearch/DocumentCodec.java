package io.dih.connector.elasticsearch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dih.api.SqlType;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Documents to rows and back. A row maps column paths ({@code author.name}) to Java values of the columns' types; a
 * value that does not convert to its column's type stays as it came (its text, or its JSON), so the hub makes the row a
 * dead letter rather than guessing.
 */
final class DocumentCodec {
    private final ObjectMapper json;

    DocumentCodec(ObjectMapper json) {
        this.json = json;
    }

    /** The row of a document: every column, {@code null} where the document lacks the field. */
    Map<String, Object> row(String id, JsonNode source, Map<String, SqlType> columns) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (Map.Entry<String, SqlType> c : columns.entrySet()) {
            if (c.getKey().equals(ElasticsearchBinding.ID)) {
                row.put(c.getKey(), id);
            } else {
                row.put(c.getKey(), value(at(source, c.getKey()), c.getValue()));
            }
        }
        return row;
    }

    /** The node at a dotted path: nested objects, or a key that holds dots itself ({@code "author.name": ...}). */
    static JsonNode at(JsonNode node, String path) {
        if (node == null || !node.isObject()) {
            return null;
        }
        if (node.has(path)) {
            return node.get(path);
        }
        for (int dot = path.indexOf('.'); dot > 0; dot = path.indexOf('.', dot + 1)) {
            JsonNode child = node.get(path.substring(0, dot));
            if (child != null && child.isObject()) {
                JsonNode found = at(child, path.substring(dot + 1));
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    /** A field's value as the column's Java type, or as it came when it does not convert. */
    Object value(JsonNode n, SqlType type) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return null;
        }
        if (n.isContainerNode()) {
            return n.toString(); // an object (a JSON column), or an array where one value was expected
        }
        try {
            return switch (type) {
                case VARCHAR, UUID -> n.asText();
                case BOOLEAN -> n.isBoolean() ? (Object) n.booleanValue() : bool(n.asText());
                case TINYINT -> exact(n).byteValueExact();
                case SMALLINT -> exact(n).shortValueExact();
                case INT -> exact(n).intValueExact();
                case BIGINT -> exact(n).longValueExact();
                case REAL -> n.isNumber() ? n.floatValue() : Float.parseFloat(n.asText());
                case DOUBLE -> n.isNumber() ? n.doubleValue() : Double.parseDouble(n.asText());
                case DECIMAL -> n.isNumber() ? n.decimalValue() : new BigDecimal(n.asText());
                case TIMESTAMP -> n.isNumber() ? new Timestamp(n.longValue()) : timestamp(n.asText());
                case DATE -> java.sql.Date.valueOf(LocalDate.parse(n.asText().substring(0, Math.min(10, n.asText().length()))));
                case BINARY -> Base64.getDecoder().decode(n.asText());
                default -> n.asText();
            };
        } catch (ArithmeticException | IllegalArgumentException | DateTimeParseException e) {
            return n.isTextual() ? n.asText() : n.toString();
        }
    }

    private static BigDecimal exact(JsonNode n) {
        return n.isNumber() ? n.decimalValue() : new BigDecimal(n.asText().trim());
    }

    private static Boolean bool(String s) {
        if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
            return Boolean.valueOf(s);
        }
        throw new IllegalArgumentException("not a boolean: " + s);
    }

    /** ISO instants, offset date-times, local date-times (UTC) and dates, as Elasticsearch's default date format takes them. */
    static Timestamp timestamp(String s) {
        String t = s.trim();
        try {
            return Timestamp.from(Instant.parse(t));
        } catch (DateTimeParseException e) {
            // not an instant with Z
        }
        try {
            return Timestamp.from(OffsetDateTime.parse(t).toInstant());
        } catch (DateTimeParseException e) {
            // no offset
        }
        if (t.length() == 10) {
            return Timestamp.from(LocalDate.parse(t).atStartOfDay(ZoneOffset.UTC).toInstant());
        }
        return Timestamp.from(LocalDateTime.parse(t).toInstant(ZoneOffset.UTC));
    }

    /**
     * The document of a row: each column (but {@code _id}) at its path, nested objects made as needed; a JSON text in an
     * object column is written as the object.
     */
    ObjectNode document(Map<String, Object> row, ElasticsearchSchema schema) {
        ObjectNode doc = JsonNodeFactory.instance.objectNode();
        for (Map.Entry<String, Object> e : row.entrySet()) {
            if (e.getKey().equals(ElasticsearchBinding.ID)) {
                continue;
            }
            String[] parts = e.getKey().split("\\.");
            ObjectNode parent = doc;
            for (int i = 0; i < parts.length - 1; i++) {
                JsonNode child = parent.get(parts[i]);
                parent = child instanceof ObjectNode o ? o : parent.putObject(parts[i]);
            }
            parent.set(parts[parts.length - 1], node(e.getValue(), schema.objectColumns().contains(e.getKey())));
        }
        return doc;
    }

    private JsonNode node(Object v, boolean objectColumn) {
        if (v == null) {
            return JsonNodeFactory.instance.nullNode();
        }
        if (objectColumn && v instanceof String s) {
            try {
                JsonNode parsed = json.readTree(s);
                if (parsed != null && parsed.isContainerNode()) {
                    return parsed;
                }
            } catch (java.io.IOException e) {
                // not JSON: Elasticsearch gets the text and its mapping decides
            }
        }
        if (v instanceof Timestamp ts) {
            return JsonNodeFactory.instance.textNode(ts.toInstant().toString());
        }
        if (v instanceof java.sql.Date d) {
            return JsonNodeFactory.instance.textNode(d.toLocalDate().toString());
        }
        if (v instanceof BigDecimal d) {
            return JsonNodeFactory.instance.numberNode(d);
        }
        if (v instanceof byte[] bytes) {
            return JsonNodeFactory.instance.textNode(Base64.getEncoder().encodeToString(bytes));
        }
        if (v instanceof java.util.UUID || v instanceof java.sql.Time) {
            return JsonNodeFactory.instance.textNode(v.toString());
        }
        return json.valueToTree(v);
    }

    /** The document id of a key value: its text ({@code 42}, not {@code 42.0}). */
    static String id(Object keyValue) {
        if (keyValue instanceof BigDecimal d) {
            return d.stripTrailingZeros().toPlainString();
        }
        if (keyValue instanceof Double || keyValue instanceof Float) {
            return BigDecimal.valueOf(((Number) keyValue).doubleValue()).stripTrailingZeros().toPlainString();
        }
        return String.valueOf(keyValue);
    }
}
