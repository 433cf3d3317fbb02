package io.dih.server.sync;

import static java.util.Objects.requireNonNull;

import io.dih.api.CacheStrategy;
import io.dih.api.ConsistencyLevel;
import io.dih.api.SourceSpec;
import io.dih.api.SyncMode;
import io.dih.server.region.DataPath;
import io.dih.server.region.Region;
import io.dih.server.region.WriteQueue;
import io.dih.server.source.SourceRegistry;
import io.dih.spi.ConflictException;

/**
 * What regions call out to in the data path: the write-behind queue their writes join, whether their source promises
 * SESSION consistency, and the deletes the data path still needs refused (writes not yet in the source, a CDC feed or
 * a stream still filling the region).
 */
final class RegionDataPath implements DataPath {
    private final SourceRegistry sources;
    private final WriteBehindQueue queue;
    private final DeadLetters deadLetters;
    private final WriteBehindStatuses writeBehind;

    RegionDataPath(SourceRegistry sources, WriteBehindQueue queue, DeadLetters deadLetters, WriteBehindStatuses writeBehind) {
        this.sources = requireNonNull(sources, "sources is null");
        this.queue = requireNonNull(queue, "queue is null");
        this.deadLetters = requireNonNull(deadLetters, "deadLetters is null");
        this.writeBehind = requireNonNull(writeBehind, "writeBehind is null");
    }

    @Override
    public WriteQueue queueFor(Region r) {
        if (r.spec().cacheStrategy() != CacheStrategy.WRITE_BEHIND || sources.primaryFor(r.name()).isEmpty()) {
            return null;
        }
        queue.queue(r);
        return queue;
    }

    @Override
    public boolean sessionConsistent(Region r) {
        return sources.primaryFor(r.name()).map(s -> s.consistencyLevel() == ConsistencyLevel.SESSION).orElse(false);
    }

    @Override
    public void regionCreated(Region r) {
        if (r.spec().cacheStrategy() == CacheStrategy.WRITE_BEHIND) {
            queue.queue(r); // the region's write queue, made with it
        }
    }

    @Override
    public void checkDelete(Region r, boolean discardPending) {
        if (r.spec().cacheStrategy() == CacheStrategy.WRITE_BEHIND && !discardPending) {
            long pending = queue.depth(r).pending();
            if (pending > 0) {
                throw new ConflictException(pending + " writes to region '" + r.name() + "' have not reached its source yet; "
                        + "wait for them (GET /data-sources/{name}/status) or delete with ?discard_pending=true");
            }
        }
        for (SourceSpec s : sources.specs()) {
            boolean feeds = s.targetRegions().stream().anyMatch(t -> t.equalsIgnoreCase(r.name()));
            if (feeds && (s.syncMode() == SyncMode.CDC || s.syncMode() == SyncMode.STREAM)) {
                throw new ConflictException("region '" + r.name() + "' " + (s.syncMode() == SyncMode.CDC ? "follows its table by CDC"
                        : "is fed by a stream") + " (source '" + s.sourceName() + "'); delete that source first");
            }
        }
    }

    /** Drops what a deleted region leaves behind: its queue, dead letters and progress. */
    @Override
    public void regionDeleted(String region) {
        queue.destroy(region);
        deadLetters.dropAll(region);
        writeBehind.forget(region);
    }
}
