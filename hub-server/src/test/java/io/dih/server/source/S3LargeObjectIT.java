package io.dih.server.source;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dih.server.testing.HubProcess;
import io.dih.server.testing.Rest;
import io.dih.testing.Await;
import io.dih.testing.FreePorts;
import io.dih.testing.TestingS3Server;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 200 MB CSV object loads into a hub node whose heap is 256 MB: objects are streamed, never held whole (the rows
 * themselves live off-heap in the region).
 */
class S3LargeObjectIT {
    static final int ROWS = 500_000;

    @TempDir
    Path work;

    @Test
    void a200MegabyteCsvLoadsWithA256MegabyteHeap() throws Exception {
        TestingS3Server s3 = TestingS3Server.shared();
        s3.createBucket("big");
        Path csv = work.resolve("big.csv");
        String pad = "x".repeat(400);
        try (BufferedWriter w = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
            w.write("id,name,amount,note\n");
            for (int i = 1; i <= ROWS; i++) {
                w.write(i + ",name-" + i + "," + (i % 1000) + ".25," + pad + "\n");
            }
        }
        assertThat(Files.size(csv)).isGreaterThan(200L * 1024 * 1024);
        s3.upload("big", "dump/big.csv", csv);
        Files.delete(csv);

        int disco = FreePorts.next();
        Path dir = Files.createDirectories(work.resolve("node"));
        Path cfg = Files.writeString(dir.resolve("hub.yaml"), "node: {name: big-0, work_dir: " + dir.resolve("ignite") + "}\n");
        Map<String, String> env = Map.of("DIH_DISCOVERY_PORT", Integer.toString(disco), "DIH_DISCOVERY_PORT_RANGE", "0",
                "DIH_DISCOVERY_ADDRESSES", "127.0.0.1:" + disco, "DIH_COMMUNICATION_PORT", Integer.toString(FreePorts.next()),
                "DIH_COMMUNICATION_PORT_RANGE", "0", "DIH_STORAGE_DATA_REGION_MAX_MB", "1024");
        try (HubProcess hub = HubProcess.start(dir, env, List.of("--config", cfg.toString()), 256)) {
            Rest rest = new Rest(hub.baseUrl());
            assertThat(rest.post("/api/v1/dih/cache-regions", "{\"name\": \"big\", \"backups\": 0, \"fields\": {\"id\": \"BIGINT\"}}").status())
                    .isEqualTo(201);
            Rest.Response r = rest.post("/api/v1/dih/data-sources", "{\"source_name\": \"big_lake\", \"source_type\": \"s3\", \"connection_params\": "
                    + "{\"endpoint\": \"" + s3.endpoint() + "\", \"access_key\": \"" + s3.accessKey() + "\", \"secret_key\": \"" + s3.secretKey()
                    + "\"}, \"target_regions\": [\"big\"], \"bindings\": {\"big\": {\"bucket\": \"big\", \"prefix\": \"dump/\", \"key_columns\": [\"id\"]}}}");
            assertThat(r.status()).as(r.toString()).isEqualTo(201);
            JsonNode[] load = new JsonNode[1];
            Await.until(Duration.ofMinutes(5), "the 200 MB object is loaded", () -> {
                load[0] = rest.get("/api/v1/dih/data-sources/big_lake/status").json().path("regions").path("big");
                if ("FAILED".equals(load[0].path("state").asText())) {
                    throw new AssertionError("load failed: " + load[0] + "\n" + hub.logTail());
                }
                return "IDLE".equals(load[0].path("state").asText()) && load[0].has("last_loaded_at");
            });
            assertThat(load[0].path("rows_loaded").asLong()).as(load[0].toString()).isEqualTo(ROWS);
            assertThat(load[0].path("objects").path("bytes_read").asLong()).isGreaterThan(200L * 1024 * 1024);
            JsonNode last = rest.get("/api/v1/dih/cache-regions/big/entries/" + ROWS).json();
            assertThat(last.path("name").asText()).isEqualTo("name-" + ROWS);
            assertThat(last.path("note").asText()).hasSize(400);
            assertThat(hub.logTail()).doesNotContain("OutOfMemoryError");
        }
    }
}
