package io.dih.connector.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.Refresh;
import co.elastic.clients.elasticsearch.core.BulkRequest;
import co.elastic.clients.elasticsearch.core.BulkResponse;
import co.elastic.clients.elasticsearch.core.bulk.BulkResponseItem;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dih.spi.SourceRejectedException;
import io.dih.spi.UnavailableException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes as one bulk request: an upsert is a partial-document update with {@code doc_as_upsert} (fields the row lacks
 * stay in the document), a delete is a delete by id (a missing document is fine). Every operation is idempotent.
 *
 * <p>A bulk request is not a transaction: Elasticsearch applies each item on its own. Items it could not apply now
 * (429, 5xx) make the write an {@link UnavailableException} (retrying the whole batch is safe); items it refused (a value
 * the mapping rejects, a field a strict mapping lacks) a {@link SourceRejectedException} naming each by id, after the
 * others were applied. The hub's write-behind then splits the batch to find the refused writes and dead-letters them.
 */
final class BulkWriter {
    private final ElasticsearchClient client;
    private final DocumentCodec codec;
    private final ElasticsearchConnectorConfig config;
    private final ElasticsearchErrors errors;

    BulkWriter(ElasticsearchClient client, DocumentCodec codec, ElasticsearchConnectorConfig config, ElasticsearchErrors errors) {
        this.client = client;
        this.codec = codec;
        this.config = config;
        this.errors = errors;
    }

    void write(ElasticsearchBinding b, ElasticsearchSchema schema, List<Map<String, Object>> upserts, List<Map<String, Object>> deletes) {
        BulkRequest.Builder bulk = new BulkRequest.Builder().refresh(refresh());
        int total = 0;
        for (Map<String, Object> row : upserts) {
            String id = idOf(b, row);
            ObjectNode doc = codec.document(row, schema);
            bulk.operations(op -> op.update(u -> u.index(b.index()).id(id).action(a -> a.doc(doc).docAsUpsert(true))));
            total++;
        }
        for (Map<String, Object> key : deletes) {
            String id = idOf(b, key);
            bulk.operations(op -> op.delete(d -> d.index(b.index()).id(id)));
            total++;
        }
        BulkResponse r;
        try {
            r = client.bulk(bulk.build());
        } catch (Exception e) {
            throw errors.translate(e, "write to index '" + b.index() + "'", b.index(), b.indexField());
        }
        if (r.errors()) {
            failures(b, r.items(), total);
        }
    }

    /** Throws for the items Elasticsearch did not apply: retryable ones first (the batch is idempotent), then refused ones. */
    private void failures(ElasticsearchBinding b, List<BulkResponseItem> items, int total) {
        List<String> refused = new ArrayList<>();
        List<String> retryable = new ArrayList<>();
        for (BulkResponseItem item : items) {
            if (item.error() == null) {
                continue;
            }
            String text = "[id=" + item.id() + ", " + item.operationType().jsonValue() + "] " + item.error().type() + ": " + item.error().reason();
            (item.status() == 429 || item.status() >= 500 ? retryable : refused).add(text);
        }
        if (!retryable.isEmpty()) {
            throw new UnavailableException("Elasticsearch at " + config.where() + " could not apply " + retryable.size() + " of " + total
                    + " writes to index '" + b.index() + "' now (the others were applied): " + String.join("; ", retryable));
        }
        if (!refused.isEmpty()) {
            throw new SourceRejectedException("Elasticsearch refused " + refused.size() + " of " + total + " writes to index '" + b.index()
                    + "' (the others were applied: Elasticsearch has no transactions): " + String.join("; ", refused), null);
        }
    }

    private static String idOf(ElasticsearchBinding b, Map<String, Object> row) {
        Object v = row.get(b.key());
        if (v == null) {
            throw new SourceRejectedException("a write to index '" + b.index() + "' has no value for its key '" + b.key() + "'", null);
        }
        return DocumentCodec.id(v);
    }

    private Refresh refresh() {
        return switch (config.refresh()) {
            case "true" -> Refresh.True;
            case "wait_for" -> Refresh.WaitFor;
            default -> Refresh.False;
        };
    }
}
