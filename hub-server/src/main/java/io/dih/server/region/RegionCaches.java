package io.dih.server.region;

import io.dih.api.AtomicityMode;
import io.dih.api.CacheMode;
import io.dih.api.CacheStrategy;
import io.dih.api.IndexSpec;
import io.dih.api.RegionSpec;
import io.dih.api.SqlType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.apache.ignite.cache.CacheAtomicityMode;
import org.apache.ignite.cache.CacheKeyConfiguration;
import org.apache.ignite.cache.CacheWriteSynchronizationMode;
import org.apache.ignite.cache.PartitionLossPolicy;
import org.apache.ignite.cache.QueryEntity;
import org.apache.ignite.cache.QueryIndex;
import org.apache.ignite.cache.QueryIndexType;
import org.apache.ignite.configuration.CacheConfiguration;

/** How a normalized {@link RegionSpec} becomes an Ignite cache that is also an SQL table of the same name. */
public final class RegionCaches {
    /** Every region's table lives in the default schema, so {@code SELECT * FROM user_sessions} just works. */
    public static final String SQL_SCHEMA = "PUBLIC";

    private RegionCaches() {
    }

    public static CacheConfiguration<Object, Object> configuration(RegionRecord record) {
        RegionSpec spec = record.spec();
        CacheConfiguration<Object, Object> cc = new CacheConfiguration<>(spec.name());
        cc.setCacheMode(spec.cacheMode() == CacheMode.REPLICATED
                ? org.apache.ignite.cache.CacheMode.REPLICATED : org.apache.ignite.cache.CacheMode.PARTITIONED);
        cc.setBackups(spec.cacheMode() == CacheMode.REPLICATED ? 0 : spec.backups());
        cc.setAtomicityMode(spec.atomicityMode() == AtomicityMode.ATOMIC
                ? CacheAtomicityMode.ATOMIC : CacheAtomicityMode.TRANSACTIONAL);
        cc.setWriteSynchronizationMode(CacheWriteSynchronizationMode.FULL_SYNC);
        cc.setPartitionLossPolicy(PartitionLossPolicy.READ_WRITE_SAFE);
        cc.setStatisticsEnabled(true);
        cc.setSqlSchema(SQL_SCHEMA);
        cc.setQueryEntities(List.of(queryEntity(record)));
        // a composite key's affinity field decides its partition: the field's value is hashed as a plain key is, so the
        // key (id, customer_id = 7) lands in the partition of the plain key 7 of a region keyed by customer id alone
        if (spec.affinityKey() != null && !spec.simpleKey()) {
            cc.setKeyConfiguration(new CacheKeyConfiguration(record.keyType(), spec.affinityKey()));
        }
        // Read-through for every strategy. Write-through for WRITE_THROUGH, and for WRITE_BEHIND too: the hub's own
        // write paths skip the store and queue the write durably (the sync package), so the store only sees writes
        // that bypass the hub (thin client, SQL DML), which then reach the source synchronously instead of never.
        if (spec.cacheStrategy() != CacheStrategy.NONE) {
            cc.setCacheStoreFactory(new HubCacheStore.StoreFactory(spec.name()));
            cc.setStoreKeepBinary(true);
            cc.setReadThrough(true);
            cc.setWriteThrough(spec.cacheStrategy() == CacheStrategy.WRITE_THROUGH || spec.cacheStrategy() == CacheStrategy.WRITE_BEHIND);
        }
        if (spec.cacheStrategy() == CacheStrategy.REFRESH_AHEAD) {
            cc.setInterceptor(new ReadInterceptor(spec.name()));
        }
        if (spec.expiryPolicy() != null) {
            cc.setExpiryPolicyFactory(RegionExpiryFactory.of(spec.expiryPolicy()));
            cc.setEagerTtl(true);
        }
        return cc;
    }

    static QueryEntity queryEntity(RegionRecord record) {
        RegionSpec spec = record.spec();
        QueryEntity qe = new QueryEntity();
        qe.setTableName(spec.name());
        qe.setValueType(record.valueType());
        LinkedHashMap<String, String> fields = new LinkedHashMap<>();
        for (Map.Entry<String, SqlType> f : spec.fields().entrySet()) {
            fields.put(f.getKey(), f.getValue().javaType());
        }
        qe.setFields(fields);
        if (spec.simpleKey()) {
            String key = spec.keyFields().get(0);
            qe.setKeyType(spec.fields().get(key).javaType());
            qe.setKeyFieldName(key);
        } else {
            qe.setKeyType(record.keyType());
            qe.setKeyFields(new LinkedHashSet<>(spec.keyFields()));
        }
        List<QueryIndex> idx = new ArrayList<>();
        for (IndexSpec i : spec.indexes()) {
            QueryIndex qi = new QueryIndex(i.field(), QueryIndexType.SORTED);
            qi.setName(spec.name().toLowerCase() + "_" + i.field().toLowerCase() + "_idx");
            idx.add(qi);
        }
        qe.setIndexes(idx);
        return qe;
    }
}
