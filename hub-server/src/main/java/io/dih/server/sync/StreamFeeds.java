package io.dih.server.sync;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.dih.api.SourceSpec;
import io.dih.api.SyncMode;
import io.dih.server.source.SourceRegistry;
import io.dih.spi.ChangeFeed;
import io.dih.spi.ChangeSink;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ObjLongConsumer;
import javax.cache.Cache;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.cache.query.QueryCursor;
import org.apache.ignite.cache.query.ScanQuery;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The STREAM sources' consumers (Kafka, Pulsar): one per server node ({@link StreamService}, an Ignite node
 * singleton), started, stopped, paused, resumed and restarted together; their published progress, and the group's
 * backlog per partition as the broker tells it.
 */
public final class StreamFeeds {
    private static final Logger LOG = LoggerFactory.getLogger(StreamFeeds.class);
    /** A consumer that has not published for this long is gone (its node left or stopped). */
    private static final long ALIVE_MS = 5_000;
    private static final long BACKLOG_CACHE_MS = 1_000;

    private final Ignite ignite;
    private final SourceRegistry sources;
    private final SourcePositions positions;
    private final CdcFeeds pauses;
    private final IgniteCache<String, Object> status;
    private final Map<String, Backlog> backlogs = new ConcurrentHashMap<>();
    private volatile ObjLongConsumer<String> lagListener = (s, l) -> { };

    /** A group's backlog as last asked, per partition; {@code error} when the broker could not tell. */
    private record Backlog(long atMillis, Map<String, Long> partitions, String error) {
    }

    StreamFeeds(Ignite ignite, SourceRegistry sources, SourcePositions positions, CdcFeeds pauses, IgniteCache<String, Object> status) {
        this.ignite = requireNonNull(ignite, "ignite is null");
        this.sources = requireNonNull(sources, "sources is null");
        this.positions = requireNonNull(positions, "positions is null");
        this.pauses = requireNonNull(pauses, "pauses is null");
        this.status = requireNonNull(status, "status is null");
    }

    /** Starts every STREAM source's consumers that is not paused (a node starting up joins them). */
    void startAll() {
        for (String source : sources.names(SyncMode.STREAM)) {
            if (!paused(source)) {
                start(source);
            }
        }
    }

    /** Starts (or joins) a source's consumers, one on every server node. Idempotent. */
    public void start(String source) {
        ignite.services().deployNodeSingleton(StreamService.serviceName(source), new StreamService(source));
    }

    /** Stops a source's consumers everywhere and forgets its progress, pause and per-key positions. */
    void deleted(SourceSpec s) {
        ignite.services().cancel(StreamService.serviceName(s.sourceName()));
        pauses.markPaused(s.sourceName(), false);
        for (String key : stateKeys(s.sourceName())) {
            status.remove(key);
        }
        positions.forget(s.sourceName());
        backlogs.remove(s.sourceName().toLowerCase(Locale.ROOT));
    }

    /** Pauses a source: its consumers leave the group; the broker keeps the messages; {@link #resume} goes on from the committed offsets. */
    public void pause(String source) {
        pauses.markPaused(source, true);
        ignite.services().cancel(StreamService.serviceName(source));
    }

    public void resume(String source) {
        pauses.markPaused(source, false);
        start(source);
    }

    /** Stops and starts a source's consumers (they go on from the committed offsets); unpauses it. */
    public void restart(String source) {
        ignite.services().cancel(StreamService.serviceName(source));
        resume(source);
    }

    public boolean paused(String source) {
        return pauses.paused(source);
    }

    /** A STREAM source's spec, or {@code null} once it is deleted. */
    SourceSpec spec(String source) {
        return sources.find(source, SyncMode.STREAM);
    }

    /** The consumer group (Kafka) or subscription (Pulsar) of a source, unless its parameters name another. */
    static String group(String source) {
        return SourceRegistry.feedName(source);
    }

    /** A new consumer of a source's topics on this node. */
    ChangeFeed open(SourceSpec spec, ChangeSink sink) {
        return sources.connectors().connector(spec).stream(group(spec.sourceName()), SourceRegistry.bindings(spec), sink);
    }

    private static String prefix(String source) {
        return "stream/" + source.toLowerCase(Locale.ROOT) + "/";
    }

    void publish(String source, StreamState st) {
        status.put(prefix(source) + st.node, st);
    }

    /** What a node's consumer of a source last published, or {@code null}. */
    StreamState state(String source, String node) {
        return status.get(prefix(source) + node) instanceof StreamState st ? st : null;
    }

    private List<String> stateKeys(String source) {
        String prefix = prefix(source);
        List<String> keys = new ArrayList<>();
        try (QueryCursor<Cache.Entry<String, Object>> cur = status.query(new ScanQuery<String, Object>((k, v) -> k.startsWith(prefix)))) {
            cur.forEach(e -> keys.add(e.getKey()));
        }
        return keys;
    }

    /** Every node's consumer of a source, as last published, by node. */
    private Map<String, StreamState> states(String source) {
        Map<String, StreamState> out = new TreeMap<>();
        for (String key : stateKeys(source)) {
            if (status.get(key) instanceof StreamState st) {
                out.put(st.node, st);
            }
        }
        return out;
    }

    /** Per target region (lower-case name): the messages every node applied to it. */
    Map<String, Long> regionMessages(String source) {
        Map<String, Long> out = new TreeMap<>();
        states(source).values().forEach(st -> st.regions.forEach((r, n) -> out.merge(r, n, Long::sum)));
        return out;
    }

    /** Where stream lags (message time → visible) go: the node's metrics. */
    public void onLag(ObjLongConsumer<String> listener) {
        this.lagListener = requireNonNull(listener, "listener is null");
    }

    void recordLag(String source, long lagMillis) {
        lagListener.accept(source, lagMillis);
    }

    /** The group's backlog per partition, asked of the broker at most once a second per source. */
    private Backlog backlog(SourceSpec spec) {
        String key = spec.sourceName().toLowerCase(Locale.ROOT);
        Backlog b = backlogs.get(key);
        long now = System.currentTimeMillis();
        if (b != null && now - b.atMillis() < BACKLOG_CACHE_MS) {
            return b;
        }
        try {
            b = new Backlog(now, new TreeMap<>(sources.connectors().connector(spec).backlog(group(spec.sourceName()),
                    SourceRegistry.bindings(spec))), null);
        } catch (RuntimeException e) {
            LOG.debug("Cannot read the backlog of {}: {}", spec.sourceName(), e.getMessage());
            b = new Backlog(now, Map.of(), e.getMessage());
        }
        backlogs.put(key, b);
        return b;
    }

    /** One node's consumer, as status shows it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Consumer(@JsonProperty("node") String node, @JsonProperty("state") String state,
                           @JsonProperty("messages") long messages, @JsonProperty("messages_per_second") double messagesPerSecond,
                           @JsonProperty("error") String error) {
    }

    /** A STREAM source's consumers together, as status shows them. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record StreamStatus(
            @JsonProperty("state") String state,
            @JsonProperty("group") String group,
            @JsonProperty("messages") long messages,
            @JsonProperty("messages_per_second") double messagesPerSecond,
            @JsonProperty("lag_ms") long lagMs,
            @JsonProperty("lag_p50_ms") long lagP50Ms,
            @JsonProperty("lag_p99_ms") long lagP99Ms,
            @JsonProperty("max_lag_ms") long maxLagMs,
            @JsonProperty("stale_skipped") long staleSkipped,
            @JsonProperty("dead_letters") long deadLetters,
            @JsonProperty("backlog") Map<String, Long> backlog,
            @JsonProperty("backlog_total") long backlogTotal,
            @JsonProperty("backlog_error") String backlogError,
            @JsonProperty("last_message_at") String lastMessageAt,
            @JsonProperty("error") String error,
            @JsonProperty("error_at") String errorAt,
            @JsonProperty("consumers") List<Consumer> consumers) {
    }

    public StreamStatus status(String source) {
        SourceSpec spec = sources.spec(source);
        long now = System.currentTimeMillis();
        String state = "STOPPED";
        long messages = 0;
        double rate = 0;
        long lag = 0;
        long p50 = 0;
        long p99 = 0;
        long maxLag = 0;
        long skipped = 0;
        long dead = 0;
        long lastAt = 0;
        StreamState failed = null;
        List<Consumer> consumers = new ArrayList<>();
        for (StreamState st : states(source).values()) {
            boolean alive = now - st.publishedAtMillis <= ALIVE_MS && !"STOPPED".equals(st.state);
            messages += st.messages;
            skipped += st.skippedStale;
            dead += st.deadLetters;
            maxLag = Math.max(maxLag, st.maxLagMillis);
            lastAt = Math.max(lastAt, st.lastMessageAtMillis);
            if (!alive) {
                continue;
            }
            consumers.add(new Consumer(st.node, st.state, st.messages, Math.round(st.messagesPerSecond * 10) / 10.0, st.error));
            rate += st.messagesPerSecond;
            lag = Math.max(lag, st.lastLagMillis);
            p50 = Math.max(p50, st.lagP50Millis);
            p99 = Math.max(p99, st.lagP99Millis);
            state = rank(st.state) > rank(state) ? st.state : state;
            if (st.error != null && (failed == null || st.errorAtMillis > failed.errorAtMillis)) {
                failed = st;
            }
        }
        if (paused(source)) {
            state = "PAUSED";
        }
        Backlog b = backlog(spec);
        long total = b.partitions().values().stream().mapToLong(Long::longValue).sum();
        return new StreamStatus(state, group(spec.sourceName()), messages, Math.round(rate * 10) / 10.0, lag, p50, p99, maxLag, skipped, dead,
                b.partitions(), total, b.error(), lastAt == 0 ? null : Instant.ofEpochMilli(lastAt).toString(),
                failed == null ? null : failed.error, failed == null ? null : Instant.ofEpochMilli(failed.errorAtMillis).toString(), consumers);
    }

    /** RUNNING beats RETRYING beats STARTING beats STOPPED: the source's state is its best consumer's. */
    private static int rank(String state) {
        return switch (state) {
            case "RUNNING" -> 3;
            case "RETRYING" -> 2;
            case "STARTING" -> 1;
            default -> 0;
        };
    }

    /**
     * How far behind a source's regions are, in milliseconds: the lag of the last message applied; while the group has
     * a backlog, at least the time since a message was last applied (a stuck or stopped consumer grows it).
     */
    static long lagMillis(StreamStatus s) {
        long now = System.currentTimeMillis();
        long since = s.lastMessageAt() == null ? 0 : now - Instant.parse(s.lastMessageAt()).toEpochMilli();
        return s.backlogTotal() > 0 ? Math.max(s.lagMs(), since) : s.lagMs();
    }
}
