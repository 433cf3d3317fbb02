package io.dih.server.sync;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * Where a source's sync stands, per target region and in total.
 *
 * @param state {@code IDLE}, {@code LOADING} (a region's load is queued or running), {@code FAILED}, {@code DEGRADED}
 *              (BOUNDED_STALENESS past its bound); CDC
 *              sources: {@code STARTING}, {@code SNAPSHOT}, {@code STREAMING}, {@code RETRYING}
 * @param cdc   CDC sources: the engine's state, snapshot rows, events, events/s, lag (source commit to visible), error
 * @param stream STREAM sources: the consumers' state, messages, messages/s, lag, backlog per partition, per-node consumers
 * @param deadLetters rows, changes and messages of this source its regions could not take (kept as dead letters)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SourceStatus(
        @JsonProperty("source") String source,
        @JsonProperty("sync_mode") String syncMode,
        @JsonProperty("state") String state,
        @JsonProperty("regions") Map<String, RegionLoad> regions,
        @JsonProperty("read_through") ReadThrough readThrough,
        @JsonProperty("consistency_level") String consistencyLevel,
        @JsonProperty("staleness") Staleness staleness,
        @JsonProperty("cdc") Object cdc,
        @JsonProperty("stream") Object stream,
        @JsonProperty("dead_letters") Long deadLetters) {

    /**
     * BOUNDED_STALENESS: the measured lag against the bound.
     *
     * @param lagSeconds the largest of: the age of the oldest pending write-behind write, the time since the last
     *                   successful load began (LOAD sources)
     * @param degraded   the lag is past the bound; a catch-up (flush or reload) is under way
     */
    public record Staleness(@JsonProperty("max_staleness_seconds") long maxStalenessSeconds,
                            @JsonProperty("lag_seconds") double lagSeconds,
                            @JsonProperty("degraded") boolean degraded,
                            @JsonProperty("cause") String cause) {
    }

    /** This node's read-through calls to the source: all, timed out, answered by the fallback instead. */
    public record ReadThrough(@JsonProperty("reads") long reads, @JsonProperty("timeouts") long timeouts,
                              @JsonProperty("fallbacks") long fallbacks) {
    }

    /**
     * One binding's load.
     *
     * @param state          {@code IDLE}, {@code QUEUED} (asked for, waiting for a loader), {@code LOADING}, {@code FAILED}
     * @param startedAt      when the last (or current) load started, or was asked for when it was queued (ISO-8601)
     * @param rowsLoaded     rows the load has put in the region so far; CDC sources: rows the snapshot put in the region
     * @param events         CDC sources: change events (after the snapshot) applied to the region
     * @param rowsTotal      rows the source reported at the start of the load (for % and ETA)
     * @param removed        region entries removed because their rows were gone from the source (full loads)
     * @param lastLoadedAt   when the last successful load ended (ISO-8601)
     * @param lagSeconds     seconds since the last successful load ended: how far behind the region may be
     * @param objects        a load by parts (MinIO/S3 objects): objects and bytes read of those to read, left alone, gone
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RegionLoad(
            @JsonProperty("state") String state,
            @JsonProperty("kind") String kind,
            @JsonProperty("rows_loaded") long rowsLoaded,
            @JsonProperty("events") Long events,
            @JsonProperty("rows_total") Long rowsTotal,
            @JsonProperty("percent") Double percent,
            @JsonProperty("rows_per_second") Double rowsPerSecond,
            @JsonProperty("eta_seconds") Double etaSeconds,
            @JsonProperty("removed") long removed,
            @JsonProperty("started_at") String startedAt,
            @JsonProperty("last_loaded_at") String lastLoadedAt,
            @JsonProperty("lag_seconds") Double lagSeconds,
            @JsonProperty("watermark") String watermark,
            @JsonProperty("error") String error,
            @JsonProperty("write_behind") Object writeBehind,
            @JsonProperty("refresh_ahead") Object refreshAhead,
            @JsonProperty("objects") Objects objects) {

        /**
         * A CDC source's region: the engine's state ({@code STARTING}, {@code SNAPSHOT}, {@code STREAMING},
         * {@code RETRYING}, {@code PAUSED}, {@code STOPPED}), kind {@code cdc}, the rows its snapshot put in the region
         * and the change events applied to it since.
         */
        static RegionLoad cdc(String state, long snapshotRows, long events, String error) {
            return new RegionLoad(state, "cdc", snapshotRows, events, null, null, null, null, 0, null, null, null, null, error, null, null, null);
        }

        /** A STREAM source's region: the consumers' state ({@code RUNNING}, ...), kind {@code stream}, the messages applied to it. */
        static RegionLoad stream(String state, long messages, String error) {
            return new RegionLoad(state, "stream", 0, messages, null, null, null, null, 0, null, null, null, null, error, null, null, null);
        }

        /** This load status with the region's write-behind and refresh-ahead figures. */
        public RegionLoad withSync(Object wb, Object ra) {
            return new RegionLoad(state, kind, rowsLoaded, events, rowsTotal, percent, rowsPerSecond, etaSeconds, removed, startedAt,
                    lastLoadedAt, lagSeconds, watermark, error, wb, ra, objects);
        }
    }

    /**
     * A load by parts (the objects of a bucket): the parts it reads and has read, their bytes, the parts it left alone
     * (their version did not change) and the parts that were gone (their rows left the region).
     */
    public record Objects(@JsonProperty("read") int read, @JsonProperty("to_read") int toRead, @JsonProperty("bytes_read") long bytesRead,
                          @JsonProperty("bytes_to_read") long bytesToRead, @JsonProperty("unchanged") int unchanged,
                          @JsonProperty("gone") int gone) {
    }
}
