package io.dih.api;

import static java.util.Objects.requireNonNull;

/**
 * What a region gets for the settings its spec leaves out. The node fills these from hub.yaml and the
 * {@code DIH_DEFAULT_*} environment variables.
 *
 * @param evictionMaxSize default bound on entries per region, or {@code null} for none
 */
public record RegionDefaults(
        CacheMode cacheMode,
        int backups,
        AtomicityMode atomicityMode,
        CacheStrategy cacheStrategy,
        Long evictionMaxSize) {

    public static final RegionDefaults STANDARD =
            new RegionDefaults(CacheMode.PARTITIONED, 1, AtomicityMode.TRANSACTIONAL, CacheStrategy.NONE, null);

    public RegionDefaults {
        requireNonNull(cacheMode, "cacheMode is null");
        requireNonNull(atomicityMode, "atomicityMode is null");
        requireNonNull(cacheStrategy, "cacheStrategy is null");
        if (backups < 0) {
            throw new IllegalArgumentException("backups must be >= 0");
        }
        if (evictionMaxSize != null && evictionMaxSize <= 0) {
            throw new IllegalArgumentException("evictionMaxSize must be positive");
        }
    }
}
