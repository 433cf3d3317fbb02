package io.dih.connector.pulsar;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.dih.spi.ChangeEvent;
import io.dih.spi.ChangeEvent.Kind;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns one Pulsar message into the {@link ChangeEvent} of one binding.
 *
 * <p>Values: JSON integers become {@code Long} (or {@code BigInteger} past 64 bits), decimals {@code BigDecimal},
 * booleans {@code Boolean}, strings {@code String}, null {@code null}, nested objects and arrays their JSON text.
 *
 * <p>The key: the binding's key columns taken from the row (the {@code before} image for a Debezium delete), else from
 * the message key: a JSON object (Debezium's {@code {"schema":..,"payload":{..}}} too), or, for one key column, a bare
 * value ({@code 42} is a number, {@code abc} a string). A binding without key columns takes every field of a JSON
 * message key. A message without a key this way is UNREADABLE.
 *
 * <p>{@code json}: a JSON object is an UPSERT of its fields, or a DELETE when a {@code delete_when} field equals its value;
 * an empty payload is a DELETE of the message key. {@code debezium}: op {@code c}, {@code r} (snapshot), {@code u} are an
 * UPSERT of {@code after}, {@code d} a DELETE of {@code before}'s key, {@code t} a TRUNCATE; the envelope may be wrapped in
 * {@code {"schema":..,"payload":..}}; an empty payload (the tombstone after a delete) is a DELETE of the message key.
 */
final class MessageDecoder {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));

    /**
     * A received message, as the decoder needs it.
     *
     * @param stream      the topic (partition) it came from
     * @param key         the message key, or null
     * @param position    see {@link PulsarChangeFeed#position}
     * @param publishTime epoch milliseconds
     */
    record Received(String stream, byte[] payload, String key, long position, long sequence, long publishTime) {
    }

    private MessageDecoder() {
    }

    static ChangeEvent decode(PulsarBinding binding, Received m) {
        String raw = new String(m.payload(), StandardCharsets.UTF_8);
        if (m.payload().length == 0) {
            Object key = keyOf(binding, null, m.key());
            if (key instanceof String error) {
                return unreadable(binding, m, raw, "an empty payload deletes the message key, but " + error);
            }
            return event(binding, m, Kind.DELETE, asKey(key), null, raw, false);
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(raw);
        } catch (JsonProcessingException e) {
            return unreadable(binding, m, raw, "the payload is not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            return unreadable(binding, m, raw, "the payload is not a JSON object but " + (root == null ? "nothing" : root.getNodeType().name().toLowerCase()));
        }
        return binding.format() == PulsarBinding.Format.DEBEZIUM ? debezium(binding, m, root, raw) : json(binding, m, root, raw);
    }

    private static ChangeEvent json(PulsarBinding binding, Received m, JsonNode root, String raw) {
        Object key = keyOf(binding, root, m.key());
        if (key instanceof String error) {
            return unreadable(binding, m, raw, error);
        }
        if (isDelete(binding.deleteWhen(), root)) {
            return event(binding, m, Kind.DELETE, asKey(key), null, raw, false);
        }
        return event(binding, m, Kind.UPSERT, asKey(key), row(root), raw, false);
    }

    private static ChangeEvent debezium(PulsarBinding binding, Received m, JsonNode root, String raw) {
        JsonNode envelope = root.path("payload").isObject() && root.path("payload").has("op") ? root.get("payload") : root;
        JsonNode op = envelope.get("op");
        if (op == null || !op.isTextual()) {
            return unreadable(binding, m, raw, "not a Debezium envelope: no op field");
        }
        switch (op.asText()) {
            case "c", "r", "u" -> {
                JsonNode after = envelope.get("after");
                if (after == null || !after.isObject()) {
                    return unreadable(binding, m, raw, "Debezium operation '" + op.asText() + "' without an after image");
                }
                Object key = keyOf(binding, after, m.key());
                if (key instanceof String error) {
                    return unreadable(binding, m, raw, error);
                }
                return event(binding, m, Kind.UPSERT, asKey(key), row(after), raw, "r".equals(op.asText()));
            }
            case "d" -> {
                JsonNode before = envelope.get("before");
                Object key = keyOf(binding, before != null && before.isObject() ? before : null, m.key());
                if (key instanceof String error) {
                    return unreadable(binding, m, raw, error);
                }
                return event(binding, m, Kind.DELETE, asKey(key), null, raw, false);
            }
            case "t" -> {
                return event(binding, m, Kind.TRUNCATE, Map.of(), null, raw, false);
            }
            default -> {
                return unreadable(binding, m, raw, "unknown Debezium operation '" + op.asText() + "'");
            }
        }
    }

    /** The key map, or a String saying why there is none. */
    private static Object keyOf(PulsarBinding binding, JsonNode source, String messageKey) {
        List<String> columns = binding.keyColumns();
        if (source != null && !columns.isEmpty() && columns.stream().allMatch(c -> present(source.get(c)))) {
            Map<String, Object> key = new LinkedHashMap<>();
            columns.forEach(c -> key.put(c, value(source.get(c))));
            return key;
        }
        JsonNode parsedKey = parseKey(messageKey);
        if (parsedKey != null && parsedKey.isObject()) {
            if (columns.isEmpty()) {
                return parsedKey.isEmpty() ? "no key: the message key is an empty JSON object" : row(parsedKey);
            }
            if (columns.stream().allMatch(c -> present(parsedKey.get(c)))) {
                Map<String, Object> key = new LinkedHashMap<>();
                columns.forEach(c -> key.put(c, value(parsedKey.get(c))));
                return key;
            }
        } else if (messageKey != null && columns.size() == 1) {
            Map<String, Object> key = new LinkedHashMap<>();
            key.put(columns.get(0), parsedKey != null && parsedKey.isValueNode() && !parsedKey.isNull() ? value(parsedKey) : messageKey);
            return key;
        }
        if (columns.isEmpty() && binding.aggregates()) {
            return Map.of(); // folded into windows by its group_by fields: the message needs no key
        }
        if (columns.isEmpty()) {
            return "no key: the binding names no key_columns and the message key is " + (messageKey == null ? "missing" : "not a JSON object");
        }
        return "no key: " + columns + " not all in the " + (source != null ? "payload" : "message") + " nor in the message key"
                + (messageKey == null ? " (there is none)" : "");
    }

    private static JsonNode parseKey(String messageKey) {
        if (messageKey == null || messageKey.isEmpty()) {
            return null;
        }
        try {
            JsonNode k = MAPPER.readTree(messageKey);
            if (k != null && k.isObject() && k.path("payload").isObject() && k.has("schema")) {
                return k.get("payload");
            }
            return k;
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private static boolean present(JsonNode node) {
        return node != null && !node.isNull();
    }

    private static boolean isDelete(Map<String, Object> deleteWhen, JsonNode root) {
        for (Map.Entry<String, Object> e : deleteWhen.entrySet()) {
            if (matches(root.get(e.getKey()), e.getValue())) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(JsonNode node, Object expected) {
        if (expected == null) {
            return node != null && node.isNull();
        }
        if (node == null || node.isNull() || !node.isValueNode()) {
            return false;
        }
        if (expected instanceof Number n && node.isNumber()) {
            return node.decimalValue().compareTo(new BigDecimal(n.toString())) == 0;
        }
        if (expected instanceof Boolean b && node.isBoolean()) {
            return node.booleanValue() == b;
        }
        return node.asText().equals(expected.toString());
    }

    private static Map<String, Object> row(JsonNode object) {
        Map<String, Object> row = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            row.put(f.getKey(), value(f.getValue()));
        }
        return row;
    }

    private static Object value(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (node.isIntegralNumber()) {
            return node.canConvertToLong() ? (Object) node.longValue() : node.bigIntegerValue();
        }
        if (node.isNumber()) {
            return node.decimalValue();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        return node.toString();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asKey(Object key) {
        return (Map<String, Object>) key;
    }

    private static ChangeEvent event(PulsarBinding binding, Received m, Kind kind, Map<String, Object> key, Map<String, Object> row,
                                     String raw, boolean snapshot) {
        return new ChangeEvent(kind, binding.name(), key, row, m.position(), m.sequence(), m.publishTime(), snapshot, m.stream(), raw, null);
    }

    private static ChangeEvent unreadable(PulsarBinding binding, Received m, String raw, String error) {
        return new ChangeEvent(Kind.UNREADABLE, binding.name(), Map.of(), null, m.position(), m.sequence(), m.publishTime(), false,
                m.stream(), raw, error);
    }
}
