package io.dih.server.node;

import static org.assertj.core.api.Assertions.assertThat;

import javax.cache.CacheException;
import org.apache.ignite.internal.mem.IgniteOutOfMemoryException;
import org.junit.jupiter.api.Test;

class HubFailureHandlerTest {
    @Test
    void recognisesAFullDataRegionAnywhereInTheCauseChain() {
        assertThat(HubFailureHandler.isOutOfMemory(new CacheException("put failed", new IllegalStateException(new IgniteOutOfMemoryException("full"))))).isTrue();
        assertThat(HubFailureHandler.isOutOfMemory(new IllegalStateException("other"))).isFalse();
        assertThat(HubFailureHandler.isOutOfMemory(null)).isFalse();
    }
}
