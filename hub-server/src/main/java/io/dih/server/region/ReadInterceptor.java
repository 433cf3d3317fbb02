package io.dih.server.region;

import org.apache.ignite.Ignite;
import org.apache.ignite.cache.CacheInterceptorAdapter;
import org.apache.ignite.resources.IgniteInstanceResource;

/**
 * The cache interceptor of a REFRESH_AHEAD region: tells this node's {@link RegionStore} which keys are read (refresh-
 * ahead keeps them fresh). It only notes the read (no cache calls, nothing that blocks) and never changes what the
 * read returns.
 */
public final class ReadInterceptor extends CacheInterceptorAdapter<Object, Object> {
    private static final long serialVersionUID = 1L;
    private final String region;

    @IgniteInstanceResource
    private transient Ignite ignite;

    ReadInterceptor(String region) {
        this.region = region;
    }

    @Override
    public Object onGet(Object key, Object val) {
        try {
            Object s = ignite == null ? null : ignite.cluster().nodeLocalMap().get(RegionStore.NODE_LOCAL_KEY);
            if (s instanceof RegionStore store) {
                store.onRead(region, key, val != null);
            }
        } catch (RuntimeException ignored) {
            // a read must never fail because refresh-ahead could not note it
        }
        return val;
    }
}
