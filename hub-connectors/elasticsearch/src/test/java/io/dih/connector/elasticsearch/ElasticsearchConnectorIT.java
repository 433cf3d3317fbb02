package io.dih.connector.elasticsearch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dih.api.BindingSpec;
import io.dih.spi.ConnectorContract;
import io.dih.spi.ConnectorFactory;
import io.dih.testing.TestingElasticsearchServer;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The connector contract against a real Elasticsearch 8.19 node. An index stands for the fixture table: documents with
 * {@code _id} = {@code id}, the key field. Elasticsearch has no CHECK constraints and no transactions: the refused write
 * is a non-numeric {@code amount}, and the valid items of a partly refused bulk request stay applied.
 */
class ElasticsearchConnectorIT extends ConnectorContract {
    /** The fixture table as an index: {@code amount} is a double read as DECIMAL (scaled_float is not in this distribution). */
    static final String MAPPINGS = "{\"dynamic\":\"strict\",\"properties\":{\"id\":{\"type\":\"long\"},\"name\":{\"type\":\"keyword\"},"
            + "\"amount\":{\"type\":\"double\",\"meta\":{\"sql_type\":\"DECIMAL\"}},\"version\":{\"type\":\"long\"}}}";
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    static TestingElasticsearchServer es() {
        return TestingElasticsearchServer.shared();
    }

    static Map<String, Object> params() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("url", es().url());
        p.put("username", es().username());
        p.put("password", es().password());
        p.put("page_size", 100); // a load of 250 documents takes three pages of the point in time
        p.put("refresh", "wait_for");
        return p;
    }

    @Override
    protected ConnectorFactory factory() {
        return new ElasticsearchConnectorFactory();
    }

    @Override
    protected Map<String, Object> connectionParams() {
        return params();
    }

    @Override
    protected BindingSpec binding(String table, String watermarkColumn) {
        return new BindingSpec(table, null, List.of("id"), null, watermarkColumn, null);
    }

    @Override
    protected Object amountTheSourceRefuses() {
        return "not-a-number";
    }

    @Override
    protected boolean writesAllOrNone() {
        return false;
    }

    @Override
    protected void createTable(String table, List<Object[]> rows) {
        es().createIndex(table, MAPPINGS);
        if (rows.isEmpty()) {
            return;
        }
        StringBuilder bulk = new StringBuilder();
        for (Object[] r : rows) {
            bulk.append("{\"index\":{\"_index\":\"").append(table).append("\",\"_id\":\"").append(r[0]).append("\"}}\n")
                    .append(document((Long) r[0], (String) r[1], (BigDecimal) r[2], (Long) r[3])).append('\n');
        }
        String answer = es().request("POST", "/_bulk?refresh=true", bulk.toString());
        if (answer.contains("\"errors\":true")) {
            throw new IllegalStateException("the fixture's bulk request failed: " + answer);
        }
    }

    static String document(long id, String name, BigDecimal amount, long version) {
        return "{\"id\":" + id + ",\"name\":\"" + name + "\",\"amount\":" + amount.toPlainString() + ",\"version\":" + version + "}";
    }

    @Override
    protected void insert(String table, long id, String name, BigDecimal amount, long version) {
        es().index(table, Long.toString(id), document(id, name, amount, version));
    }

    /** Elasticsearch has no transactions: two updates one after the other (only a change feed test would call this). */
    @Override
    protected void updateTwiceInOneTransaction(String table, long id) {
        es().request("POST", "/" + table + "/_update/" + id + "?refresh=true", "{\"doc\":{\"name\":\"first\"}}");
        es().request("POST", "/" + table + "/_update/" + id + "?refresh=true", "{\"doc\":{\"name\":\"second\"}}");
    }

    @Override
    protected void delete(String table, long id) {
        es().deleteDocument(table, Long.toString(id));
    }

    @Override
    protected Optional<Map<String, Object>> rowInSource(String table, long id) {
        return source(table, Long.toString(id));
    }

    /** A document's {@code _source} as the node has it now (realtime GET), or empty. */
    static Optional<Map<String, Object>> source(String index, String id) {
        String got = es().document(index, id);
        if (got == null) {
            return Optional.empty();
        }
        try {
            JsonNode n = JSON.readTree(got);
            if (!n.path("found").asBoolean()) {
                return Optional.empty();
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> source = JSON.convertValue(n.get("_source"), Map.class);
            return Optional.of(source);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("not JSON: " + got, e);
        }
    }
}
