package io.dih.connector.elasticsearch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dih.api.BindingSpec;
import io.dih.spi.FieldError;
import io.dih.spi.InvalidSpecException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What one binding reads from Elasticsearch, checked.
 *
 * @param index      the index (or alias, or pattern) to read and write: binding key {@code index}, else {@code table}
 *                   (which the hub fills in with the region's name when a binding names no table)
 * @param indexField the binding key that named it, for errors
 * @param query      the {@code query_dsl} object selecting documents (a query of the search API), or {@code null}: all
 * @param key        the key column: {@value #ID} (the document id, the default) or one document field whose value is
 *                   the document id (as the hub writes documents)
 * @param watermark  a numeric or date field that grows with each change, or {@code null}
 */
record ElasticsearchBinding(String index, String indexField, ObjectNode query, String key, String watermark) {
    /** The pseudo-column of the document id. */
    static final String ID = "_id";
    static final Set<String> OPTIONS = Set.of("index", "query_dsl");
    private static final String INDEX_CHARS = "[^\\s\"\\\\/?<>|#,]+";

    static ElasticsearchBinding of(BindingSpec b, ObjectMapper json) {
        List<FieldError> errors = new ArrayList<>();
        for (String k : b.options().keySet()) {
            if (!OPTIONS.contains(k)) {
                errors.add(new FieldError(k, "is not an Elasticsearch binding key; known: table, key_columns, mapping, watermark_column, "
                        + String.join(", ", new TreeSet<>(OPTIONS))));
            }
        }
        Object indexOption = b.option("index");
        String index = indexOption == null ? b.table() : indexOption.toString();
        String indexField = indexOption == null ? "table" : "index";
        if (index == null || index.isBlank()) {
            errors.add(new FieldError("index", "is required: the index to read"));
        } else if (!index.matches(INDEX_CHARS) || index.startsWith("_") || index.startsWith("-")) {
            errors.add(new FieldError(indexField, "'" + index + "' is not an index name"));
        }
        if (b.query() != null) {
            errors.add(new FieldError("query", "Elasticsearch is not queried with SQL: select documents with query_dsl (a query DSL object)"));
        }
        ObjectNode query = query(b.option("query_dsl"), json, errors);
        String key = ID;
        if (b.keyColumns() != null) {
            if (b.keyColumns().size() != 1) {
                errors.add(new FieldError("key_columns", "a document has one id: name one field (its value is the document id) or _id"));
            } else {
                key = b.keyColumns().get(0);
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidSpecException(errors);
        }
        return new ElasticsearchBinding(index, indexField, query, key, b.watermarkColumn());
    }

    private static ObjectNode query(Object given, ObjectMapper json, List<FieldError> errors) {
        if (given == null) {
            return null;
        }
        JsonNode node;
        if (given instanceof Map<?, ?> map) {
            node = json.valueToTree(map);
        } else {
            try {
                node = json.readTree(given.toString());
            } catch (JsonProcessingException e) {
                errors.add(new FieldError("query_dsl", "is not JSON: " + e.getOriginalMessage()));
                return null;
            }
        }
        if (!(node instanceof ObjectNode o) || o.size() != 1) {
            errors.add(new FieldError("query_dsl", "must be one query of the search API, e.g. {\"term\": {\"status\": \"open\"}}"));
            return null;
        }
        return o;
    }

    /** Whether the key is the document id itself rather than a field. */
    boolean keyIsId() {
        return ID.equals(key);
    }
}
