package io.dih.server.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dih.server.testing.Rest;
import io.dih.server.testing.TestingHubCluster;
import org.junit.jupiter.api.Test;

/**
 * A region that fills its node's memory never takes the node down (Ignite's default failure handler halts the JVM
 * on a full data region): pages are evicted and writes go on.
 */
class MemoryIT {
    static final String REGIONS = "/api/v1/dih/cache-regions";
    static final int BATCHES = 200;

    static String batch(int b) {
        String payload = "x".repeat(1_000);
        StringBuilder body = new StringBuilder("{\"entries\": {");
        for (int i = 0; i < 1000; i++) {
            body.append(i == 0 ? "" : ",").append("\"k").append(b).append('_').append(i).append("\": {\"payload\": \"").append(payload).append("\"}");
        }
        return body.append("}}").toString();
    }

    static TestingHubCluster smallNode(String eviction) {
        return TestingHubCluster.start(1, t -> ((ObjectNode) t.get("storage"))
                .put("data_region_initial_mb", 64).put("data_region_max_mb", 64).put("page_eviction", eviction));
    }

    @Test
    void randomLruEvictionWorksToo() {
        try (TestingHubCluster cluster = smallNode("RANDOM_LRU")) {
            Rest rest = new Rest(cluster.node(0).baseUrl());
            assertThat(rest.post(REGIONS, "{\"name\": \"blobs\", \"atomicity_mode\": \"ATOMIC\", \"fields\": {\"id\": \"VARCHAR\", \"payload\": \"VARCHAR\"}}").status()).isEqualTo(201);
            for (int b = 0; b < BATCHES; b++) {
                Rest.Response r = rest.put(REGIONS + "/blobs/entries", batch(b));
                assertThat(r.status()).as("batch %d: %s", b, r).isEqualTo(200);
            }
            assertThat(rest.get("/api/v1/dih/health").json().path("status").asText()).isEqualTo("ready");
        }
    }

    @Test
    void fullRegionEvictsAndTheNodeKeepsServing() {
        try (TestingHubCluster cluster = smallNode("RANDOM_2_LRU")) {
            Rest rest = new Rest(cluster.node(0).baseUrl());
            assertThat(rest.post(REGIONS, "{\"name\": \"blobs\", \"fields\": {\"id\": \"VARCHAR\", \"payload\": \"VARCHAR\"}}").status()).isEqualTo(201);
            for (int b = 0; b < BATCHES; b++) { // 200 x 1000 x 1 KB = 200 MB into a 64 MB region
                Rest.Response r = rest.put(REGIONS + "/blobs/entries", batch(b));
                assertThat(r.status()).as("batch %d: %s", b, r).isEqualTo(200);
            }
            assertThat(rest.get("/api/v1/dih/health").json().path("status").asText()).isEqualTo("ready");
            JsonNode total = rest.get(REGIONS + "/blobs/stats").json().path("total");
            assertThat(total.path("size").asLong()).isLessThan(BATCHES * 1000L).isPositive();
            assertThat(rest.put(REGIONS + "/blobs/entries/last", "{\"payload\": \"still writable\"}").status()).isEqualTo(201);
            assertThat(rest.get(REGIONS + "/blobs/entries/last").json().path("payload").asText()).isEqualTo("still writable");
        }
    }
}
