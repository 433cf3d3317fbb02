package io.dih.server.node;

import io.dih.api.BindingSpec;
import io.dih.api.CacheMode;
import io.dih.api.CacheStrategy;
import io.dih.api.ConsistencyLevel;
import io.dih.api.RegionSpec;
import io.dih.api.SourceSpec;
import io.dih.api.SqlType;
import io.dih.api.SyncMode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The demo's regions behind its PostgreSQL: customers (write-through, reloaded), orders (streamed by CDC: every change
 * made in the database shows within a second) and order_notes (written behind).
 */
final class DemoSources {
    private DemoSources() {
    }

    static void register(HubNode node, int port) {
        // REPLICATED: a copy on every node, so the tour's orders ⋈ customers join is right on any cluster size
        node.regions().create(new RegionSpec("customers", CacheMode.REPLICATED, null, null, CacheStrategy.WRITE_THROUGH, null, null, null,
                List.of("id"), Map.of("id", SqlType.BIGINT)));
        node.regions().create(new RegionSpec("orders", null, null, null, CacheStrategy.READ_THROUGH, null, null, null,
                List.of("order_id"), Map.of("order_id", SqlType.BIGINT)));
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("host", "127.0.0.1");
        params.put("port", port);
        params.put("database", "postgres");
        params.put("user", "postgres");
        node.sources().register(new SourceSpec("demo_postgres", "postgresql", params, List.of("customers"), 30L,
                ConsistencyLevel.STRONG, null, null, null, null));
        node.sources().register(new SourceSpec("demo_orders", "postgresql", params, List.of("orders"), null,
                ConsistencyLevel.EVENTUAL, SyncMode.CDC, null, null, null));
        node.regions().create(new RegionSpec("order_notes", null, null, null, CacheStrategy.WRITE_BEHIND, null, null, null,
                List.of("id"), Map.of("id", SqlType.BIGINT)));
        node.sources().register(new SourceSpec("demo_notes", "postgresql", params, List.of("order_notes"), null,
                ConsistencyLevel.EVENTUAL, SyncMode.NONE, null, null, null));
    }
}
