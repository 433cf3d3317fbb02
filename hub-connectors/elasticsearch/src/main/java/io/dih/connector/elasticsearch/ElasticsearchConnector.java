package io.dih.connector.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.FieldValue;
import co.elastic.clients.elasticsearch._types.mapping.Property;
import co.elastic.clients.elasticsearch._types.query_dsl.Query;
import co.elastic.clients.elasticsearch.core.GetResponse;
import co.elastic.clients.elasticsearch.core.MgetResponse;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import co.elastic.clients.elasticsearch.core.mget.MultiGetResponseItem;
import co.elastic.clients.elasticsearch.core.search.Hit;
import co.elastic.clients.elasticsearch.indices.GetMappingResponse;
import co.elastic.clients.json.jackson.JacksonJsonpMapper;
import co.elastic.clients.transport.TransportUtils;
import co.elastic.clients.transport.rest_client.RestClientTransport;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dih.api.BindingSpec;
import io.dih.api.SqlType;
import io.dih.spi.Capability;
import io.dih.spi.Connector;
import io.dih.spi.FieldError;
import io.dih.spi.InvalidSpecException;
import io.dih.spi.RowSink;
import io.dih.spi.SourceTable;
import io.dih.spi.UnavailableException;
import java.io.IOException;
import java.io.StringReader;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.http.Header;
import org.apache.http.HttpHost;
import org.apache.http.auth.AuthScope;
import org.apache.http.auth.UsernamePasswordCredentials;
import org.apache.http.impl.client.BasicCredentialsProvider;
import org.apache.http.message.BasicHeader;
import org.elasticsearch.client.RestClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An Elasticsearch 8 source: each binding is an index whose documents are rows (see {@link ElasticsearchSchema} for the
 * columns). Loads page through a point-in-time with {@code search_after} (never a deep {@code from}); reads get a
 * document by id; writes are one bulk request of partial-document upserts and deletes.
 *
 * <p>Elasticsearch has no transactions: a bulk request is not all-or-none. When it refuses some items (a value its
 * mapping rejects), the others are applied and {@link #write} throws {@link io.dih.spi.SourceRejectedException} naming the refused
 * ones; every operation is idempotent (an upsert or a delete by id), so the hub's write-behind may retry or split the
 * batch to find them. Thread-safe: the client pools connections.
 */
final class ElasticsearchConnector implements Connector {
    private static final Logger LOG = LoggerFactory.getLogger(ElasticsearchConnector.class);
    private static final String KEEP_ALIVE = "2m";

    private final String sourceName;
    private final ElasticsearchConnectorConfig config;
    private final ObjectMapper json;
    private final DocumentCodec codec;
    private final RestClientTransport transport;
    private final ElasticsearchClient client;
    private final ElasticsearchErrors errors;
    private final BulkWriter writer;
    private final Map<String, ElasticsearchSchema> schemas = new ConcurrentHashMap<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    private ElasticsearchConnector(String sourceName, ElasticsearchConnectorConfig config) {
        this.sourceName = sourceName;
        this.config = config;
        this.json = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
        this.codec = new DocumentCodec(json);
        this.errors = new ElasticsearchErrors(config.where());
        this.transport = new RestClientTransport(restClient(config), new JacksonJsonpMapper(json));
        this.client = new ElasticsearchClient(transport);
        this.writer = new BulkWriter(client, codec, config, errors);
    }

    /**
     * Connects and checks the cluster answers with these credentials.
     *
     * @throws InvalidSpecException naming {@code username} or {@code api_key} when the credentials are refused
     * @throws UnavailableException naming the nodes when none can be reached
     */
    static ElasticsearchConnector connect(String sourceName, ElasticsearchConnectorConfig config) {
        ElasticsearchConnector c = new ElasticsearchConnector(sourceName, config);
        try {
            c.client.cluster().health(h -> h.timeout(t -> t.time(config.connectTimeoutSeconds() + "s")));
        } catch (Exception e) {
            c.close();
            int status = ElasticsearchErrors.status(e);
            String credential = config.apiKey() != null ? "connection_params.api_key" : "connection_params.username";
            if (status == 401) {
                throw new InvalidSpecException(credential, "Elasticsearch at " + config.where() + " refused the credentials (401 Unauthorized)");
            }
            if (status == 403) {
                throw new InvalidSpecException(credential, "Elasticsearch at " + config.where()
                        + " does not allow this user to read the cluster health (403 Forbidden)");
            }
            throw c.errors.translate(e, "connect", null, null);
        }
        LOG.info("Elasticsearch source {} connected to {}", sourceName, config.where());
        return c;
    }

    /**
     * The low-level client: basic credentials through a credentials provider (the client's auth cache sends them
     * preemptively, and no request object ever holds them), an API key as the default header Elastic documents.
     */
    private static RestClient restClient(ElasticsearchConnectorConfig config) {
        HttpHost[] hosts = config.hosts().stream().map(u -> new HttpHost(u.getHost(), u.getPort(), u.getScheme())).toArray(HttpHost[]::new);
        Header[] headers = config.apiKey() == null ? new Header[0] : new Header[] {new BasicHeader("Authorization", "ApiKey " + config.apiKey())};
        return RestClient.builder(hosts)
                .setDefaultHeaders(headers)
                .setRequestConfigCallback(rc -> rc.setConnectTimeout(config.connectTimeoutSeconds() * 1000)
                        .setSocketTimeout(config.socketTimeoutSeconds() * 1000))
                .setHttpClientConfigCallback(hc -> {
                    if (config.username() != null) {
                        BasicCredentialsProvider credentials = new BasicCredentialsProvider();
                        credentials.setCredentials(AuthScope.ANY, new UsernamePasswordCredentials(config.username(), config.password()));
                        hc.setDefaultCredentialsProvider(credentials);
                    }
                    if (config.caFingerprint() != null) {
                        hc.setSSLContext(TransportUtils.sslContextFromCaFingerprint(config.caFingerprint()));
                    }
                    return hc;
                })
                .build();
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.BULK_LOAD, Capability.READ_THROUGH, Capability.WRITE_THROUGH, Capability.WRITE_BEHIND);
    }

    @Override
    public SourceTable describe(BindingSpec spec) {
        ElasticsearchBinding b = ElasticsearchBinding.of(spec, json);
        ElasticsearchSchema schema = fetchSchema(b);
        Map<String, ?> fields = schema.columns();
        List<FieldError> problems = new ArrayList<>();
        if (!b.keyIsId() && !fields.containsKey(b.key())) {
            problems.add(new FieldError("key_columns", "index '" + b.index() + "' has no field '" + b.key() + "'; fields: "
                    + fields.keySet()));
        }
        if (b.watermark() != null) {
            SqlType t = schema.columns().get(b.watermark());
            if (t == null || t == SqlType.VARCHAR || t == SqlType.BOOLEAN || t == SqlType.BINARY) {
                problems.add(new FieldError("watermark_column", "'" + b.watermark() + "' must be a numeric or date field of index '"
                        + b.index() + "'" + (t == null ? "; it has no such field" : ", it is " + t)));
            }
        }
        if (spec.mapping() != null) {
            spec.mapping().forEach((region, path) -> {
                if (!path.equals(ElasticsearchBinding.ID) && !fields.containsKey(path)) {
                    problems.add(new FieldError("mapping." + region, "index '" + b.index() + "' has no field '" + path + "'"));
                }
            });
        }
        if (!problems.isEmpty()) {
            throw new InvalidSpecException(problems);
        }
        if (b.query() != null) {
            count(b, null); // a query Elasticsearch cannot run is an error now rather than at the first load
        }
        return new SourceTable(b.index(), columns(spec, b, schema), List.of(b.key()));
    }

    /** The index's columns, with {@code _id} first when it is the key or mapped. */
    private static Map<String, SqlType> columns(BindingSpec spec, ElasticsearchBinding b, ElasticsearchSchema schema) {
        Map<String, SqlType> columns = new LinkedHashMap<>();
        if (b.keyIsId() || spec.mapping() != null && spec.mapping().containsValue(ElasticsearchBinding.ID)) {
            columns.put(ElasticsearchBinding.ID, SqlType.VARCHAR);
        }
        columns.putAll(schema.columns());
        return columns;
    }

    private ElasticsearchSchema fetchSchema(ElasticsearchBinding b) {
        GetMappingResponse r = call("read the mapping of index '" + b.index() + "'", b, () -> client.indices().getMapping(g -> g.index(b.index())));
        List<Map<String, Property>> mappings = new ArrayList<>();
        r.result().values().forEach(m -> mappings.add(m.mappings() == null ? Map.of() : m.mappings().properties()));
        if (mappings.isEmpty()) {
            throw new InvalidSpecException(b.indexField(), "no index matches '" + b.index() + "' in Elasticsearch at " + config.where());
        }
        ElasticsearchSchema schema = ElasticsearchSchema.of(mappings);
        schemas.put(b.index(), schema);
        return schema;
    }

    private ElasticsearchSchema schema(ElasticsearchBinding b) {
        ElasticsearchSchema s = schemas.get(b.index());
        return s != null ? s : fetchSchema(b);
    }

    @Override
    public Object load(BindingSpec spec, Object after, RowSink sink) {
        ElasticsearchBinding b = ElasticsearchBinding.of(spec, json);
        Map<String, SqlType> columns = columns(spec, b, schema(b));
        Query query = query(b, after);
        String pit = call("open a point in time on index '" + b.index() + "'", b,
                () -> client.openPointInTime(o -> o.index(b.index()).keepAlive(k -> k.time(KEEP_ALIVE)))).id();
        Object highest = after;
        long rows = 0;
        try {
            List<FieldValue> searchAfter = null;
            while (true) {
                String pitNow = pit;
                List<FieldValue> from = searchAfter;
                SearchResponse<ObjectNode> page = call("search index '" + b.index() + "'", b, () -> client.search(s -> {
                    s.pit(p -> p.id(pitNow).keepAlive(k -> k.time(KEEP_ALIVE))).size(config.pageSize()).query(query)
                            .sort(o -> o.field(f -> f.field("_shard_doc"))).trackTotalHits(t -> t.enabled(false));
                    return from == null ? s : s.searchAfter(from);
                }, ObjectNode.class));
                List<Hit<ObjectNode>> hits = page.hits().hits();
                for (Hit<ObjectNode> hit : hits) {
                    Map<String, Object> row = codec.row(hit.id(), hit.source(), columns);
                    if (b.watermark() != null) {
                        highest = higher(highest, row.get(b.watermark()));
                    }
                    sink.accept(row);
                    rows++;
                }
                if (page.pitId() != null) {
                    pit = page.pitId();
                }
                if (hits.size() < config.pageSize()) {
                    break;
                }
                searchAfter = hits.get(hits.size() - 1).sort();
            }
        } finally {
            closePointInTime(pit);
        }
        LOG.debug("Loaded {} documents of index {} for source {}", rows, b.index(), sourceName);
        return b.watermark() == null ? null : highest;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object higher(Object current, Object candidate) {
        if (candidate == null || candidate instanceof String) {
            return current; // a value that did not convert: the hub makes its row a dead letter
        }
        if (current == null || current.getClass() != candidate.getClass()) {
            return candidate;
        }
        return ((Comparable) candidate).compareTo(current) > 0 ? candidate : current;
    }

    private void closePointInTime(String pit) {
        try {
            client.closePointInTime(c -> c.id(pit));
        } catch (Exception e) {
            LOG.debug("Closing a point in time failed (it expires after {}): {}", KEEP_ALIVE, e.toString());
        }
    }

    /** The binding's query, and the watermark's range past {@code after}, as one query. */
    private Query query(ElasticsearchBinding b, Object after) {
        ArrayNode filters = json.createArrayNode();
        if (b.query() != null) {
            filters.add(b.query());
        }
        if (after != null && b.watermark() != null) {
            ObjectNode range = filters.addObject().putObject("range").putObject(b.watermark());
            range.set("gt", after instanceof Timestamp ts ? json.getNodeFactory().textNode(ts.toInstant().toString())
                    : json.valueToTree(after));
        }
        ObjectNode q = json.createObjectNode();
        if (filters.isEmpty()) {
            q.putObject("match_all");
        } else {
            q.putObject("bool").set("filter", filters);
        }
        String text = q.toString();
        return Query.of(x -> x.withJson(new StringReader(text)));
    }

    @Override
    public OptionalLong count(BindingSpec spec, Object after) {
        ElasticsearchBinding b = ElasticsearchBinding.of(spec, json);
        return OptionalLong.of(count(b, after));
    }

    private long count(ElasticsearchBinding b, Object after) {
        Query q = query(b, after);
        try {
            return client.count(c -> c.index(b.index()).query(q)).count();
        } catch (Exception e) {
            if (ElasticsearchErrors.status(e) == 400 && b.query() != null) {
                throw new InvalidSpecException("query_dsl", "Elasticsearch cannot run it: " + ElasticsearchErrors.reason(e));
            }
            throw errors.translate(e, "count documents of index '" + b.index() + "'", b.index(), b.indexField());
        }
    }

    @Override
    public Optional<Map<String, Object>> read(BindingSpec spec, Map<String, Object> key) {
        ElasticsearchBinding b = ElasticsearchBinding.of(spec, json);
        Object value = key.get(b.key());
        if (value == null) {
            throw new InvalidSpecException("key_columns", "the key has no value for '" + b.key() + "'");
        }
        String id = DocumentCodec.id(value);
        Map<String, SqlType> columns = columns(spec, b, schema(b));
        if (b.query() == null) {
            GetResponse<ObjectNode> got = call("get a document of index '" + b.index() + "'", b,
                    () -> client.get(g -> g.index(b.index()).id(id), ObjectNode.class));
            return got.found() ? Optional.of(codec.row(got.id(), got.source(), columns)) : Optional.empty();
        }
        ObjectNode q = json.createObjectNode();
        ArrayNode filters = q.putObject("bool").putArray("filter");
        filters.addObject().putObject("ids").putArray("values").add(id);
        filters.add(b.query());
        String text = q.toString();
        SearchResponse<ObjectNode> r = call("search index '" + b.index() + "'", b, () -> client.search(s -> s.index(b.index()).size(1)
                .query(x -> x.withJson(new StringReader(text))), ObjectNode.class));
        return r.hits().hits().stream().findFirst().map(h -> codec.row(h.id(), h.source(), columns));
    }

    /** The documents of many keys with one {@code _mget} (real-time, as a get); a binding with a {@code query} reads them one by one. */
    @Override
    public List<Map<String, Object>> readAll(BindingSpec spec, List<Map<String, Object>> keys) {
        ElasticsearchBinding b = ElasticsearchBinding.of(spec, json);
        if (b.query() != null || keys.size() < 2) {
            return Connector.super.readAll(spec, keys);
        }
        List<String> ids = new ArrayList<>(keys.size());
        for (Map<String, Object> key : keys) {
            Object value = key.get(b.key());
            if (value == null) {
                throw new InvalidSpecException("key_columns", "the key has no value for '" + b.key() + "'");
            }
            ids.add(DocumentCodec.id(value));
        }
        Map<String, SqlType> columns = columns(spec, b, schema(b));
        MgetResponse<ObjectNode> got = call("get documents of index '" + b.index() + "'", b,
                () -> client.mget(m -> m.index(b.index()).ids(ids), ObjectNode.class));
        List<Map<String, Object>> rows = new ArrayList<>();
        for (MultiGetResponseItem<ObjectNode> item : got.docs()) {
            if (item.isFailure()) { // a shard that cannot answer: as a get that fails, an outage (the batch is asked again)
                throw new UnavailableException("Elasticsearch could not get document '" + item.failure().id() + "' of index '" + b.index()
                        + "': " + item.failure().error().reason(), null);
            }
            if (item.result().found()) {
                rows.add(codec.row(item.result().id(), item.result().source(), columns));
            }
        }
        return rows;
    }

    /** See {@link BulkWriter}: not all or none, Elasticsearch has no transactions. */
    @Override
    public void write(BindingSpec spec, List<Map<String, Object>> upserts, List<Map<String, Object>> deletes) {
        if (upserts.isEmpty() && deletes.isEmpty()) {
            return;
        }
        ElasticsearchBinding b = ElasticsearchBinding.of(spec, json);
        writer.write(b, schema(b), upserts, deletes);
    }

    /** A client call whose failures become the hub's exceptions. */
    private <T> T call(String what, ElasticsearchBinding b, Call<T> call) {
        try {
            return call.run();
        } catch (Exception e) {
            throw errors.translate(e, what, b.index(), b.indexField());
        }
    }

    @FunctionalInterface
    private interface Call<T> {
        T run() throws IOException;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                transport.close();
            } catch (IOException e) {
                LOG.debug("Closing the Elasticsearch client of source {} failed: {}", sourceName, e.toString());
            }
        }
    }

    @Override
    public String toString() {
        return "ElasticsearchConnector[source=" + sourceName + ", hosts=" + config.where() + "]";
    }
}
