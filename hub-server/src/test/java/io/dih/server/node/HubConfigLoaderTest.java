package io.dih.server.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dih.api.CacheMode;
import io.dih.spi.InvalidSpecException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HubConfigLoaderTest {
    @TempDir
    Path dir;

    @Test
    void defaultsLoadFromTheJar() {
        HubConfig c = new HubConfigLoader(Map.of()).load((Path) null);
        assertThat(c.gateway().port()).isEqualTo(8080);
        assertThat(c.thinClient().port()).isEqualTo(10800);
        assertThat(c.discovery().port()).isEqualTo(47500);
        assertThat(c.discovery().addresses()).containsExactly("127.0.0.1:47500..47509");
        assertThat(c.storage().persistence()).isFalse();
        assertThat(c.storage().pageEviction()).isEqualTo("RANDOM_2_LRU");
        assertThat(c.defaults().toRegionDefaults().backups()).isEqualTo(1);
        assertThat(c.bootstrap()).isNull();
        assertThat(c.igniteConfig()).isNull();
    }

    @Test
    void fileOverlaysDefaultsAndEnvOverlaysFile() throws Exception {
        Path f = dir.resolve("hub.yaml");
        Files.writeString(f, """
                node: {name: hub-7}
                gateway: {port: 9090}
                storage: {persistence: true, data_region_max_mb: 2048}
                defaults: {cache_mode: REPLICATED}
                """);
        HubConfig c = new HubConfigLoader(Map.of("DIH_GATEWAY_PORT", "9191", "DIH_DISCOVERY_ADDRESSES", "10.0.0.1:47500, 10.0.0.2:47500",
                "DIH_DEFAULT_BACKUPS", "3")).load(f);
        assertThat(c.node().name()).isEqualTo("hub-7");
        assertThat(c.node().workDir()).isEqualTo("./dih-work");
        assertThat(c.gateway().port()).isEqualTo(9191);
        assertThat(c.storage().persistence()).isTrue();
        assertThat(c.storage().dataRegionMaxMb()).isEqualTo(2048);
        assertThat(c.discovery().addresses()).containsExactly("10.0.0.1:47500", "10.0.0.2:47500");
        assertThat(c.defaults().cacheMode()).isEqualTo(CacheMode.REPLICATED);
        assertThat(c.defaults().backups()).isEqualTo(3);
    }

    @Test
    void seedIgniteHostVariablesBecomeDiscoveryAddresses() {
        HubConfig c = new HubConfigLoader(Map.of("IGNITE_HOST_1", "ignite-0.ignite", "IGNITE_HOST_2", "ignite-1.ignite:47501",
                "DIH_DEFAULT_EVICTION_SIZE", "10000000")).load((Path) null);
        assertThat(c.discovery().addresses()).containsExactly("ignite-0.ignite:47500", "ignite-1.ignite:47501");
        assertThat(c.defaults().evictionMaxSize()).isEqualTo(10_000_000L);
    }

    @Test
    void badValuesNameTheKey() {
        assertThatThrownBy(() -> new HubConfigLoader(Map.of("DIH_GATEWAY_PORT", "eighty")).load((Path) null))
                .isInstanceOf(InvalidSpecException.class).hasMessageContaining("gateway.port");
        assertThatThrownBy(() -> new HubConfigLoader(Map.of("DIH_GATEWAY_PORT", "70000")).load((Path) null))
                .isInstanceOf(InvalidSpecException.class).hasMessageContaining("gateway.port");
        assertThatThrownBy(() -> new HubConfigLoader(Map.of("DIH_STORAGE_PAGE_EVICTION", "DISABLED")).load((Path) null))
                .isInstanceOf(InvalidSpecException.class).hasMessageContaining("storage.page_eviction");
        assertThatThrownBy(() -> new HubConfigLoader(Map.of("DIH_STORAGE_DATA_REGION_MAX_MB", "5")).load((Path) null))
                .isInstanceOf(InvalidSpecException.class).hasMessageContaining("storage.data_region_max_mb");
        assertThatThrownBy(() -> new HubConfigLoader(Map.of("DIH_DEFAULTS_CACHE_MODE", "SHARDED")).load((Path) null))
                .isInstanceOf(InvalidSpecException.class).hasMessageContaining("cache_mode");
        assertThatThrownBy(() -> new HubConfigLoader(Map.of("DIH_TLS_CLIENT_AUTH", "optional")).load((Path) null))
                .isInstanceOf(InvalidSpecException.class).hasMessageContaining("tls.client_auth").hasMessageContaining("none or required");
        assertThatThrownBy(() -> new HubConfigLoader(Map.of("DIH_TLS_CLIENT_AUTH", "required")).load((Path) null))
                .as("client certificates without TLS").isInstanceOf(InvalidSpecException.class).hasMessageContaining("tls.enabled");
        assertThat(new HubConfigLoader(Map.of("DIH_TLS_CLIENT_AUTH", "NONE")).load((Path) null).tls().clientCertificates()).isFalse();
    }

    @Test
    void unknownKeysAndMissingFilesAreErrors() throws Exception {
        Path f = dir.resolve("typo.yaml");
        Files.writeString(f, "gatway: {port: 1}\n");
        assertThatThrownBy(() -> new HubConfigLoader(Map.of()).load(f)).isInstanceOf(InvalidSpecException.class).hasMessageContaining("gatway");
        assertThatThrownBy(() -> new HubConfigLoader(Map.of()).load(dir.resolve("missing.yaml")))
                .isInstanceOf(InvalidSpecException.class).hasMessageContaining("does not exist");
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "node: [unclosed\n");
        assertThatThrownBy(() -> new HubConfigLoader(Map.of()).load(bad)).isInstanceOf(InvalidSpecException.class).hasMessageContaining("YAML");
    }

    @Test
    void kubernetesConfigMapLoadsWithThePodEnvironment() {
        Path k8s = Path.of("..", "k8s", "base", "config");
        HubConfig c = new HubConfigLoader(Map.of("DIH_NODE_NAME", "dih-0", "DIH_DISCOVERY_LOCAL_ADDRESS", "10.1.2.3",
                "DIH_COMMUNICATION_LOCAL_ADDRESS", "10.1.2.3", "DIH_DISCOVERY_KUBERNETES_NAMESPACE", "dih",
                "DIH_DISCOVERY_KUBERNETES_SERVICE_NAME", "dih")).load(k8s.resolve("hub.yaml"));
        assertThat(c.node().name()).isEqualTo("dih-0");
        assertThat(c.discovery().kubernetes().enabled()).isTrue();
        assertThat(c.discovery().localAddress()).isEqualTo("10.1.2.3");
        assertThat(c.storage().persistence()).isTrue();
        assertThat(Bootstrap.read(k8s.resolve("bootstrap.yaml").toString()).regions()).isNotEmpty();
    }

    @Test
    void demoBootstrapParses() {
        Bootstrap.Document doc = Bootstrap.read(HubMain.DEMO_BOOTSTRAP);
        assertThat(doc.regions()).extracting(r -> r.name()).contains("user_sessions", "account_balances", "ml_features_online");
        assertThat(doc.entries()).containsKey("user_sessions");
    }
}
