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

            // the demo's own PostgreSQL behind customers (write-through, loads) and orders (CDC)
            JsonNode status = null;
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (System.nanoTime() < deadline) {
                status = rest.get("/api/v1/dih/data-sources/demo_postgres/status").json();
                String orders = rest.get("/api/v1/dih/data-sources/demo_orders/status").json().path("cdc").path("state").asText();
                if ("STREAMING".equals(orders) && rest.get("/api/v1/dih/cache-regions/orders/stats").json().path("total").path("size").asLong() == 5000
                        && rest.get("/api/v1/dih/cache-regions/customers/stats").json().path("total").path("size").asLong() == 1000) {
                    break;
                }
                Thread.sleep(200);
            }
            assertThat(rest.get("/api/v1/dih/cache-regions/orders/stats").json().path("total").path("size").asLong()).as(status.toString()).isEqualTo(5000);
            assertThat(status.path("regions").path("customers").has("last_loaded_at")).isTrue();
            assertThat(rest.get("/api/v1/dih/cache-regions/customers/entries/10").json().path("tier").asText()).isEqualTo("gold");
            assertThat(rest.put("/api/v1/dih/cache-regions/customers/entries/10",
                    "{\"name\": \"Dana\", \"email\": \"dana@example.com\", \"tier\": \"gold\", \"balance\": 12.5}").status()).isEqualTo(200);
            assertThat(rest.put("/api/v1/dih/cache-regions/customers/entries/11", "{\"name\": \"Neg\", \"tier\": \"basic\", \"balance\": -1}").status())
                    .as("the database's CHECK constraint").isEqualTo(422);
            int pgPort = Integer.parseInt(java.util.regex.Pattern.compile("Demo PostgreSQL is up on 127.0.0.1:(\\d+)")
                    .matcher(Files.readString(work.resolve("node.log"))).results().findFirst().orElseThrow().group(1));

            // the README tour, as written there: an UPDATE in the database (through the jar's own sql command, so no psql
            // is needed) shows in the orders region (CDC), over REST and in SQL
            Process update = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                    HubProcess.jar().toAbsolutePath().toString(), "sql", "--url", "jdbc:postgresql://127.0.0.1:" + pgPort + "/postgres?user=postgres",
                    "UPDATE orders SET status = 'CANCELLED' WHERE order_id = 42").redirectErrorStream(true).start();
            String updateOutput = new String(update.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(update.waitFor()).as(updateOutput).isZero();
            assertThat(updateOutput).contains("1 row(s) changed");
            long until = System.nanoTime() + 30_000_000_000L;
            while (System.nanoTime() < until && !"CANCELLED".equals(rest.get("/api/v1/dih/cache-regions/orders/entries/42").json().path("status").asText())) {
                Thread.sleep(100);
            }
            assertThat(rest.get("/api/v1/dih/cache-regions/orders/entries/42").json().path("status").asText()).isEqualTo("CANCELLED");
            try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:ignite:thin://127.0.0.1:" + hub.thinClientPort());
                 java.sql.ResultSet rs = c.createStatement().executeQuery("SELECT order_id FROM orders WHERE status = 'CANCELLED'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getLong(1)).isEqualTo(42);
            }

            int exit = hub.terminate(Duration.ofSeconds(60));
            assertThat(exit).as(hub.logTail()).isIn(0, 143);
            assertThat(Files.readString(work.resolve("node.log"))).contains("Stopping hub node").doesNotContain("Exception in thread");
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", pgPort)) {
                throw new AssertionError("the demo PostgreSQL still listens on " + pgPort + " after the hub stopped");
            } catch (java.io.IOException expected) {
                // gone with the hub
            }
        }
    }
}
