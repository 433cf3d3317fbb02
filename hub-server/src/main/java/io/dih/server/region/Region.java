package io.dih.server.region;

import static java.util.Objects.requireNonNull;

import io.dih.api.RegionSpec;
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

    public String valueType() {
        return record.valueType();
    }

    public String keyType() {
        return record.keyType();
    }
}
