package io.dih.server.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dih.server.testing.Rest;
import io.dih.server.testing.TestingHubCluster;
import io.dih.server.testing.WsClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The manifests in {@code k8s/} as {@code kubectl kustomize} renders them (dev and prod overlays, the monitoring
 * dashboard), cross-checked against each other and against a real hub node: Services reach the container ports,
 * selectors select the pods, the ports are the configured ones, the NetworkPolicy opens each port to exactly its
 * peers, the discovery RBAC is bound to the pods' ServiceAccount, the admin key comes from the optional Secret, the
 * probe paths answer without a credential, the metrics path needs the operator's, and the dashboard queries only
 * metrics the node exports.
 */
class KubernetesManifestsIT {
    private static final String API = "/api/v1/dih";
    /** A metric name in a PromQL expression: every metric of the hub starts with dih_, the JVM's with jvm_. */
    private static final Pattern METRIC = Pattern.compile("\\b((?:dih|jvm)_[a-z0-9_]+)");
    /** A dotted meter name registered in HubMetrics.java, e.g. "dih.cdc.lag.last.seconds". */
    private static final Pattern METER = Pattern.compile("\"(dih(?:\\.[a-z0-9]+)+)\"");
    /** SyncEngine waits this long past shutdown_flush_seconds for the flushers to finish. */
    private static final int FLUSH_WAIT_MARGIN_SECONDS = 5;

    static RenderedManifests dev;
    static RenderedManifests prod;
    static RenderedManifests monitoring;
    static TestingHubCluster hub;

    @BeforeAll
    static void renderAndStartANode() {
        dev = RenderedManifests.render("overlays/dev");
        prod = RenderedManifests.render("overlays/prod");
        monitoring = RenderedManifests.render("monitoring");
        // a real node with security on (the test operator key), with the dev overlay's bootstrap: its regions include
        // a WRITE_BEHIND one, so the write-behind gauges have a row to show
        String bootstrap = dev.env("DIH_BOOTSTRAP").path("value").asText();
        hub = TestingHubCluster.start(1, tree -> tree.put("bootstrap", bootstrap));
    }

    @AfterAll
    static void stopTheNode() {
        if (hub != null) {
            hub.close();
        }
    }

    static Stream<RenderedManifests> overlays() {
        return Stream.of(dev, prod);
    }

    @Test
    void devRendersOneReplicaAndProdThree() {
        assertThat(dev.statefulSet().path("spec").path("replicas").asInt()).isEqualTo(1);
        assertThat(prod.statefulSet().path("spec").path("replicas").asInt()).isEqualTo(3);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void servicesReachContainerPortsAndEverySelectorSelectsTheHubPods(RenderedManifests m) {
        JsonNode podLabels = m.podTemplate().path("metadata").path("labels");
        JsonNode stsSelector = m.statefulSet().path("spec").path("selector").path("matchLabels");
        assertSelects(m + " StatefulSet selector", stsSelector, podLabels);
        assertThat(m.all("Service")).hasSize(2);
        for (JsonNode svc : m.all("Service")) {
            String svcName = svc.path("metadata").path("name").asText();
            assertSelects(m + " Service " + svcName, svc.path("spec").path("selector"), podLabels);
            for (JsonNode port : svc.path("spec").path("ports")) {
                int target = m.resolvePort(port.path("targetPort"));
                assertThat(m.containerPorts()).as("%s Service %s port %s", m, svcName, port).containsValue(target);
            }
        }
        JsonNode pdbSelector = m.one("PodDisruptionBudget").path("spec").path("selector").path("matchLabels");
        assertSelects(m + " PodDisruptionBudget", pdbSelector, podLabels);
        assertThat(pdbSelector).as("the PDB covers exactly the StatefulSet's pods").isEqualTo(stsSelector);
        JsonNode npSelector = m.one("NetworkPolicy").path("spec").path("podSelector").path("matchLabels");
        assertSelects(m + " NetworkPolicy", npSelector, podLabels);
        assertThat(npSelector).as("the NetworkPolicy covers exactly the StatefulSet's pods").isEqualTo(stsSelector);
    }

    /** A selector selects pods with these labels: non-empty, and every one of its labels is on the pods. */
    private static void assertSelects(String what, JsonNode selector, JsonNode podLabels) {
        assertThat(selector.size()).as("%s is not empty", what).isPositive();
        for (Map.Entry<String, JsonNode> e : selector.properties()) {
            assertThat(podLabels.path(e.getKey()).asText(null)).as("%s: pod label %s", what, e.getKey()).isEqualTo(e.getValue().asText());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void containerPortsAreThePortsOfTheMountedHubYaml(RenderedManifests m) {
        JsonNode hubYaml = m.hubYaml();
        assertThat(m.containerPorts()).containsExactlyInAnyOrderEntriesOf(Map.of(
                "rest", hubYaml.path("gateway").path("port").asInt(),
                "thin-client", hubYaml.path("thin_client").path("port").asInt(),
                "discovery", hubYaml.path("discovery").path("port").asInt(),
                "communication", hubYaml.path("communication").path("port").asInt()));
        for (JsonNode e : m.hubContainer().path("env")) {
            assertThat(e.path("name").asText()).as("no environment variable overrides a port of hub.yaml")
                    .doesNotMatch("DIH_(GATEWAY|THIN_CLIENT|DISCOVERY|COMMUNICATION)_PORT");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void networkPolicyOpensEachPortToExactlyItsPeers(RenderedManifests m) {
        JsonNode policy = m.one("NetworkPolicy").path("spec");
        assertThat(policy.path("policyTypes")).as("egress stays unrestricted").containsExactly(text("Ingress"));
        JsonNode hubPods = m.statefulSet().path("spec").path("selector").path("matchLabels");
        Map<Integer, List<JsonNode>> peersByPort = new HashMap<>();
        for (JsonNode rule : policy.path("ingress")) {
            // a rule without ports would open every port, one without from every source
            assertThat(rule.path("ports").size()).as("%s: every rule names its ports: %s", m, rule).isPositive();
            assertThat(rule.path("from").size()).as("%s: every rule names its peers: %s", m, rule).isPositive();
            for (JsonNode port : rule.path("ports")) {
                assertThat(port.path("protocol").asText("TCP")).isEqualTo("TCP");
                rule.path("from").forEach(peer -> peersByPort.computeIfAbsent(m.resolvePort(port.path("port")), p -> new ArrayList<>()).add(peer));
            }
        }
        assertThat(peersByPort).containsOnlyKeys(47500, 47100, 8080, 10800);
        for (int nodeToNode : new int[] {47500, 47100}) {
            assertThat(peersByPort.get(nodeToNode)).as("port %d: hub pods of the namespace only", nodeToNode).singleElement()
                    .satisfies(peer -> {
                        assertThat(peer.has("namespaceSelector")).isFalse();
                        assertThat(peer.path("podSelector").path("matchLabels")).isEqualTo(hubPods);
                    });
        }
        assertThat(peersByPort.get(8080)).as("REST: any pod of any namespace").singleElement().satisfies(peer -> {
            assertThat(peer.path("namespaceSelector").isObject() && peer.path("namespaceSelector").isEmpty()).as(peer.toString()).isTrue();
            assertThat(peer.path("podSelector").isEmpty()).as(peer.toString()).isTrue();
        });
        assertThat(peersByPort.get(10800)).as("thin client: labelled pods of any namespace").singleElement().satisfies(peer -> {
            assertThat(peer.path("namespaceSelector").isObject() && peer.path("namespaceSelector").isEmpty()).as(peer.toString()).isTrue();
            assertThat(peer.path("podSelector").path("matchLabels")).isEqualTo(new ObjectMapper().createObjectNode().put("dih.io/thin-client", "true"));
            assertThat(peer.path("podSelector").has("matchExpressions")).isFalse();
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void discoveryRoleLetsThePodsServiceAccountGetTheEndpoints(RenderedManifests m) {
        JsonNode sts = m.statefulSet();
        String namespace = sts.path("metadata").path("namespace").asText();
        String account = sts.path("spec").path("template").path("spec").path("serviceAccountName").asText();
        assertThat(namespace).isNotBlank();
        assertThat(m.named("ServiceAccount", account).path("metadata").path("namespace").asText()).isEqualTo(namespace);

        JsonNode role = m.one("Role");
        assertThat(role.path("metadata").path("namespace").asText()).as("a Role in the pods' own namespace").isEqualTo(namespace);
        boolean getsEndpoints = false;
        for (JsonNode rule : role.path("rules")) {
            getsEndpoints |= contains(rule.path("apiGroups"), "") && contains(rule.path("resources"), "endpoints") && contains(rule.path("verbs"), "get");
        }
        assertThat(getsEndpoints).as("TcpDiscoveryKubernetesIpFinder GETs the endpoints of the headless Service: %s", role).isTrue();

        JsonNode binding = m.one("RoleBinding");
        assertThat(binding.path("metadata").path("namespace").asText()).isEqualTo(namespace);
        assertThat(binding.path("roleRef").path("kind").asText()).isEqualTo("Role");
        assertThat(binding.path("roleRef").path("name").asText()).isEqualTo(role.path("metadata").path("name").asText());
        assertThat(binding.path("subjects")).anySatisfy(s -> {
            assertThat(s.path("kind").asText()).isEqualTo("ServiceAccount");
            assertThat(s.path("name").asText()).isEqualTo(account);
            assertThat(s.path("namespace").asText()).isEqualTo(namespace);
        });

        // and the finder asks for the right Service in the right namespace
        String headless = sts.path("spec").path("serviceName").asText();
        assertThat(m.named("Service", headless).path("spec").path("clusterIP").asText()).isEqualTo("None");
        assertThat(m.env("DIH_DISCOVERY_KUBERNETES_SERVICE_NAME").path("value").asText()).isEqualTo(headless);
        assertThat(m.env("DIH_DISCOVERY_KUBERNETES_NAMESPACE").path("valueFrom").path("fieldRef").path("fieldPath").asText())
                .isEqualTo("metadata.namespace");
    }

    private static boolean contains(JsonNode array, String value) {
        for (JsonNode v : array) {
            if (value.equals(v.asText()) || "*".equals(v.asText())) {
                return true;
            }
        }
        return false;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void adminKeyComesFromTheOptionalSecretAndNoneIsCommitted(RenderedManifests m) {
        JsonNode env = m.env("DIH_ADMIN_KEY");
        assertThat(env.has("value")).as("never a literal key").isFalse();
        JsonNode ref = env.path("valueFrom").path("secretKeyRef");
        assertThat(ref.path("name").asText()).isEqualTo("dih-admin");
        assertThat(ref.path("key").asText()).isEqualTo("admin-key");
        assertThat(ref.path("optional").asBoolean(false)).as("without the Secret the first node generates a key").isTrue();
        assertThat(m.all("Secret")).as("the Secret is created by the operator, not shipped").isEmpty();
        assertThat(m.hubYaml().path("security").path("enabled").asBoolean(false)).isTrue();
        assertThat(m.hubYaml().path("security").has("admin_key")).as("no key in the ConfigMap").isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void preStopAndTheWriteBehindDrainFitInTheGracePeriod(RenderedManifests m) {
        int grace = m.podTemplate().path("spec").path("terminationGracePeriodSeconds").asInt();
        int flush = m.hubYaml().path("sync").path("write_behind").path("shutdown_flush_seconds").asInt();
        String preStop = m.hubContainer().path("lifecycle").path("preStop").path("exec").path("command").toString();
        Matcher sleep = Pattern.compile("sleep (\\d+)").matcher(preStop);
        assertThat(sleep.find()).as("preStop only sleeps: %s", preStop).isTrue();
        assertThat(grace).isEqualTo(60);
        assertThat(flush).isEqualTo(30);
        assertThat(Integer.parseInt(sleep.group(1)) + flush + FLUSH_WAIT_MARGIN_SECONDS)
                .as("preStop + drain + margin leave time to leave the cluster before SIGKILL").isLessThan(grace - 10);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void everyProbePathAnswersWithoutACredential(RenderedManifests m) {
        Rest anonymous = Rest.anonymous(hub.node(0).baseUrl());
        for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
            JsonNode get = m.hubContainer().path(probe).path("httpGet");
            assertThat(m.resolvePort(get.path("port"))).as("%s %s goes to the gateway", m, probe).isEqualTo(m.containerPorts().get("rest"));
            String path = get.path("path").asText();
            assertThat(path).as("%s %s", m, probe).startsWith("/");
            Rest.Response r = anonymous.get(path);
            assertThat(r.status()).as("%s %s GET %s: %s", m, probe, path, r).isEqualTo(200);
        }
        assertThat(m.hubContainer().path("readinessProbe").path("httpGet").path("path").asText()).isEqualTo(API + "/health/ready");
        assertThat(m.hubContainer().path("livenessProbe").path("httpGet").path("path").asText()).isEqualTo(API + "/health/live");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("overlays")
    void theScrapedPathNeedsTheOperatorKey(RenderedManifests m) {
        JsonNode annotations = m.podTemplate().path("metadata").path("annotations");
        assertThat(annotations.path("prometheus.io/scrape").asText()).isEqualTo("true");
        assertThat(Integer.parseInt(annotations.path("prometheus.io/port").asText())).isEqualTo(m.containerPorts().get("rest"));
        String path = annotations.path("prometheus.io/path").asText();
        String base = hub.node(0).baseUrl();
        assertThat(Rest.anonymous(base).get(path).status()).as("GET %s without a credential", path).isEqualTo(401);
        Rest.Response r = new Rest(base).get(path);
        assertThat(r.status()).as("GET %s with the operator key: %s", path, r).isEqualTo(200);
        assertThat(r.body()).contains("dih_offheap_used_bytes{");
    }

    @Test
    void dashboardIsAConfigMapForTheGrafanaSidecar() throws IOException {
        JsonNode cm = monitoring.one("ConfigMap");
        assertThat(monitoring.all()).hasSize(1);
        assertThat(cm.path("metadata").path("name").asText()).as("no hash suffix").isEqualTo("dih-dashboard");
        assertThat(cm.path("metadata").path("labels").path("grafana_dashboard").asText()).isEqualTo("1");
        Path file = RenderedManifests.repoRoot().resolve("k8s/monitoring/dih-dashboard.json");
        String json = cm.path("data").path("dih-dashboard.json").asText();
        assertThat(json).isEqualTo(Files.readString(file));

        JsonNode dashboard = new ObjectMapper().readTree(json);
        assertThat(dashboard.path("templating").path("list")).anySatisfy(v -> {
            assertThat(v.path("name").asText()).isEqualTo("datasource");
            assertThat(v.path("type").asText()).isEqualTo("datasource");
            assertThat(v.path("query").asText()).isEqualTo("prometheus");
        });
        assertThat(dashboard.path("panels").size()).isPositive();
        for (JsonNode panel : dashboard.path("panels")) {
            String title = panel.path("title").asText();
            assertThat(panel.path("datasource").path("uid").asText()).as("panel %s", title).isEqualTo("${datasource}");
            assertThat(panel.path("targets").size()).as("panel %s has a query", title).isPositive();
            for (JsonNode target : panel.path("targets")) {
                assertThat(target.path("expr").asText()).as("panel %s", title).isNotBlank().contains("$pod");
            }
        }
    }

    /**
     * Every metric the dashboard queries is in the node's /metrics. The node first gets some traffic: REST requests,
     * an open subscription and a change delivered through it (the delivery-lag histogram appears at its first
     * observation, the open-subscription gauge only while one is open). Exception: dih_cdc_* and dih_stream_* series
     * are one row per CDC/STREAM source (and their lag histograms appear at the first change applied), so a node
     * without such a source has none; for those the name must be one HubMetrics registers (CdcIT and KafkaStreamIT
     * see them on nodes with sources).
     */
    @Test
    void dashboardQueriesOnlyMetricsTheNodeExports() throws IOException {
        String base = hub.node(0).baseUrl();
        Rest rest = new Rest(base);
        Set<String> exported;
        try (WsClient ws = WsClient.subscribe(base, "account_balances")) {
            Rest.Response put = rest.put(API + "/cache-regions/account_balances/entries/account_k8s",
                    "{\"owner\": \"Kube\", \"currency\": \"EUR\", \"balance\": 1.00}");
            assertThat(put.status()).as(put.toString()).isIn(200, 201);
            assertThat(ws.take(1, Duration.ofSeconds(30))).as("the change reaches the subscriber").hasSize(1);
            Rest.Response metrics = rest.get(API + "/metrics");
            assertThat(metrics.status()).isEqualTo(200);
            exported = seriesNames(metrics.body());
        }
        Set<String> registered = registeredMeters();
        Set<String> used = dashboardMetrics();
        assertThat(used).as("the dashboard's metrics").contains("dih_http_requests_seconds_count", "dih_region_entries",
                "dih_offheap_used_bytes", "dih_write_behind_pending", "dih_subscriptions_open", "jvm_memory_used_bytes");
        for (String name : used) {
            if (name.startsWith("dih_cdc_") || name.startsWith("dih_stream_")) {
                if (!exported.contains(name)) {
                    assertThat(registered).as("%s (no CDC/STREAM source here) is a meter HubMetrics registers", name)
                            .containsAnyOf(name, withoutSeriesSuffix(name), withoutSeriesSuffix(name).replaceFirst("_seconds$", ""));
                }
            } else {
                assertThat(exported).as("the node exports %s", name).contains(name);
            }
        }
    }

    /** The series names of a Prometheus text exposition. */
    private static Set<String> seriesNames(String exposition) {
        Set<String> names = new TreeSet<>();
        for (String line : exposition.split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                names.add(line.split("[{ ]", 2)[0]);
            }
        }
        return names;
    }

    private static Set<String> dashboardMetrics() throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(RenderedManifests.repoRoot().resolve("k8s/monitoring/dih-dashboard.json").toFile());
        Set<String> names = new TreeSet<>();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                Matcher m = METRIC.matcher(target.path("expr").asText());
                while (m.find()) {
                    names.add(m.group(1));
                }
            }
        }
        return names;
    }

    /** The Prometheus names of the meters HubMetrics.java registers (dots to underscores). */
    private static Set<String> registeredMeters() throws IOException {
        String source = Files.readString(RenderedManifests.repoRoot().resolve("hub-server/src/main/java/io/dih/server/metrics/HubMetrics.java"));
        Set<String> names = new TreeSet<>();
        Matcher m = METER.matcher(source);
        while (m.find()) {
            names.add(m.group(1).replace('.', '_'));
        }
        return names;
    }

    private static String withoutSeriesSuffix(String name) {
        return name.replaceFirst("_(bucket|count|sum)$", "");
    }

    private static JsonNode text(String s) {
        return new ObjectMapper().getNodeFactory().textNode(s);
    }
}
