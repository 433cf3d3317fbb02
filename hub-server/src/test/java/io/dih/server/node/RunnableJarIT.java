package io.dih.server.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dih.server.testing.HubProcess;
import io.dih.server.testing.Rest;
import io.dih.testing.Await;
import io.dih.testing.FreePorts;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's run command: {@code java -jar hub-server.jar} starts the demo hub with a short banner and then stays
 * quiet (its own loads and CDC included); SIGTERM stops it cleanly, with no warning or error on the way out. The
 * tour itself is {@link ReadmeTourIT}.
 */
class RunnableJarIT {
    @TempDir
    Path work;

    @Test
    void plainJavaJarStartsTheDemoQuietlyAndStopsCleanlyOnSigterm() throws Exception {
        int disco = FreePorts.next();
        Map<String, String> env = Map.of(
                "DIH_DISCOVERY_PORT", Integer.toString(disco), "DIH_DISCOVERY_PORT_RANGE", "0",
                "DIH_DISCOVERY_ADDRESSES", "127.0.0.1:" + disco,
                "DIH_COMMUNICATION_PORT", Integer.toString(FreePorts.next()), "DIH_COMMUNICATION_PORT_RANGE", "0");
        Path log = work.resolve("node.log");
        try (HubProcess hub = HubProcess.start(work, env, List.of())) {
            Rest rest = new Rest(hub.baseUrl());
            Await.until(Duration.ofSeconds(30), "the banner ends with 'Ready in'", () -> read(log).contains("Ready in"));
            JsonNode regions = rest.get("/api/v1/dih/cache-regions").json().path("regions");
            List<String> names = new ArrayList<>();
            regions.forEach(r -> names.add(r.path("name").asText()));
            assertThat(names).containsExactlyInAnyOrder("user_sessions", "account_balances", "asset_metadata", "ml_features_online",
                    "realtime_metrics", "customers", "orders", "order_notes");
            assertThat(rest.get("/api/v1/dih/cache-regions/customers").json().path("cache_mode").asText())
                    .as("the tour joins orders with customers: complete on any cluster size only when customers is REPLICATED")
                    .isEqualTo("REPLICATED");

            List<String> console = Files.readAllLines(log);
            int ready = indexOf(console, "Ready in");
            assertThat(ready).as("lines before the ready line:%n%s", String.join("\n", console)).isLessThan(40);
            String banner = String.join("\n", console.subList(0, ready + 1));
            assertThat(banner).contains("Digital Integration Hub", hub.baseUrl() + "/api/v1/dih", "jdbc:ignite:thin://127.0.0.1:" + hub.thinClientPort(),
                    "Demo PostgreSQL is up on 127.0.0.1:", "psql -h 127.0.0.1 -p ", "(8)", "demo_orders");
            int pgPort = Integer.parseInt(Pattern.compile("Demo PostgreSQL is up on 127.0.0.1:(\\d+)").matcher(banner).results().findFirst().orElseThrow().group(1));

            // after ready: the CDC snapshot, the first load and a periodic reload (every 30 s) all run without a word
            String[] firstLoad = new String[1];
            Await.until(Duration.ofSeconds(60), "CDC streams, 5000 orders and 1000 customers are in", () -> {
                JsonNode customers = rest.get("/api/v1/dih/data-sources/demo_postgres/status").json().path("regions").path("customers");
                firstLoad[0] = customers.path("last_loaded_at").asText(null);
                return "STREAMING".equals(rest.get("/api/v1/dih/data-sources/demo_orders/status").json().path("cdc").path("state").asText())
                        && rest.get("/api/v1/dih/cache-regions/orders/stats").json().path("total").path("size").asLong() == 5000
                        && firstLoad[0] != null;
            });
            Await.until(Duration.ofSeconds(60), "the demo reloads customers 30 s after their first load", () -> {
                String last = rest.get("/api/v1/dih/data-sources/demo_postgres/status").json().path("regions").path("customers")
                        .path("last_loaded_at").asText(null);
                return last != null && !last.equals(firstLoad[0]);
            });
            List<String> after = Files.readAllLines(log);
            assertThat(after.subList(ready + 1, after.size())).as("what the idle demo printed after its banner").isEmpty();

            int exit = hub.terminate(Duration.ofSeconds(60));
            assertThat(exit).as(hub.logTail()).isIn(0, 143);
            List<String> all = Files.readAllLines(log);
            List<String> stop = all.subList(indexOf(all, "Stopping hub node"), all.size());
            assertThat(stop).as("what a clean stop printed").noneMatch(l -> l.contains(" WARN ") || l.contains(" ERROR ") || l.contains("Exception"));
            assertThat(stop.get(stop.size() - 1)).isEqualTo("Stopped.");
            try (Socket s = new Socket("127.0.0.1", pgPort)) {
                throw new AssertionError("the demo PostgreSQL still listens on " + pgPort + " after the hub stopped");
            } catch (IOException expected) {
                // gone with the hub
            }
        }
    }

    @Test
    void aPortInUseIsOneClearLineNotAHalfStart() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                    HubProcess.jar().toAbsolutePath().toString(), "--no-demo-postgres").redirectErrorStream(true);
            pb.environment().keySet().removeIf(k -> k.startsWith("DIH_"));
            pb.environment().put("DIH_GATEWAY_HOST", "127.0.0.1");
            pb.environment().put("DIH_GATEWAY_PORT", Integer.toString(taken.getLocalPort()));
            Process p = pb.start();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the hub gives up at once").isTrue();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.exitValue()).as(out).isEqualTo(2);
            assertThat(out.strip()).isEqualTo("Cannot start: port " + taken.getLocalPort() + " on 127.0.0.1 (REST gateway: gateway.port, "
                    + "DIH_GATEWAY_PORT) is in use. Is another hub running? Stop it, or choose another port.");
        }
    }

    @Test
    void aStopWhileTheDemoStartsStillStopsItsPostgres() throws Exception {
        int pgPort = FreePorts.next();
        int disco = FreePorts.next();
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                HubProcess.jar().toAbsolutePath().toString()).redirectErrorStream(true).redirectOutput(work.resolve("starting.log").toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("DIH_"));
        pb.environment().putAll(Map.of("DIH_DEMO_POSTGRES_PORT", Integer.toString(pgPort),
                "DIH_GATEWAY_HOST", "127.0.0.1", "DIH_GATEWAY_PORT", Integer.toString(FreePorts.next()),
                "DIH_THIN_CLIENT_HOST", "127.0.0.1", "DIH_THIN_CLIENT_PORT", Integer.toString(FreePorts.next()),
                "DIH_DISCOVERY_PORT", Integer.toString(disco), "DIH_DISCOVERY_PORT_RANGE", "0", "DIH_DISCOVERY_ADDRESSES", "127.0.0.1:" + disco,
                "DIH_COMMUNICATION_PORT", Integer.toString(FreePorts.next()), "DIH_COMMUNICATION_PORT_RANGE", "0"));
        Process p = pb.start();
        try {
            Await.until(Duration.ofSeconds(90), "the demo PostgreSQL listens on " + pgPort, () -> listens(pgPort) || !p.isAlive());
            assertThat(p.isAlive()).as(read(work.resolve("starting.log"))).isTrue();
            p.destroy(); // SIGTERM while the node is still starting
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the hub stops").isTrue();
            Await.until(Duration.ofSeconds(30), "the demo PostgreSQL stops with the hub", () -> !listens(pgPort));
        } finally {
            p.destroyForcibly();
        }
    }

    private static boolean listens(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static int indexOf(List<String> lines, String text) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(text)) {
                return i;
            }
        }
        throw new AssertionError("no line with '" + text + "' in:\n" + String.join("\n", lines));
    }
}
