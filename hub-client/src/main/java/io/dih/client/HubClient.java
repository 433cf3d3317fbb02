package io.dih.client;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dih.api.EndpointSpec;
import io.dih.api.RegionSpec;
import io.dih.api.SourceSpec;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import org.apache.ignite.Ignition;
import org.apache.ignite.cache.query.SqlFieldsQuery;
import org.apache.ignite.client.IgniteClient;
import org.apache.ignite.client.SslMode;
import org.apache.ignite.configuration.ClientConfiguration;

/**
 * The Java SDK: region administration, entries and SQL ({@link #sqlQuery}) over the REST gateway; SQL over the Ignite
 * thin client too ({@link #sql}).
 *
 * <pre>{@code
 * try (HubClient hub = HubClient.builder().rest("http://localhost:8080").thinClient("localhost:10800").build()) {
 *     hub.createRegion(RegionSpec.named("orders"));
 *     hub.put("orders", "42", Map.of("status", "NEW"));
 *     List<List<?>> rows = hub.sql("SELECT id FROM orders WHERE status = ?", "NEW");
 * }
 * }</pre>
 *
 * Thread-safe; create one per application and close it at the end.
 */
public final class HubClient implements AutoCloseable {
    private static final String API = "/api/v1/dih";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> ROW = new TypeReference<>() { };

    private final HubHttp rest;
    private final IgniteClient thin;
    private final HttpClient http;
    private final String apiKey;
    private final List<String> nodes = new ArrayList<>();
    private final Set<Subscription> subscriptions = ConcurrentHashMap.newKeySet();

    private HubClient(Builder b) {
        b.rest.forEach(u -> nodes.add(u.endsWith("/") ? u.substring(0, u.length() - 1) : u));
        HttpClient.Builder hb = HttpClient.newBuilder().connectTimeout(b.timeout);
        this.http = (b.tls == null ? hb : hb.sslContext(b.tls)).build();
        this.apiKey = b.apiKey;
        this.rest = new HubHttp(http, nodes.get(0), b.timeout, JSON, apiKey);
        this.thin = b.thinAddresses.isEmpty() ? null
                : Ignition.startClient(thinClientConfiguration(b));
    }

    /** The thin client's configuration: a hub with security on takes the operator's credential as the password. */
    private static ClientConfiguration thinClientConfiguration(Builder b) {
        ClientConfiguration c = new ClientConfiguration().setAddresses(b.thinAddresses.toArray(String[]::new));
        if (b.apiKey != null) {
            c.setUserName("operator").setUserPassword(b.apiKey);
        }
        if (b.tls != null) {
            SSLContext tls = b.tls;
            c.setSslMode(SslMode.REQUIRED).setSslContextFactory(() -> tls);
        }
        return c;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A client of the REST gateway only (no SQL). */
    public static HubClient connect(String restUrl) {
        return builder().rest(restUrl).build();
    }

    /** Builds a {@link HubClient}: {@link #rest} is required. */
    public static final class Builder {
        private final List<String> rest = new ArrayList<>();
        private final List<String> thinAddresses = new ArrayList<>();
        private Duration timeout = Duration.ofSeconds(30);
        private String apiKey;
        private SSLContext tls;

        /** The gateway's base URL, e.g. {@code http://localhost:8080}. */
        public Builder rest(String url) {
            return rest(url, new String[0]);
        }

        /**
         * The gateway's base URL, and other nodes' that {@linkplain #subscribe subscriptions} resume on when a node
         * fails (the other calls use the first URL).
         */
        public Builder rest(String url, String... more) {
            rest.clear();
            rest.add(requireNonNull(url, "url is null"));
            for (String m : more) {
                rest.add(requireNonNull(m, "a url is null"));
            }
            return this;
        }

        /**
         * One or more thin-client addresses ({@code host:10800}) for {@link #sql}. With the hub's security on, the thin
         * client logs in with {@link #apiKey}, which must then be an operator's credential (a tenant's is refused there).
         */
        public Builder thinClient(String... addresses) {
            thinAddresses.addAll(List.of(addresses));
            return this;
        }

        /** The API key (or bearer token) every call sends, as {@code Authorization: Bearer <key>}: required when the hub's security is on. */
        public Builder apiKey(String key) {
            this.apiKey = requireNonNull(key, "key is null");
            return this;
        }

        /**
         * TLS for REST, subscriptions and the thin client (a hub with {@code tls.enabled}): a context that trusts the hub's
         * certificate authority and, where the hub has {@code tls.client_auth: required}, holds the client's certificate.
         */
        public Builder tls(SSLContext context) {
            this.tls = requireNonNull(context, "context is null");
            return this;
        }

        public Builder timeout(Duration timeout) {
            this.timeout = requireNonNull(timeout, "timeout is null");
            return this;
        }

        public HubClient build() {
            if (rest.isEmpty()) {
                throw new IllegalStateException("rest(url) is required");
            }
            return new HubClient(this);
        }
    }

    // ---- regions

    /** Creates a region (or confirms the same spec exists) and returns the normalized spec the hub stored. */
    public RegionSpec createRegion(RegionSpec spec) {
        return regionSpec(send("POST", API + "/cache-regions", spec));
    }

    public Optional<RegionSpec> region(String name) {
        JsonNode n = rest.sendOrNull("GET", API + "/cache-regions/" + enc(name), null);
        return n == null ? Optional.empty() : Optional.of(regionSpec(n));
    }

    /**
     * Every column of a region's table in order, as the hub answers them: {@code name}, {@code type} (BIGINT,
     * VARCHAR…), {@code key} (true/false) and {@code origin} ({@code spec}, or {@code source:<source_name>} for a column
     * a source's table brought).
     */
    public List<Map<String, Object>> columns(String region) {
        List<Map<String, Object>> out = new ArrayList<>();
        send("GET", API + "/cache-regions/" + enc(region), null).path("columns").forEach(c -> out.add(read(c, ROW)));
        return out;
    }

    public List<RegionSpec> regions() {
        List<RegionSpec> out = new ArrayList<>();
        send("GET", API + "/cache-regions", null).path("regions").forEach(n -> out.add(regionSpec(n)));
        return out;
    }

    public void deleteRegion(String name) {
        send("DELETE", API + "/cache-regions/" + enc(name), null);
    }

    /** A region's counters (size, gets, puts, hits, misses…) per node and in total, as the hub returns them. */
    public JsonNode stats(String name) {
        return send("GET", API + "/cache-regions/" + enc(name) + "/stats", null);
    }

    // ---- templated endpoints

    /** One answer of an endpoint: rows (column to value), the column names, whether it came from the cache, and whether max_rows cut it. */
    public record EndpointAnswer(List<Map<String, Object>> rows, List<String> columns, boolean cached, boolean truncated) {
    }

    /**
     * Registers a templated endpoint (or confirms the same spec exists) and returns the normalized spec the hub stored;
     * a bad template is a {@link HubClientException} with status 400 naming the problem, another spec under the path 409.
     */
    public EndpointSpec registerEndpoint(EndpointSpec spec) {
        return read(send("POST", API + "/api-endpoints", spec), EndpointSpec.class);
    }

    public Optional<EndpointSpec> endpointSpec(String path) {
        JsonNode n = rest.sendOrNull("GET", API + "/api-endpoints/" + encPath(path), null);
        return n == null ? Optional.empty() : Optional.of(read(n, EndpointSpec.class));
    }

    public List<EndpointSpec> endpoints() {
        List<EndpointSpec> out = new ArrayList<>();
        send("GET", API + "/api-endpoints", null).path("endpoints").forEach(n -> out.add(read(n, EndpointSpec.class)));
        return out;
    }

    public void deleteEndpoint(String path) {
        rest.send("DELETE", API + "/api-endpoints/" + encPath(path), null);
    }

    /** An endpoint's calls, hits, misses, errors and latency on the node this client talks to. */
    public JsonNode endpointStats(String path) {
        return rest.send("GET", API + "/api-endpoints/" + encPath(path) + "/stats", null);
    }

    /**
     * Calls an endpoint ({@code POST /query/{path}}) and returns its rows; the parameters are bound as SQL parameters
     * by the hub. A missing, unknown or ill-typed parameter is a {@link HubClientException} with status 400 naming it.
     */
    public List<Map<String, Object>> endpoint(String path, Map<String, ?> params) {
        return call(path, params).rows();
    }

    /** Calls an endpoint and returns the whole answer (rows, columns, cached, truncated). */
    public EndpointAnswer call(String path, Map<String, ?> params) {
        JsonNode n = rest.send("POST", API + "/query/" + encPath(path), params == null ? Map.of() : params);
        List<Map<String, Object>> rows = new ArrayList<>();
        n.path("rows").forEach(r -> rows.add(read(r, ROW)));
        List<String> columns = new ArrayList<>();
        n.path("columns").forEach(c -> columns.add(c.asText()));
        return new EndpointAnswer(List.copyOf(rows), List.copyOf(columns), n.path("cached").asBoolean(), n.path("truncated").asBoolean());
    }

    /** An endpoint path in a URL: each segment encoded, the slashes kept. */
    private static String encPath(String path) {
        StringBuilder sb = new StringBuilder();
        for (String seg : path.replaceAll("^/+|/+$", "").split("/")) {
            sb.append(sb.length() == 0 ? "" : "/").append(enc(seg));
        }
        return sb.toString();
    }

    // ---- data sources

    /** Registers a data source (or confirms the same spec exists); the stored spec, secrets redacted. */
    public SourceSpec registerSource(SourceSpec spec) {
        return read(send("POST", API + "/data-sources", spec), SourceSpec.class);
    }

    public Optional<SourceSpec> source(String name) {
        JsonNode n = rest.sendOrNull("GET", API + "/data-sources/" + enc(name), null);
        return n == null ? Optional.empty() : Optional.of(read(n, SourceSpec.class));
    }

    /** Unregisters a source; its regions keep their data. */
    public void deleteSource(String name) {
        send("DELETE", API + "/data-sources/" + enc(name), null);
    }

    /** A source's sync status: loads per region, write-behind, staleness and, for CDC sources, {@code cdc}. */
    public JsonNode sourceStatus(String name) {
        return send("GET", API + "/data-sources/" + enc(name) + "/status", null);
    }

    /** Starts a load of every target region now: full, or incremental past the watermark. */
    public JsonNode syncSource(String name, boolean full) {
        return send("POST", API + "/data-sources/" + enc(name) + "/sync?full=" + full, null);
    }

    /** CDC: stops reading changes (the database keeps them) until {@link #resumeSource}; the status after. */
    public JsonNode pauseSource(String name) {
        return send("POST", API + "/data-sources/" + enc(name) + "/pause", null);
    }

    /** CDC: goes on from the stored offsets; the status after. */
    public JsonNode resumeSource(String name) {
        return send("POST", API + "/data-sources/" + enc(name) + "/resume", null);
    }

    /** CDC: stops and starts the source's engine (it resumes from the stored offsets); the status after. */
    public JsonNode restartSource(String name) {
        return send("POST", API + "/data-sources/" + enc(name) + "/restart", null);
    }

    /** A WRITE_BEHIND region's queue: pending writes, oldest age, flushed, retries, dead letters. */
    public JsonNode writeBehind(String region) {
        return send("GET", API + "/cache-regions/" + enc(region) + "/write-behind", null);
    }

    /** Writes a WRITE_BEHIND region's source refused for good, oldest first. */
    public JsonNode deadLetters(String region) {
        return send("GET", API + "/cache-regions/" + enc(region) + "/dead-letters", null);
    }

    // ---- entries

    /** One entry as a row of column values, or empty when the key is absent. */
    public Optional<Map<String, Object>> get(String region, String key) {
        JsonNode n = rest.sendOrNull("GET", entry(region, key), null);
        return n == null ? Optional.empty() : Optional.of(read(n, ROW));
    }

    /** Stores (replaces) one entry. */
    public void put(String region, String key, Map<String, ?> row) {
        send("PUT", entry(region, key), row);
    }

    /**
     * Merges columns into one existing entry: the given columns replace theirs (a {@code null} value sets the column
     * to null), the others keep their values, in the hub and in a write-through or write-behind source.
     *
     * @return the merged row
     * @throws HubClientException 404 when the key is not there, 400 when a field is not a column
     */
    public Map<String, Object> patch(String region, String key, Map<String, ?> fields) {
        requireNonNull(fields, "fields is null");
        return read(rest.send("PATCH", entry(region, key), fields), ROW);
    }

    /** Removes one entry; false when it was not there. */
    public boolean delete(String region, String key) {
        return rest.sendOrNull("DELETE", entry(region, key), null) != null;
    }

    /** Up to 1000 entries by key; absent keys are left out of the result. */
    public Map<String, Map<String, Object>> getAll(String region, Collection<String> keys) {
        JsonNode n = send("POST", API + "/cache-regions/" + enc(region) + "/entries/batch-get", Map.of("keys", keys));
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        n.path("entries").fields().forEachRemaining(e -> out.put(e.getKey(), read(e.getValue(), ROW)));
        return out;
    }

    /** Stores up to 1000 entries, all or none. @return how many keys were new */
    public int putAll(String region, Map<String, ? extends Map<String, ?>> rows) {
        return send("PUT", API + "/cache-regions/" + enc(region) + "/entries", Map.of("entries", rows)).path("created").asInt();
    }

    // ---- transactions

    /** Starts building an ACID transaction over TRANSACTIONAL regions; nothing is sent until {@link Transaction#commit}. */
    public Transaction transaction() {
        return new Transaction(this);
    }

    TransactionResult commit(Map<String, Object> body) {
        return read(rest.send("POST", API + "/transactions", body), TransactionResult.class);
    }

    // ---- change subscriptions

    /**
     * Subscribes to a region's changes over a WebSocket: the listener gets every change (PUT or DELETE, after the
     * options' filter, projection and operations) committed after the subscription started — or after
     * {@link SubscribeOptions#from}, or after the snapshot's rows with {@link SubscribeOptions#snapshot} — called on
     * one thread of the subscription, one event after another.
     *
     * <p>What is guaranteed: each change after the start exactly once, and in order per key (changes of different keys
     * may interleave differently from their commit order), also across node failures, as long as the position to
     * resume from is still within the region journal's retention. When a node fails, stops, is full or finds this
     * client too slow, the subscription reconnects by itself — to the next {@link Builder#rest(String, String...) URL}
     * in turn, then the others, waiting 100 ms doubling to 2 s between attempts, for as long as it is open — and
     * resumes after the last position delivered ({@link SubscriptionListener#onReconnect}); an event delivered before
     * is dropped if sent again. When the position is no longer in the journal (past its retention, or the journal
     * started again), or the hub cannot vouch that none was lost (e.g. its journal writer moved to a node that had not
     * followed the region long enough), the listener gets {@link SubscriptionListener#onResync} instead: changes may
     * have been missed and the region must be re-read; the stream goes on from there.
     *
     * <p>The subscription ends on {@link Subscription#close()}, on a bad parameter (400, naming it), an unknown (404)
     * or deleted (410) region, or when the listener throws; {@link SubscriptionListener#onClosed} tells which. This call
     * returns at once: {@link Subscription#awaitSubscribed} waits until changes are covered.
     */
    public Subscription subscribe(String region, SubscribeOptions options, SubscriptionListener listener) {
        requireNonNull(region, "region is null");
        requireNonNull(listener, "listener is null");
        Subscription s = ResumableSubscription.start(http, apiKey, nodes, region, options == null ? SubscribeOptions.defaults() : options, listener,
                subscriptions::remove);
        subscriptions.add(s);
        if (!s.isOpen()) {
            subscriptions.remove(s);
        }
        return s;
    }

    public JsonNode health() {
        return send("GET", API + "/health", null);
    }

    // ---- SQL over REST

    /**
     * Runs one SELECT or INSERT/UPDATE/DELETE/MERGE over REST, the values bound to its {@code ?} placeholders (never
     * pasted into the SQL). The rows are read lazily, a page of 1000 at a time, as the result is iterated; close it when
     * stopping early (try-with-resources) so the hub closes the cursor at once.
     *
     * <pre>{@code
     * try (SqlRows rows = hub.sqlQuery("SELECT id, total FROM orders WHERE status = ?", "NEW")) {
     *     for (List<Object> row : rows) { ... }
     * }
     * }</pre>
     *
     * @throws HubClientException 400 for DDL, several statements, a syntax error (its position in the detail), an
     *     unknown table or column; 408 when the query runs past the hub's time limit (30 s)
     */
    public SqlRows sqlQuery(String sql, Object... params) {
        return sqlQuery(sql, params == null ? java.util.Collections.singletonList(null) : java.util.Arrays.asList(params), 1000, null);
    }

    /**
     * {@link #sqlQuery(String, Object...)} with a page size (1 to 10000 rows per request) and a time limit per request
     * in milliseconds ({@code null}: the hub's default, 30 s), past which the hub cancels the query (a 408). Parameters
     * are strings, numbers, booleans or null; anything else is sent as its {@code toString()} (a {@code LocalDate} as
     * {@code 2024-01-01}), which the hub converts to the type of the column it meets.
     */
    public SqlRows sqlQuery(String sql, List<?> params, int pageSize, Long timeoutMillis) {
        requireNonNull(sql, "sql is null");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("query", sql);
        List<Object> args = new ArrayList<>();
        if (params != null) {
            params.forEach(p -> args.add(p == null || p instanceof String || p instanceof Number || p instanceof Boolean ? p : p.toString()));
        }
        body.put("params", args);
        body.put("page_size", pageSize);
        if (timeoutMillis != null) {
            body.put("timeout_ms", timeoutMillis);
        }
        return new SqlRows(rest, body);
    }

    // ---- SQL over the thin client

    /** Runs SQL with bound parameters over the thin client; the rows as lists of column values. */
    public List<List<?>> sql(String sql, Object... params) {
        if (thin == null) {
            throw new IllegalStateException("no thin-client address: build the client with thinClient(\"host:10800\")");
        }
        return thin.query(new SqlFieldsQuery(sql).setArgs(params)).getAll();
    }

    /** The underlying Ignite thin client (key-value, continuous queries, transactions), or {@code null}. */
    public IgniteClient thinClient() {
        return thin;
    }

    /** Closes the client's open subscriptions, and the thin client. */
    @Override
    public void close() {
        subscriptions.forEach(Subscription::close);
        if (thin != null) {
            thin.close();
        }
    }

    // ---- plumbing

    private String entry(String region, String key) {
        return API + "/cache-regions/" + enc(region) + "/entries/" + enc(key);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private JsonNode send(String method, String path, Object body) {
        JsonNode n = rest.sendOrNull(method, path, body);
        if (n == null) {
            throw new HubClientException(404, "Not found", method + " " + path, null);
        }
        return n;
    }

    /** The spec in a region answer, which also lists the region's {@code columns} (not part of the spec). */
    private static RegionSpec regionSpec(JsonNode region) {
        JsonNode spec = region;
        if (region.has("columns")) {
            spec = region.deepCopy();
            ((ObjectNode) spec).remove("columns");
        }
        return read(spec, RegionSpec.class);
    }

    private static <T> T read(JsonNode n, Class<T> type) {
        try {
            return JSON.treeToValue(n, type);
        } catch (JsonProcessingException e) {
            throw new HubClientException("unexpected answer from the hub: " + e.getOriginalMessage(), e);
        }
    }

    private static <T> T read(JsonNode n, TypeReference<T> type) {
        return JSON.convertValue(n, type);
    }
}
