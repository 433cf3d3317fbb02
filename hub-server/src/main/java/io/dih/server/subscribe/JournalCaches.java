package io.dih.server.subscribe;

import java.util.Locale;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.cache.CacheAtomicityMode;
import org.apache.ignite.cache.CacheMode;
import org.apache.ignite.cache.CacheWriteSynchronizationMode;
import org.apache.ignite.cache.PartitionLossPolicy;
import org.apache.ignite.configuration.CacheConfiguration;

/**
 * The caches behind region journals: one per journaled region ({@code dih_journal_<region>_<epoch>}, events by sequence
 * number, partitioned with at least one backup, transactional so a batch and its {@link JournalMeta} commit together)
 * and one replicated cache of every journal's {@link JournalMeta}. Both live in the data region given at start (the
 * journals in their own data region (in memory; when it is full, pages are evicted and a subscriber who then misses an
 * event gets a RESYNC), the bookkeeping in the never-evicted sync region when the node has them.
 */
final class JournalCaches {
    static final String META = "dih_journal_meta";
    /** Which node follows which journaled region since when: {@code <region>/<node consistent id>} → epoch millis. */
    static final String FEEDERS = "dih_journal_feeders";
    private static final String PREFIX = "dih_journal_";
    /** The binary type of journal events (no Java class: fields are read with {@code BinaryObject.field}). */
    static final String EVENT_TYPE = "dih.JournalEvent";

    private final Ignite ignite;
    private final String dataRegion;
    private final String journalRegion;
    private final int backups;

    /**
     * @param dataRegion    the Ignite data region for the journals' bookkeeping (one that never evicts), or {@code null}
     *                      for the default one
     * @param journalRegion the Ignite data region for the journals themselves, or {@code null} for the default one
     * @param backups       backups of each journal's partitions (at least 1)
     */
    JournalCaches(Ignite ignite, String dataRegion, String journalRegion, int backups) {
        this.ignite = ignite;
        this.dataRegion = dataRegion;
        this.journalRegion = journalRegion;
        this.backups = Math.max(1, backups);
    }

    static String journalName(String region, String epoch) {
        return PREFIX + region.toLowerCase(Locale.ROOT) + "_" + epoch;
    }

    IgniteCache<String, JournalMeta> meta() {
        CacheConfiguration<String, JournalMeta> cc = new CacheConfiguration<String, JournalMeta>(META)
                .setCacheMode(CacheMode.REPLICATED)
                .setAtomicityMode(CacheAtomicityMode.TRANSACTIONAL)
                .setWriteSynchronizationMode(CacheWriteSynchronizationMode.FULL_SYNC);
        if (dataRegion != null) {
            cc.setDataRegionName(dataRegion);
        }
        return ignite.getOrCreateCache(cc);
    }

    IgniteCache<String, Long> feeders() {
        CacheConfiguration<String, Long> cc = new CacheConfiguration<String, Long>(FEEDERS)
                .setCacheMode(CacheMode.REPLICATED)
                .setAtomicityMode(CacheAtomicityMode.ATOMIC)
                .setWriteSynchronizationMode(CacheWriteSynchronizationMode.FULL_SYNC);
        if (dataRegion != null) {
            cc.setDataRegionName(dataRegion);
        }
        return ignite.getOrCreateCache(cc);
    }

    /** The region's journal named {@code epoch} (created if absent), in binary form. */
    IgniteCache<Long, Object> journal(String region, String epoch) {
        CacheConfiguration<Long, Object> cc = new CacheConfiguration<Long, Object>(journalName(region, epoch))
                .setCacheMode(CacheMode.PARTITIONED)
                .setBackups(backups)
                .setAtomicityMode(CacheAtomicityMode.TRANSACTIONAL)
                .setWriteSynchronizationMode(CacheWriteSynchronizationMode.FULL_SYNC)
                .setPartitionLossPolicy(PartitionLossPolicy.READ_WRITE_SAFE);
        if (journalRegion != null) {
            cc.setDataRegionName(journalRegion);
        }
        return ignite.getOrCreateCache(cc).withKeepBinary();
    }

    void destroy(String region, String epoch) {
        ignite.destroyCache(journalName(region, epoch));
    }
}
