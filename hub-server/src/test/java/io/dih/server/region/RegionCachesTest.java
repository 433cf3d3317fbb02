package io.dih.server.region;

import static org.assertj.core.api.Assertions.assertThat;

import io.dih.api.RegionDefaults;
import io.dih.api.RegionSpec;
import io.dih.api.SqlType;
import java.util.List;
import java.util.Map;
import org.apache.ignite.cache.CacheKeyConfiguration;
import org.apache.ignite.configuration.CacheConfiguration;
import org.junit.jupiter.api.Test;

class RegionCachesTest {
    private static CacheConfiguration<Object, Object> configuration(List<String> key, String affinityKey) {
        RegionSpec spec = new RegionSpec("orders", null, null, null, null, null, null, null, key,
                Map.of("id", SqlType.BIGINT, "customer_id", SqlType.BIGINT), null, affinityKey).normalize(RegionDefaults.STANDARD);
        return RegionCaches.configuration(new RegionRecord(spec, "dih_orders_1_value", "dih_orders_1_key", "2026-01-01T00:00:00Z"));
    }

    @Test
    void aCompositeKeyIsPlacedByItsAffinityField() {
        CacheKeyConfiguration[] keys = configuration(List.of("id", "customer_id"), "customer_id").getKeyConfiguration();
        assertThat(keys).hasSize(1);
        assertThat(keys[0].getTypeName()).isEqualTo("dih_orders_1_key");
        assertThat(keys[0].getAffinityKeyFieldName()).isEqualTo("customer_id");
    }

    @Test
    void withoutAnAffinityKeyOrWithAPlainKeyTheWholeKeyDecides() {
        assertThat(configuration(List.of("id", "customer_id"), null).getKeyConfiguration()).isNullOrEmpty();
        assertThat(configuration(List.of("id"), "id").getKeyConfiguration()).isNullOrEmpty();
    }
}
