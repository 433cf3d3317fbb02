package io.dih.server.sync;

import org.apache.ignite.Ignite;
import org.apache.ignite.cache.CacheInterceptorAdapter;
import org.apache.ignite.resources.IgniteInstanceResource;

/**
 * The cache interceptor of a REFRESH_AHEAD region: tells this node's {@link RefreshAhead} which keys are read. It only
 * notes the read (no cache calls, nothing that blocks) and never changes what the read returns.
 */
public final class RefreshAheadInterceptor extends CacheInterceptorAdapter<Object, Object> {
    private static final long serialVersionUID = 1L;
    private final String region;

    @IgniteInstanceResource
    private transient Ignite ignite;

    public RefreshAheadInterceptor(String region) {
        this.region = region;
    }

    @Override
    public Object onGet(Object key, Object val) {
        try {
            SyncEngine e = SyncEngine.of(ignite);
            if (e != null) {
                e.refreshAhead().onRead(region, key, val != null);
            }
        } catch (RuntimeException ignored) {
            // a read must never fail because refresh-ahead could not note it
        }
        return val;
    }
}
