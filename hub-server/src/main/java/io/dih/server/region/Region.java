package io.dih.server.region;

import static java.util.Objects.requireNonNull;

import io.dih.api.RegionSpec;
import io.dih.api.SqlType;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.ignite.IgniteCache;

/** A live region on this node: its registered record and its cache (in keep-binary mode). */
public record Region(RegionRecord record, IgniteCache<Object, Object> cache) {
    public Region {
        requireNonNull(record, "record is null");
        requireNonNull(cache, "cache is null");
    }

    public RegionSpec spec() {
        return record.spec();
    }

    public String name() {
        return record.spec().name();
    }

    /** Every column of the region's table, key columns first. */
    public Map<String, SqlType> columns() {
        return record.columns();
    }

    /** The columns that live in the value (all but the key columns). */
    public Map<String, SqlType> valueColumns() {
        Map<String, SqlType> out = new LinkedHashMap<>(record.columns());
        record.spec().keyFields().forEach(out::remove);
        return out;
    }

    public String valueType() {
        return record.valueType();
    }

    public String keyType() {
        return record.keyType();
    }
}
