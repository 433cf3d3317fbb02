package io.dih.connector.kafka;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.dih.spi.ChangeEvent;
import io.dih.spi.ChangeEvent.Kind;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Turns one Kafka message into the {@link ChangeEvent} of one binding: {@code table} = the binding's name, {@code stream}
 * = {@code topic-partition}, {@code position} = the offset, {@code commitMillis} = the message's timestamp (a Debezium
 * envelope's {@code source.ts_ms} or {@code ts_ms} when present), {@code raw} = the value as text (the key's text for a
 * tombstone).
 *
 * <p>The key: each key column's value from the row (the value's fields, or a Debezium envelope's {@code after} or
 * {@code before}), else from the message key: a JSON object with that field (a Debezium key's {@code payload} too), or,
 * for a single key column, the key itself (a JSON scalar, or the key's text when it is not JSON). A binding with no key
 * columns takes the fields of a JSON object message key as the key (a Debezium key is one). Key values missing from
 * the row are added to it, so the row always holds its key.
 *
 * <p>JSON values become Java values as the hub's schemaless regions convert them: integers {@code Long} (or
 * {@code BigInteger} past 64 bits), decimals {@code BigDecimal} (exact, with the scale written: {@code 1.50}), booleans, strings, null; nested objects and
 * arrays their JSON text.
 *
 * <p>Thread-safe and stateless.
 */
final class MessageDecoder {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();
    private static final int MAX_REASON = 200;

    private final KafkaBinding binding;

    MessageDecoder(KafkaBinding binding) {
        this.binding = requireNonNull(binding, "binding is null");
    }

    ChangeEvent decode(ConsumerRecord<byte[], byte[]> record) {
        Message m = new Message(record, binding.name());
        try {
            return binding.format() == KafkaBinding.Format.DEBEZIUM ? debezium(m) : json(m);
        } catch (Unreadable e) {
            return m.unreadable(e.getMessage());
        }
    }

    private ChangeEvent json(Message m) {
        if (m.isTombstone()) {
            return m.event(Kind.DELETE, key(null, m), null, m.timestamp);
        }
        JsonNode value = parse(m.valueText());
        if (!value.isObject()) {
            throw new Unreadable("not a JSON object: " + describe(value));
        }
        Map<String, Object> key = key(value, m);
        if (!binding.deleteWhen().isEmpty() && matches(value, binding.deleteWhen())) {
            return m.event(Kind.DELETE, key, null, m.timestamp);
        }
        return m.event(Kind.UPSERT, key, row(value, key), m.timestamp);
    }

    private ChangeEvent debezium(Message m) {
        if (m.isTombstone()) {
            return m.event(Kind.DELETE, key(null, m), null, m.timestamp);
        }
        JsonNode value = parse(m.valueText());
        if (!value.isObject()) {
            throw new Unreadable("not a JSON object: " + describe(value));
        }
        JsonNode envelope = value;
        if (value.has("payload") && !value.has("op")) {
            envelope = value.get("payload");
            if (envelope.isNull()) {
                return m.event(Kind.DELETE, key(null, m), null, m.timestamp);
            }
            if (!envelope.isObject()) {
                throw new Unreadable("not a Debezium change event: its payload is " + describe(envelope));
            }
        }
        JsonNode op = envelope.get("op");
        if (op == null || !op.isTextual()) {
            throw new Unreadable("not a Debezium change event: no 'op'");
        }
        long commitMillis = m.timestamp;
        JsonNode source = envelope.get("source");
        if (source != null && source.path("ts_ms").isIntegralNumber()) {
            commitMillis = source.get("ts_ms").longValue();
        } else if (envelope.path("ts_ms").isIntegralNumber()) {
            commitMillis = envelope.get("ts_ms").longValue();
        }
        switch (op.textValue()) {
            case "c", "r", "u" -> {
                JsonNode after = envelope.get("after");
                if (after == null || !after.isObject()) {
                    throw new Unreadable("a Debezium '" + op.textValue() + "' event without an 'after' object");
                }
                Map<String, Object> key = key(after, m);
                return m.event(Kind.UPSERT, key, row(after, key), commitMillis);
            }
            case "d" -> {
                JsonNode before = envelope.get("before");
                return m.event(Kind.DELETE, key(before != null && before.isObject() ? before : null, m), null, commitMillis);
            }
            case "t" -> {
                return m.event(Kind.TRUNCATE, Map.of(), null, commitMillis);
            }
            default -> throw new Unreadable("unknown Debezium operation '" + op.textValue() + "'");
        }
    }

    /** The key columns' values, from {@code row} (may be null) or else from the message key. */
    private Map<String, Object> key(JsonNode row, Message m) {
        JsonNode messageKey = m.keyJson();
        if (binding.keyColumns().isEmpty()) {
            if (binding.aggregates() && (messageKey == null || !messageKey.isObject())) {
                return Map.of(); // folded into windows by its group_by fields: the message needs no key
            }
            if (messageKey == null || !messageKey.isObject() || messageKey.isEmpty()) {
                throw new Unreadable("no key: the binding names no key_columns and the message key is not a JSON object");
            }
            Map<String, Object> key = new LinkedHashMap<>();
            messageKey.fields().forEachRemaining(e -> key.put(e.getKey(), value(e.getValue())));
            return key;
        }
        Map<String, Object> key = new LinkedHashMap<>();
        List<String> columns = binding.keyColumns();
        for (String column : columns) {
            JsonNode v = row == null ? null : row.get(column);
            if ((v == null || v.isNull()) && messageKey != null) {
                if (messageKey.isObject()) {
                    v = messageKey.get(column);
                } else if (columns.size() == 1 && !messageKey.isContainerNode()) {
                    v = messageKey;
                }
            }
            if (v == null || v.isNull()) {
                throw new Unreadable("no value for key column '" + column + "' in the message or its key");
            }
            key.put(column, value(v));
        }
        return key;
    }

    private static Map<String, Object> row(JsonNode object, Map<String, Object> key) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            row.put(e.getKey(), value(e.getValue()));
        }
        key.forEach((k, v) -> {
            if (row.get(k) == null) {
                row.put(k, v);
            }
        });
        return row;
    }

    private static boolean matches(JsonNode value, Map<String, Object> deleteWhen) {
        for (Map.Entry<String, Object> e : deleteWhen.entrySet()) {
            JsonNode v = value.get(e.getKey());
            Object expected = e.getValue();
            boolean same;
            if (expected == null) {
                same = v != null && v.isNull();
            } else if (v == null || v.isNull()) {
                same = false;
            } else if (expected instanceof Boolean b) {
                same = v.isBoolean() && v.booleanValue() == b;
            } else if (expected instanceof Number n) {
                same = v.isNumber() && v.decimalValue().compareTo(new BigDecimal(n.toString())) == 0;
            } else {
                same = v.isTextual() && v.textValue().equals(expected.toString());
            }
            if (!same) {
                return false;
            }
        }
        return true;
    }

    /** A JSON value as the hub takes it. */
    static Object value(JsonNode v) {
        if (v == null || v.isNull() || v.isMissingNode()) {
            return null;
        }
        if (v.isIntegralNumber()) {
            return v.canConvertToLong() ? (Object) v.longValue() : v.bigIntegerValue();
        }
        if (v.isNumber()) {
            return v.decimalValue();
        }
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        if (v.isTextual()) {
            return v.textValue();
        }
        return v.toString();
    }

    private static JsonNode parse(String text) {
        try {
            JsonNode node = JSON.readTree(text);
            if (node == null || node.isMissingNode()) {
                throw new Unreadable("not a JSON object: empty");
            }
            return node;
        } catch (JsonProcessingException e) {
            String reason = e.getOriginalMessage();
            if (reason != null && reason.length() > MAX_REASON) {
                reason = reason.substring(0, MAX_REASON) + "...";
            }
            throw new Unreadable("not a JSON object: " + reason);
        }
    }

    private static String describe(JsonNode v) {
        return switch (v.getNodeType()) {
            case ARRAY -> "a JSON array";
            case STRING -> "a JSON string";
            case NUMBER -> "a JSON number";
            case BOOLEAN -> "a JSON boolean";
            case NULL -> "JSON null";
            default -> v.getNodeType().toString().toLowerCase();
        };
    }

    /** One record as the decoder reads it. */
    private static final class Message {
        final ConsumerRecord<byte[], byte[]> record;
        final String table;
        final String stream;
        final long timestamp;
        private JsonNode keyJson;
        private boolean keyParsed;

        Message(ConsumerRecord<byte[], byte[]> record, String table) {
            this.record = record;
            this.table = table;
            this.stream = record.topic() + "-" + record.partition();
            this.timestamp = record.timestamp();
        }

        boolean isTombstone() {
            return record.value() == null || record.value().length == 0;
        }

        String valueText() {
            return new String(record.value(), StandardCharsets.UTF_8);
        }

        String raw() {
            if (!isTombstone()) {
                return valueText();
            }
            return record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        }

        /** The message key as JSON (a Debezium key's payload unwrapped; a key that is not JSON as a string); null if none. */
        JsonNode keyJson() {
            if (!keyParsed) {
                keyParsed = true;
                if (record.key() != null && record.key().length > 0) {
                    String text = new String(record.key(), StandardCharsets.UTF_8);
                    try {
                        JsonNode k = JSON.readTree(text);
                        if (k != null && k.isObject() && k.has("schema") && k.has("payload") && k.size() == 2) {
                            k = k.get("payload");
                        }
                        keyJson = k == null || k.isMissingNode() ? null : k;
                    } catch (JsonProcessingException e) {
                        keyJson = JSON.getNodeFactory().textNode(text);
                    }
                }
            }
            return keyJson;
        }

        ChangeEvent event(Kind kind, Map<String, Object> key, Map<String, Object> row, long commitMillis) {
            return new ChangeEvent(kind, table, key, row, record.offset(), 0, commitMillis, false, stream, raw(), null);
        }

        ChangeEvent unreadable(String error) {
            return ChangeEvent.unreadable(table, stream, record.offset(), timestamp, raw(), error);
        }
    }

    /** Why a message cannot be read; becomes an UNREADABLE event. */
    private static final class Unreadable extends RuntimeException {
        Unreadable(String message) {
            super(message, null, false, false);
        }
    }
}
