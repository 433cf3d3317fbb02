package io.dih.server.region;

/**
 * What regions need from the machinery that moves data between them and their sources (the {@code sync} package),
 * installed by the node. Regions know nothing of how data arrives; they call out through this.
 */
public interface DataPath {
    /**
     * The queue writes to {@code r} go through when they are to be queued (a WRITE_BEHIND region that a source
     * feeds), else {@code null}. Called outside any transaction: it may create the queue's cache.
     */
    WriteQueue queueFor(Region r);

    /** Whether the region's source promises SESSION consistency. */
    boolean sessionConsistent(Region r);

    /** A region was created (its write-behind queue is made with it). */
    void regionCreated(Region r);

    /**
     * Before a region is deleted: throws a {@link io.dih.spi.ConflictException} naming what still needs it (pending
     * writes unless {@code discardPending}, a source following its table).
     */
    void checkDelete(Region r, boolean discardPending);

    /** A region was deleted: what it left behind (queue, dead letters, progress) goes. */
    void regionDeleted(String region);

    /** Before anything is attached: every write goes through the region's cache, nothing is queued. */
    DataPath NONE = new DataPath() {
        @Override
        public WriteQueue queueFor(Region r) {
            return null;
        }

        @Override
        public boolean sessionConsistent(Region r) {
            return false;
        }

        @Override
        public void regionCreated(Region r) {
        }

        @Override
        public void checkDelete(Region r, boolean discardPending) {
        }

        @Override
        public void regionDeleted(String region) {
        }
    };
}
