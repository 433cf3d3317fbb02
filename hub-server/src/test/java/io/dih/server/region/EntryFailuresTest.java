package io.dih.server.region;

import static org.assertj.core.api.Assertions.assertThat;

import io.dih.spi.UnavailableException;
import java.lang.reflect.Proxy;
import javax.cache.CacheException;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.transactions.TransactionRollbackException;
import org.junit.jupiter.api.Test;

/** How Ignite's failures of a write are told: a write the cluster rolled back is a 503 to retry, never a 500. */
class EntryFailuresTest {
    @SuppressWarnings("unchecked")
    private static final Region REGION = new Region(RegionService.read("{\"spec\": {\"name\": \"accounts\", \"fields\": {\"id\": \"BIGINT\"}, "
            + "\"key_fields\": [\"id\"]}, \"value_type\": \"V\", \"key_type\": \"K\", \"created_at\": \"2026-01-01T00:00:00Z\"}"),
            (IgniteCache<Object, Object>) Proxy.newProxyInstance(EntryFailuresTest.class.getClassLoader(), new Class<?>[] {IgniteCache.class},
                    (proxy, method, args) -> {
                        throw new UnsupportedOperationException(method.getName());
                    }));

    @Test
    void aWriteTheClusterRolledBackIsUnavailableNotAnInternalError() {
        // as TransactionBankKillIT saw it once: a node left while a transaction prepared, Ignite rolled it back
        RuntimeException e = new TransactionRollbackException("Failed to finish transaction because it has been rolled back [state=PREPARING]");
        assertThat(EntryService.translate(REGION, e)).isInstanceOf(UnavailableException.class)
                .hasMessageContaining("accounts").hasMessageContaining("nothing was stored, try again");
        assertThat(EntryService.translate(REGION, new CacheException(e))).isInstanceOf(UnavailableException.class);
    }

    @Test
    void aFailureItDoesNotKnowIsLeftAsItIs() {
        RuntimeException e = new CacheException("something else");
        assertThat(EntryService.translate(REGION, e)).isSameAs(e);
    }
}
