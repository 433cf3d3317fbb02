package io.dih.server.region;

import static java.util.Objects.requireNonNull;

import io.dih.api.RegionSpec;
import io.dih.api.SqlType;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.ignite.IgniteCache;

/**
 * A live region on this node: its registered record and its cache (in keep-binary mode). Its column maps are worked
 * out once (a region that changes is a new Region), since every row of a load or stream asks for them.
 */
public final class Region {
    private final RegionRecord record;
    private final IgniteCache<Object, Object> cache;
    private final Map<String, SqlType> columns;
    private final Map<String, SqlType> valueColumns;

    public Region(RegionRecord record, IgniteCache<Object, Object> cache) {
        this.record = requireNonNull(record, "record is null");
        this.cache = requireNonNull(cache, "cache is null");
        this.columns = Collections.unmodifiableMap(new LinkedHashMap<>(record.columns()));
        Map<String, SqlType> values = new LinkedHashMap<>(columns);
        record.spec().keyFields().forEach(values::remove);
        this.valueColumns = Collections.unmodifiableMap(values);
    }

    public RegionRecord record() {
        return record;
    }

    public IgniteCache<Object, Object> cache() {
        return cache;
    }

    public RegionSpec spec() {
        return record.spec();
    }

    public String name() {
        return record.spec().name();
    }

    /** Every column of the region's table, key columns first. */
    public Map<String, SqlType> columns() {
        return columns;
    }

    /** The columns that live in the value (all but the key columns). */
    public Map<String, SqlType> valueColumns() {
        return valueColumns;
    }

    public String valueType() {
        return record.valueType();
    }

    public String keyType() {
        return record.keyType();
    }

    @Override
    public String toString() {
        return "Region[" + name() + "]";
    }
}
