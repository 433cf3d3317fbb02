package io.dih.connector.pulsar;

import io.dih.api.BindingSpec;
import io.dih.spi.FieldError;
import io.dih.spi.InvalidSpecException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * What one binding reads from Pulsar, from the keys of its {@link BindingSpec#options()}:
 *
 * <ul>
 *   <li>{@code topic}: one topic; default the binding's {@code table} (the region's name when none is given). A short
 *       name means {@code persistent://public/default/<name>}; a partitioned topic is read in all its partitions.</li>
 *   <li>{@code topics}: a list of topics, instead of {@code topic}.</li>
 *   <li>{@code topic_pattern}: a regular expression over full topic names of one namespace
 *       ({@code persistent://public/default/orders-.*}; a pattern without {@code ://} is taken in
 *       {@code persistent://public/default/}); topics created later are picked up.</li>
 *   <li>{@code format}: {@code json} (default: each message is the row) or {@code debezium} (a Debezium JSON envelope).</li>
 *   <li>{@code delete_when}: {@code {field: value}}: a JSON message whose field equals the value deletes its key.</li>
 *   <li>{@code aggregate}, {@code extra_fields}: the hub's own keys ({@code aggregate} means a message needs no key).</li>
 * </ul>
 *
 * @param name       the name events carry as {@link io.dih.spi.ChangeEvent#table()}: the topic as given, the topics joined
 *                   by commas, or the pattern as given
 * @param topics     the full names of the topics (empty with a pattern)
 * @param pattern    the topic pattern over full names, or null
 * @param keyColumns the binding's key columns (empty: the message key's fields)
 * @param aggregates the hub folds the messages into windows ({@code aggregate}): a message needs no key
 */
record PulsarBinding(String name, List<String> topics, Pattern pattern, Format format, Map<String, Object> deleteWhen,
                     List<String> keyColumns, boolean aggregates) {

    /** How a message's payload is read. */
    enum Format { JSON, DEBEZIUM }

    static final Set<String> KEYS = Set.of("topic", "topics", "topic_pattern", "format", "delete_when", "aggregate", "extra_fields");
    private static final Pattern PARTITION_SUFFIX = Pattern.compile("-partition-\\d+$");

    PulsarBinding {
        topics = List.copyOf(topics);
        deleteWhen = Map.copyOf(deleteWhen);
        keyColumns = List.copyOf(keyColumns);
    }

    /** The field the binding's topic came from, for errors: {@code topic}, {@code topics} or {@code topic_pattern}. */
    String topicField(BindingSpec spec) {
        return spec.option("topics") != null ? "topics" : spec.option("topic_pattern") != null ? "topic_pattern" : "topic";
    }

    /** Whether a message of this topic (a partition's name or the topic's) belongs to this binding. */
    boolean reads(String topicName) {
        String base = PARTITION_SUFFIX.matcher(topicName).replaceFirst("");
        if (pattern != null) {
            return pattern.matcher(base).matches() || pattern.matcher(topicName).matches();
        }
        return topics.contains(base) || topics.contains(topicName);
    }

    /** {@code persistent://public/default/<name>} for a short name; a full name stays. */
    static String fullName(String topic) {
        return topic.contains("://") ? topic : "persistent://public/default/" + topic;
    }

    /**
     * Reads a binding's keys.
     *
     * @throws InvalidSpecException with one error per unknown or invalid key
     */
    static PulsarBinding of(BindingSpec spec) {
        List<FieldError> errors = new ArrayList<>();
        for (String k : spec.options().keySet()) {
            if (!KEYS.contains(k)) {
                errors.add(new FieldError(k, "is not a key of a pulsar binding; known: " + new TreeSet<>(KEYS)
                        + " besides table, key_columns and mapping"));
            }
        }
        if (spec.query() != null) {
            errors.add(new FieldError("query", "a pulsar binding reads topics, not queries: give topic, topics or topic_pattern"));
        }
        if (spec.watermarkColumn() != null) {
            errors.add(new FieldError("watermark_column", "a pulsar binding streams messages; it has no watermark"));
        }
        Object topic = spec.option("topic");
        Object topicList = spec.option("topics");
        Object topicPattern = spec.option("topic_pattern");
        int given = (topic != null ? 1 : 0) + (topicList != null ? 1 : 0) + (topicPattern != null ? 1 : 0);
        if (given > 1) {
            errors.add(new FieldError("topic", "give one of topic, topics and topic_pattern"));
        }
        String name = null;
        List<String> topics = new ArrayList<>();
        Pattern pattern = null;
        if (topicList != null) {
            if (topicList instanceof List<?> list && !list.isEmpty()) {
                for (int i = 0; i < list.size(); i++) {
                    Object t = list.get(i);
                    if (t instanceof String s && !s.isBlank()) {
                        topics.add(fullName(s.trim()));
                    } else {
                        errors.add(new FieldError("topics[" + i + "]", "must be a topic name"));
                    }
                }
                name = String.join(",", list.stream().map(String::valueOf).toList());
            } else {
                errors.add(new FieldError("topics", "must be a non-empty list of topic names"));
            }
        } else if (topicPattern != null) {
            if (topicPattern instanceof String s && !s.isBlank()) {
                name = s;
                try {
                    pattern = Pattern.compile(fullName(s));
                } catch (PatternSyntaxException e) {
                    errors.add(new FieldError("topic_pattern", "is not a regular expression: " + e.getDescription()));
                }
            } else {
                errors.add(new FieldError("topic_pattern", "must be a regular expression over topic names"));
            }
        } else {
            Object t = topic != null ? topic : spec.table();
            if (t instanceof String s && !s.isBlank()) {
                name = s.trim();
                topics.add(fullName(name));
            } else {
                errors.add(new FieldError("topic", "is required (or topics, or topic_pattern)"));
            }
        }
        for (String t : topics) {
            if (!t.startsWith("persistent://") && !t.startsWith("non-persistent://") || t.split("/").length != 5) {
                errors.add(new FieldError(topicList != null ? "topics" : "topic", "'" + t + "' is not a topic name (name or persistent://tenant/namespace/name)"));
            }
        }
        Format format = Format.JSON;
        Object f = spec.option("format");
        if (f != null) {
            if ("json".equalsIgnoreCase(f.toString())) {
                format = Format.JSON;
            } else if ("debezium".equalsIgnoreCase(f.toString())) {
                format = Format.DEBEZIUM;
            } else {
                errors.add(new FieldError("format", "must be json or debezium, was '" + f + "'"));
            }
        }
        Map<String, Object> deleteWhen = new LinkedHashMap<>();
        Object dw = spec.option("delete_when");
        if (dw != null) {
            if (dw instanceof Map<?, ?> m && !m.isEmpty()) {
                m.forEach((k, v) -> {
                    if (v instanceof Map || v instanceof List) {
                        errors.add(new FieldError("delete_when." + k, "must be a single value"));
                    } else {
                        deleteWhen.put(String.valueOf(k), v);
                    }
                });
            } else {
                errors.add(new FieldError("delete_when", "must be an object {field: value}"));
            }
            if (format == Format.DEBEZIUM) {
                errors.add(new FieldError("delete_when", "a debezium envelope says itself what is a delete (op d)"));
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidSpecException(errors);
        }
        List<String> keys = spec.keyColumns() == null ? List.of() : spec.keyColumns();
        if (spec.table() != null) {
            name = spec.table(); // the hub names each binding (after its region): two bindings of one topic stay apart
        }
        return new PulsarBinding(name, topics, pattern, format, deleteWhen, keys, spec.option("aggregate") != null);
    }
}
