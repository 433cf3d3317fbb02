package io.dih.server.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dih.server.testing.HubProcess;
import io.dih.server.testing.Rest;
import io.dih.testing.FreePorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's run command: {@code java -jar hub-server.jar} starts the demo hub; SIGTERM stops it cleanly. */
class RunnableJarIT {
    @TempDir
    Path work;

    @Test
    void plainJavaJarStartsTheDemoAndStopsOnSigterm() throws Exception {
        int disco = FreePorts.next();
        Map<String, String> env = Map.of(
                "DIH_DISCOVERY_PORT", Integer.toString(disco), "DIH_DISCOVERY_PORT_RANGE", "0",
                "DIH_DISCOVERY_ADDRESSES", "127.0.0.1:" + disco,
                "DIH_COMMUNICATION_PORT", Integer.toString(FreePorts.next()), "DIH_COMMUNICATION_PORT_RANGE", "0");
        try (HubProcess hub = HubProcess.start(work, env, List.of())) {
            Rest rest = new Rest(hub.baseUrl());
            JsonNode regions = rest.get("/api/v1/dih/cache-regions").json().path("regions");
            List<String> names = new ArrayList<>();
            regions.forEach(r -> names.add(r.path("name").asText()));
            assertThat(names).contains("user_sessions", "account_balances", "asset_metadata", "ml_features_online", "realtime_metrics");
            assertThat(rest.get("/api/v1/dih/cache-regions/user_sessions/entries/abc123").json().path("tenant_id").asText()).isEqualTo("acme");
            assertThat(rest.get("/api/v1/dih/cache-regions/account_balances/entries/account_123").json().path("balance").decimalValue())
                    .isEqualByComparingTo("1500.00");

            try (Connection c = DriverManager.getConnection("jdbc:ignite:thin://127.0.0.1:" + hub.thinClientPort());
                 PreparedStatement ps = c.prepareStatement("SELECT * FROM asset_metadata WHERE asset_type = ? AND created_at > ?")) {
                ps.setString(1, "model");
                ps.setString(2, "2024-01-01");
                int rows = 0;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows++;
                    }
                }
                assertThat(rows).isEqualTo(2);
            }

            int exit = hub.terminate(Duration.ofSeconds(60));
            assertThat(exit).as(hub.logTail()).isIn(0, 143);
            assertThat(Files.readString(work.resolve("node.log"))).contains("Stopping hub node").doesNotContain("Exception in thread");
        }
    }
}
