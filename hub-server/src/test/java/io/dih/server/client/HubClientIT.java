package io.dih.server.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dih.api.AtomicityMode;
import io.dih.api.EndpointSpec;
import io.dih.api.RegionSpec;
import io.dih.api.SqlType;
import io.dih.client.HubClient;
import io.dih.client.HubClientException;
import io.dih.client.Isolation;
import io.dih.client.TransactionResult;
import io.dih.server.testing.TestingHubCluster;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Java SDK against a real node: REST administration and entries, SQL over the thin client. */
class HubClientIT {
    @Test
    void regionsEntriesAndSql() {
        try (TestingHubCluster cluster = TestingHubCluster.start(1);
             HubClient hub = HubClient.builder().rest(cluster.node(0).baseUrl()).apiKey(io.dih.testing.HubCredentials.ADMIN_KEY)
                     .thinClient("127.0.0.1:" + cluster.node(0).thinClientPort()).build()) {
            RegionSpec spec = hub.createRegion(new RegionSpec("customers", null, null, null, null, null, null, null,
                    List.of("id"), Map.of("id", SqlType.BIGINT, "name", SqlType.VARCHAR, "tier", SqlType.VARCHAR)));
            assertThat(spec.backups()).isEqualTo(1);
            assertThat(hub.regions()).extracting(RegionSpec::name).contains("customers");
            assertThat(hub.region("nope")).isEmpty();
            assertThat(hub.region("customers")).hasValue(spec);
            assertThat(hub.columns("customers")).extracting(c -> c.get("name") + " " + c.get("type") + " " + c.get("key") + " " + c.get("origin"))
                    .containsExactlyInAnyOrder("id BIGINT true spec", "name VARCHAR false spec", "tier VARCHAR false spec");

            hub.put("customers", "1", Map.of("name", "Ann", "tier", "gold"));
            assertThat(hub.putAll("customers", Map.of("2", Map.of("name", "Bob", "tier", "silver"), "3", Map.of("name", "Cid", "tier", "gold")))).isEqualTo(2);
            assertThat(hub.get("customers", "1")).hasValueSatisfying(row -> assertThat(row).containsEntry("name", "Ann"));
            assertThat(hub.getAll("customers", List.of("1", "3", "9"))).containsOnlyKeys("1", "3");

            Map<String, Object> merged = hub.patch("customers", "2", Map.of("tier", "gold"));
            assertThat(merged).containsEntry("id", 2).containsEntry("name", "Bob").containsEntry("tier", "gold");
            assertThat(hub.get("customers", "2")).hasValue(merged);
            Map<String, Object> nullName = new HashMap<>();
            nullName.put("name", null);
            assertThat(hub.patch("customers", "2", nullName)).containsEntry("name", null).containsEntry("tier", "gold");
            assertThatThrownBy(() -> hub.patch("customers", "9", Map.of("tier", "gold")))
                    .isInstanceOfSatisfying(HubClientException.class, e -> assertThat(e.status()).isEqualTo(404));
            assertThat(hub.get("customers", "9")).isEmpty();
            assertThatThrownBy(() -> hub.patch("customers", "2", Map.of("colour", "red")))
                    .isInstanceOfSatisfying(HubClientException.class, e -> {
                        assertThat(e.status()).isEqualTo(400);
                        assertThat(e.field()).isEqualTo("colour");
                    });
            assertThat(hub.get("customers", "2")).hasValueSatisfying(row -> assertThat(row).containsEntry("tier", "gold"));
            hub.put("customers", "2", Map.of("name", "Bob", "tier", "silver"));
            assertThat(hub.sql("SELECT name FROM customers WHERE tier = ? ORDER BY name", "gold"))
                    .containsExactly(List.of("Ann"), List.of("Cid"));
            assertThat(hub.delete("customers", "1")).isTrue();
            assertThat(hub.delete("customers", "1")).isFalse();
            assertThat(hub.stats("customers").path("total").path("size").asLong()).isEqualTo(2);

            assertThatThrownBy(() -> hub.put("customers", "x", Map.of("name", "bad key")))
                    .isInstanceOfSatisfying(HubClientException.class, e -> {
                        assertThat(e.status()).isEqualTo(400);
                        assertThat(e.field()).isEqualTo("key");
                    });
            // templated endpoints: register (idempotent), call with bound parameters, cached answers, errors
            EndpointSpec ep = hub.registerEndpoint(new EndpointSpec("customers/by-tier", List.of("customers"),
                    "SELECT id, name FROM customers WHERE tier = '{tier}' ORDER BY id", "tier:{tier}", 60L, null, null));
            assertThat(ep.maxRows()).isEqualTo(1000);
            assertThat(hub.registerEndpoint(ep)).isEqualTo(ep);
            assertThat(hub.endpoints()).contains(ep);
            assertThat(hub.endpointSpec("/customers/by-tier")).hasValue(ep);
            assertThat(hub.endpointSpec("customers/nope")).isEmpty();
            assertThat(hub.endpoint("customers/by-tier", Map.of("tier", "silver")))
                    .containsExactly(Map.of("id", 2, "name", "Bob"));
            HubClient.EndpointAnswer again = hub.call("customers/by-tier", Map.of("tier", "silver"));
            assertThat(again.cached()).isTrue();
            assertThat(again.columns()).containsExactly("id", "name");
            assertThat(hub.endpoint("customers/by-tier", Map.of("tier", "x' OR '1'='1"))).isEmpty();
            assertThatThrownBy(() -> hub.endpoint("customers/by-tier", Map.of()))
                    .isInstanceOfSatisfying(HubClientException.class, e -> {
                        assertThat(e.status()).isEqualTo(400);
                        assertThat(e.field()).isEqualTo("tier");
                    });
            assertThatThrownBy(() -> hub.endpoint("customers/none", Map.of()))
                    .isInstanceOfSatisfying(HubClientException.class, e -> assertThat(e.status()).isEqualTo(404));
            assertThatThrownBy(() -> hub.registerEndpoint(new EndpointSpec("customers/bad", List.of("customers"),
                    "DELETE FROM customers", null, null, null, null)))
                    .isInstanceOfSatisfying(HubClientException.class, e -> {
                        assertThat(e.status()).isEqualTo(400);
                        assertThat(e.field()).isEqualTo("query_template");
                    });
            assertThat(hub.endpointStats("customers/by-tier").path("hits").asLong()).isEqualTo(1);
            hub.deleteEndpoint("customers/by-tier");
            assertThat(hub.endpointSpec("customers/by-tier")).isEmpty();

            hub.deleteRegion("customers");
            assertThat(hub.region("customers")).isEmpty();
        }
    }

    @Test
    void transactions() {
        try (TestingHubCluster cluster = TestingHubCluster.start(1); HubClient hub = HubClient.builder().rest(cluster.node(0).baseUrl()).apiKey(io.dih.testing.HubCredentials.ADMIN_KEY).build()) {
            hub.createRegion(new RegionSpec("account_balances", null, null, AtomicityMode.TRANSACTIONAL, null, null, null, null,
                    List.of("account_id"), Map.of("account_id", SqlType.VARCHAR, "owner", SqlType.VARCHAR, "balance", SqlType.DECIMAL)));
            hub.put("account_balances", "account_123", Map.of("owner", "ann", "balance", 500));
            hub.put("account_balances", "account_456", Map.of("owner", "bob", "balance", 20));

            TransactionResult r = hub.transaction()
                    .increment("account_balances", "account_123", Map.of("balance", -100)).requireMin("balance", 0)
                    .increment("account_balances", "account_456", Map.of("balance", 100))
                    .get("account_balances", "account_456")
                    .isolation(Isolation.SERIALIZABLE)
                    .timeout(Duration.ofSeconds(5))
                    .commit();
            assertThat(r.status()).isEqualTo("COMMITTED");
            assertThat(r.isolation()).isEqualTo("SERIALIZABLE");
            assertThat(r.results()).extracting(TransactionResult.Operation::operation).containsExactly("increment", "increment", "get");
            assertThat(new BigDecimal(r.results().get(0).before().get("balance").toString())).isEqualByComparingTo("500");
            assertThat(new BigDecimal(r.results().get(0).after().get("balance").toString())).isEqualByComparingTo("400");
            assertThat(r.results().get(2).after()).isEqualTo(hub.get("account_balances", "account_456").orElseThrow());

            // a guard that fails: 409, nothing applied
            assertThatThrownBy(() -> hub.transaction()
                    .increment("account_balances", "account_456", Map.of("balance", 1000))
                    .increment("account_balances", "account_123", Map.of("balance", -1000)).requireMin("balance", 0)
                    .commit())
                    .isInstanceOfSatisfying(HubClientException.class, e -> {
                        assertThat(e.status()).isEqualTo(409);
                        assertThat(e.getMessage()).contains("operations[1]");
                    });
            assertThat(hub.get("account_balances", "account_456").orElseThrow().get("balance").toString()).isEqualTo("120");

            TransactionResult mixed = hub.transaction()
                    .insert("account_balances", "account_789", Map.of("owner", "cid", "balance", 0))
                    .update("account_balances", "account_789", Map.of("owner", "Cid")).require("owner", "equals", "Cid")
                    .put("account_balances", "account_456", Map.of("owner", "bob", "balance", 7))
                    .delete("account_balances", "account_123")
                    .commit();
            assertThat(mixed.isolation()).isEqualTo("REPEATABLE_READ");
            assertThat(mixed.results().get(0).before()).isNull();
            assertThat(mixed.results().get(3).after()).isNull();
            assertThat(hub.get("account_balances", "account_789").orElseThrow()).containsEntry("owner", "Cid");
            assertThat(hub.get("account_balances", "account_123")).isEmpty();
            assertThatThrownBy(() -> hub.transaction().update("account_balances", "account_123", Map.of("owner", "x")).commit())
                    .isInstanceOfSatisfying(HubClientException.class, e -> assertThat(e.status()).isEqualTo(404));
            assertThatThrownBy(() -> hub.transaction().update("account_balances", "account_456", Map.of("colour", "x")).commit())
                    .isInstanceOfSatisfying(HubClientException.class, e -> {
                        assertThat(e.status()).isEqualTo(400);
                        assertThat(e.field()).isEqualTo("operations[0].data.updates.colour");
                    });
        }
    }
}
