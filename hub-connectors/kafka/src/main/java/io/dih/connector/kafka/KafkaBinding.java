package io.dih.connector.kafka;

import static java.util.Objects.requireNonNull;

import io.dih.api.BindingSpec;
import io.dih.spi.FieldError;
import io.dih.spi.InvalidSpecException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * What one binding of a Kafka source reads, from its keys: the topics ({@code topic}, {@code topics} or
 * {@code topic_pattern}; default: the binding's {@code table}, which the hub sets to the region's name), the
 * {@code format} of the messages, a {@code delete_when} marker and the key columns.
 *
 * @param name       what the binding's changes are called ({@link io.dih.spi.SourceTable#name()}): the topic, the topics
 *                   joined with commas, or the pattern
 * @param topics     the topics by name; empty with a pattern
 * @param pattern    the topics by regular expression (whole name), or {@code null}
 * @param format     how messages are read
 * @param deleteWhen fields and values that make a message a delete (all must match); empty: none
 * @param keyColumns the key fields; empty: the fields of the message key (a JSON object)
 * @param aggregates the hub folds the messages into windows ({@code aggregate}): a message needs no key
 */
record KafkaBinding(String name, List<String> topics, Pattern pattern, Format format, Map<String, Object> deleteWhen,
                    List<String> keyColumns, boolean aggregates) {

    /** How a message's value is read. */
    enum Format { JSON, DEBEZIUM }

    /** The binding keys of a Kafka source besides the hub's common ones; {@code aggregate} and {@code extra_fields} are the hub's own. */
    static final Set<String> KEYS = Set.of("topic", "topics", "topic_pattern", "format", "delete_when", "aggregate", "extra_fields");
    private static final Pattern TOPIC_NAME = Pattern.compile("[A-Za-z0-9._-]{1,249}");

    KafkaBinding {
        requireNonNull(name, "name is null");
        topics = List.copyOf(topics);
        requireNonNull(format, "format is null");
        deleteWhen = Collections.unmodifiableMap(new LinkedHashMap<>(deleteWhen));
        keyColumns = List.copyOf(keyColumns);
    }

    /** Whether this binding reads the topic. */
    boolean reads(String topic) {
        return pattern != null ? pattern.matcher(topic).matches() : topics.contains(topic);
    }

    /**
     * Reads a binding's keys.
     *
     * @throws InvalidSpecException with one error per unknown or wrong key
     */
    static KafkaBinding of(BindingSpec b) {
        List<FieldError> errors = new ArrayList<>();
        for (String k : new TreeSet<>(b.options().keySet())) {
            if (!KEYS.contains(k)) {
                errors.add(new FieldError(k, "is not a key of a Kafka binding; known: " + new TreeSet<>(KEYS)
                        + ", key_columns, mapping"));
            }
        }
        if (b.query() != null) {
            errors.add(new FieldError("query", "a Kafka binding reads topics (topic, topics or topic_pattern), not a query"));
        }
        if (b.watermarkColumn() != null) {
            errors.add(new FieldError("watermark_column", "has no meaning for a Kafka stream: it is for periodic loads"));
        }
        if (b.schedule() != null) {
            errors.add(new FieldError("schedule", "has no meaning for a Kafka stream: it is for periodic loads"));
        }
        Object topic = b.option("topic");
        Object topicList = b.option("topics");
        Object regex = b.option("topic_pattern");
        int given = (topic != null ? 1 : 0) + (topicList != null ? 1 : 0) + (regex != null ? 1 : 0);
        if (given > 1) {
            errors.add(new FieldError("topic", "give one of topic, topics and topic_pattern"));
        }
        List<String> topics = new ArrayList<>();
        Pattern pattern = null;
        String name = null;
        if (regex != null) {
            if (!(regex instanceof String s) || s.isBlank()) {
                errors.add(new FieldError("topic_pattern", "must be a regular expression"));
            } else {
                try {
                    pattern = Pattern.compile(s);
                    name = s;
                } catch (PatternSyntaxException e) {
                    errors.add(new FieldError("topic_pattern", "is not a regular expression: " + e.getDescription()));
                }
            }
        } else if (topicList != null) {
            if (!(topicList instanceof List<?> list) || list.isEmpty()) {
                errors.add(new FieldError("topics", "must be a list of topic names"));
            } else {
                for (Object t : list) {
                    checkTopic("topics", t, errors).ifPresent(topics::add);
                }
                name = String.join(",", topics);
            }
        } else if (topic != null) {
            checkTopic("topic", topic, errors).ifPresent(topics::add);
            name = topics.isEmpty() ? null : topics.get(0);
        } else if (b.table() != null) {
            topics.add(b.table());
            name = b.table();
        } else {
            errors.add(new FieldError("topic", "is required (or topics, topic_pattern)"));
        }
        Format format = Format.JSON;
        Object f = b.option("format");
        if (f != null) {
            if ("json".equals(f)) {
                format = Format.JSON;
            } else if ("debezium".equals(f)) {
                format = Format.DEBEZIUM;
            } else {
                errors.add(new FieldError("format", "must be json or debezium, was '" + f + "'"));
            }
        }
        Map<String, Object> deleteWhen = new LinkedHashMap<>();
        Object d = b.option("delete_when");
        if (d != null) {
            if (!(d instanceof Map<?, ?> m) || m.isEmpty()) {
                errors.add(new FieldError("delete_when", "must be an object {field: value}"));
            } else if (format == Format.DEBEZIUM) {
                errors.add(new FieldError("delete_when", "applies to format json only (a Debezium envelope says op=d)"));
            } else {
                m.forEach((k, v) -> {
                    if (v instanceof Map || v instanceof List) {
                        errors.add(new FieldError("delete_when." + k, "must be a string, number, boolean or null"));
                    } else {
                        deleteWhen.put(String.valueOf(k), v);
                    }
                });
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidSpecException(errors);
        }
        List<String> keys = b.keyColumns() == null ? List.of() : b.keyColumns();
        if (b.table() != null) {
            name = b.table(); // the hub names each binding (after its region): two bindings of one topic stay apart
        }
        return new KafkaBinding(name, topics, pattern, format, deleteWhen, keys, b.option("aggregate") != null);
    }

    private static Optional<String> checkTopic(String field, Object t, List<FieldError> errors) {
        if (!(t instanceof String s) || !TOPIC_NAME.matcher(s).matches() || s.equals(".") || s.equals("..")) {
            errors.add(new FieldError(field, "'" + t + "' is not a topic name (letters, digits, '.', '_', '-'; at most 249)"));
            return Optional.empty();
        }
        return Optional.of(s);
    }
}
