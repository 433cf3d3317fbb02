package io.dih.server.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dih.server.testing.Rest;
import io.dih.testing.Await;
import io.dih.testing.FreePorts;
import io.dih.testing.HubCredentials;
import io.fabric8.mockwebserver.DefaultMockServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes find each other through Ignite's Kubernetes IP finder, as they would in the StatefulSet, against a mock
 * Kubernetes API (HTTPS) that serves the headless Service's endpoints. The finder ignores endpoint ports, so the two
 * nodes use two loopback addresses on the same discovery port, like two pods.
 */
class KubernetesDiscoveryIT {
    @TempDir
    Path dir;

    @Test
    void nodesJoinThroughTheServiceEndpoints() throws Exception {
        DefaultMockServer api = new DefaultMockServer(true);
        api.expect().get().withPath("/api/v1/namespaces/dih/endpoints/dih").andReturn(200, """
                {"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "dih", "namespace": "dih"},
                 "subsets": [{"addresses": [{"ip": "127.0.0.1"}, {"ip": "127.0.0.2"}]}]}""").always();
        api.start();
        Path token = Files.writeString(dir.resolve("token"), "test-token");
        String master = api.url("/").replaceAll("/$", "");
        int disco = FreePorts.next();
        HubNode a = null;
        HubNode b = null;
        try {
            a = HubNode.start(new HubConfigLoader(Map.of()).load(node("k8s-0", "127.0.0.1", disco, master, token)));
            b = HubNode.start(new HubConfigLoader(Map.of()).load(node("k8s-1", "127.0.0.2", disco, master, token)));
            HubNode first = a;
            Await.until(Duration.ofSeconds(30), "both nodes are in one cluster",
                    () -> first.ignite().cluster().forServers().nodes().size() == 2);
            assertThat(api.getRequestCount()).as("the finder asked the Kubernetes API").isPositive();

            Rest restA = new Rest(a.baseUrl());
            Rest restB = new Rest(b.baseUrl());
            assertThat(restA.post("/api/v1/dih/cache-regions", "{\"name\": \"pods\"}").status()).isEqualTo(201);
            assertThat(restA.put("/api/v1/dih/cache-regions/pods/entries/p1", "{}").status()).isEqualTo(201);
            assertThat(restB.get("/api/v1/dih/cache-regions/pods/entries/p1").status()).isEqualTo(200);
            assertThat(restB.get("/api/v1/dih/health").json().path("cluster_size").asInt()).isEqualTo(2);
        } finally {
            if (b != null) {
                b.close();
            }
            if (a != null) {
                a.close();
            }
            api.shutdown();
        }
    }

    private ObjectNode node(String name, String ip, int disco, String master, Path token) {
        ObjectNode t = HubConfigLoader.loopbackNode(name, dir.resolve(name), disco, List.of(), FreePorts.next(), FreePorts.next());
        t.putObject("security").put("admin_key", HubCredentials.ADMIN_KEY);
        ((ObjectNode) t.get("discovery")).put("local_address", ip).putObject("kubernetes")
                .put("enabled", true).put("namespace", "dih").put("service_name", "dih")
                .put("master_url", master).put("account_token", token.toString()).put("include_not_ready_addresses", true);
        ((ObjectNode) t.get("communication")).put("local_address", ip);
        return t;
    }
}
