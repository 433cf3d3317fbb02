package io.dih.server.sync;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dih.spi.FieldError;
import io.dih.spi.InvalidSpecException;
import java.util.ArrayList;
import java.util.List;

/** How the hub keeps regions and sources in step: the {@code sync} section of the node configuration. */
public record SyncSettings(@JsonProperty("write_behind") WriteBehind writeBehind,
                           @JsonProperty("refresh_ahead") RefreshAhead refreshAhead) {
    public static final SyncSettings DEFAULTS = new SyncSettings(null, null);

    public SyncSettings {
        if (writeBehind == null) {
            writeBehind = new WriteBehind(0, 0, 0, 0, 0);
        }
        if (refreshAhead == null) {
            refreshAhead = new RefreshAhead(0, 0);
        }
    }

    /**
     * Durable write-behind.
     *
     * @param batchSize            the most writes sent to a source in one source transaction
     * @param flushDelayMs         how long a write may wait for more to batch with (unless a batch is full)
     * @param initialBackoffMs     the first wait after a source failed; doubled on every further failure
     * @param maxBackoffMs         the longest wait between retries while a source is down
     * @param shutdownFlushSeconds on a graceful stop, how long the flusher keeps draining before leaving the rest to
     *                             the other nodes (or, on a lone node with persistence, to its restart)
     */
    public record WriteBehind(@JsonProperty("batch_size") int batchSize,
                              @JsonProperty("flush_delay_ms") long flushDelayMs,
                              @JsonProperty("initial_backoff_ms") long initialBackoffMs,
                              @JsonProperty("max_backoff_ms") long maxBackoffMs,
                              @JsonProperty("shutdown_flush_seconds") long shutdownFlushSeconds) {
        public WriteBehind {
            batchSize = batchSize <= 0 ? 500 : batchSize;
            flushDelayMs = flushDelayMs <= 0 ? 100 : flushDelayMs;
            initialBackoffMs = initialBackoffMs <= 0 ? 200 : initialBackoffMs;
            maxBackoffMs = maxBackoffMs <= 0 ? 10_000 : maxBackoffMs;
            shutdownFlushSeconds = shutdownFlushSeconds <= 0 ? 10 : shutdownFlushSeconds;
            List<FieldError> errors = new ArrayList<>();
            if (batchSize > 10_000) {
                errors.add(new FieldError("sync.write_behind.batch_size", "must be at most 10000, was " + batchSize));
            }
            if (maxBackoffMs < initialBackoffMs) {
                errors.add(new FieldError("sync.write_behind.max_backoff_ms", "must be at least initial_backoff_ms (" + initialBackoffMs + ")"));
            }
            if (!errors.isEmpty()) {
                throw new InvalidSpecException(errors);
            }
        }
    }

    /**
     * Refresh-ahead, per node.
     *
     * @param maxPerSecond   the most background refreshes a node starts per second (the rest wait for the next round)
     * @param maxConcurrency the most refreshes a node runs at once
     */
    public record RefreshAhead(@JsonProperty("max_per_second") int maxPerSecond,
                               @JsonProperty("max_concurrency") int maxConcurrency) {
        public RefreshAhead {
            maxPerSecond = maxPerSecond <= 0 ? 200 : maxPerSecond;
            maxConcurrency = maxConcurrency <= 0 ? 4 : maxConcurrency;
        }
    }
}
