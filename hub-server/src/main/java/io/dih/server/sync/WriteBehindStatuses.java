package io.dih.server.sync;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dih.server.region.Region;
import java.time.Instant;
import java.util.Locale;
import org.apache.ignite.IgniteCache;

/** The write-behind flushers' published progress per region ({@code wb/<region>} in {@code dih_sync_status}), as status shows it. */
public final class WriteBehindStatuses {
    private final IgniteCache<String, Object> status;
    private final WriteBehindQueue queue;
    private final DeadLetters deadLetters;

    WriteBehindStatuses(IgniteCache<String, Object> status, WriteBehindQueue queue, DeadLetters deadLetters) {
        this.status = requireNonNull(status, "status is null");
        this.queue = requireNonNull(queue, "queue is null");
        this.deadLetters = requireNonNull(deadLetters, "deadLetters is null");
    }

    private static String key(String region) {
        return "wb/" + region.toLowerCase(Locale.ROOT);
    }

    WriteBehindState state(String region) {
        return (WriteBehindState) status.get(key(region));
    }

    void publish(String region, WriteBehindState st) {
        status.put(key(region), st);
    }

    void forget(String region) {
        status.remove(key(region));
    }

    /** A region's write-behind, as status and metrics show it. */
    public record WriteBehindStatus(
            @JsonProperty("state") String state,
            @JsonProperty("pending") long pending,
            @JsonProperty("oldest_pending_age_ms") long oldestPendingAgeMs,
            @JsonProperty("flushed") long flushed,
            @JsonProperty("writes_per_second") double writesPerSecond,
            @JsonProperty("retries") long retries,
            @JsonProperty("dead_letters") long deadLetters,
            @JsonProperty("backoff_ms") long backoffMs,
            @JsonProperty("last_flush_at") String lastFlushAt,
            @JsonProperty("last_error") String lastError,
            @JsonProperty("last_error_at") String lastErrorAt,
            @JsonProperty("flusher_node") String flusherNode) {
    }

    WriteBehindStatus status(Region r) {
        WriteBehindQueue.Depth d = queue.depth(r);
        WriteBehindState st = state(r.name());
        if (st == null) {
            st = new WriteBehindState();
            st.state = "STARTING";
        }
        long now = System.currentTimeMillis();
        return new WriteBehindStatus(st.state, d.pending(), d.oldestAgeMillis(now), st.flushed, Math.round(st.writesPerSecond * 10) / 10.0,
                st.retries, deadLetters.count(r), st.backoffMillis,
                st.lastFlushAtMillis == 0 ? null : Instant.ofEpochMilli(st.lastFlushAtMillis).toString(),
                st.lastError, st.lastErrorAtMillis == 0 ? null : Instant.ofEpochMilli(st.lastErrorAtMillis).toString(), st.node);
    }
}
