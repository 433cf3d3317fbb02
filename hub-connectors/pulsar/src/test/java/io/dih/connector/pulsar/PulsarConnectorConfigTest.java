package io.dih.connector.pulsar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dih.api.BindingSpec;
import io.dih.spi.Capability;
import io.dih.spi.FieldError;
import io.dih.spi.InvalidSpecException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.apache.pulsar.client.api.SubscriptionInitialPosition;
import org.apache.pulsar.client.api.SubscriptionType;
import org.junit.jupiter.api.Test;

/** Connection parameters and binding keys, checked without a broker. */
class PulsarConnectorConfigTest {
    private final PulsarConnectorFactory factory = new PulsarConnectorFactory();

    @Test
    void factoryIsFoundByTheHubAndDeclaresOnlyStream() {
        assertThat(ServiceLoader.load(io.dih.spi.ConnectorFactory.class).stream().map(p -> p.get().type())).contains("pulsar");
        assertThat(factory.capabilities()).containsExactly(Capability.STREAM);
        assertThat(factory.secretKeys()).containsExactlyInAnyOrder("auth_params", "token", "tls_key_password", "password");
    }

    @Test
    void defaults() {
        PulsarConnectorConfig c = PulsarConnectorConfig.parseOrThrow(Map.of("service_url", "pulsar://b:6650"));
        assertThat(c.subscriptionType()).isEqualTo(SubscriptionType.Key_Shared);
        assertThat(c.initialPosition()).isEqualTo(SubscriptionInitialPosition.Earliest);
        assertThat(c.adminUrl()).isNull();
        assertThat(c.subscription("group-1")).isEqualTo("group-1");
        assertThat(c.clientProperties()).isEmpty();
    }

    @Test
    void fullMapping() {
        Map<String, Object> p = new HashMap<>();
        p.put("service_url", "pulsar+ssl://b1:6651,b2:6651");
        p.put("admin_url", "https://b1:8443/");
        p.put("subscription_name", "hub");
        p.put("subscription_type", "failover");
        p.put("subscription_initial_position", "Latest");
        p.put("token", "${PULSAR_TOKEN}");
        p.put("operationTimeoutMs", 5000);
        p.put("tlsTrustCertsFilePath", "/etc/ca.pem");
        PulsarConnectorConfig c = PulsarConnectorConfig.parseOrThrow(p);
        assertThat(c.adminUrl()).isEqualTo("https://b1:8443");
        assertThat(c.subscription("ignored")).isEqualTo("hub");
        assertThat(c.subscriptionType()).isEqualTo(SubscriptionType.Failover);
        assertThat(c.initialPosition()).isEqualTo(SubscriptionInitialPosition.Latest);
        assertThat(c.token()).isEqualTo("${PULSAR_TOKEN}");
        assertThat(c.clientProperties()).containsEntry("operationTimeoutMs", 5000).containsEntry("tlsTrustCertsFilePath", "/etc/ca.pem");
        assertThat(ServiceAddresses.parse(c.serviceUrl())).containsExactly("b1:6651", "b2:6651");
        assertThat(ServiceAddresses.parse("pulsar://b")).containsExactly("b:6650");
    }

    @Test
    void eachInvalidValueIsAnErrorNamingItsField() {
        Map<String, Object> p = new HashMap<>();
        p.put("service_url", "http://b:6650");
        p.put("admin_url", "ftp://b");
        p.put("subscription_name", " ");
        p.put("subscription_type", "Round_Robin");
        p.put("subscription_initial_position", "Middle");
        p.put("operationTimeoutMs", "soon");
        p.put("authParams", "x");
        p.put("colour", "red");
        p.put("auth_params", "secret-params");
        List<FieldError> errors = factory.validate(p);
        assertThat(errors).extracting(FieldError::field).containsExactlyInAnyOrder("connection_params.service_url",
                "connection_params.admin_url", "connection_params.subscription_name", "connection_params.subscription_type",
                "connection_params.subscription_initial_position", "connection_params.operationTimeoutMs",
                "connection_params.authParams", "connection_params.colour", "connection_params.auth_params");
        assertThat(factory.validate(Map.of())).extracting(FieldError::field).containsExactly("connection_params.service_url");
        assertThat(factory.validate(Map.of("service_url", "pulsar://b:6650"))).isEmpty();
    }

    @Test
    void secretsNeverAppearInErrors() {
        List<FieldError> errors = factory.validate(Map.of("service_url", "pulsar://b:6650", "token", "tok-SECRET", "user", "u",
                "password", "pw-SECRET", "auth_params", "ap-SECRET"));
        assertThat(errors).isNotEmpty();
        assertThat(errors.toString()).doesNotContain("SECRET");
    }

    @Test
    void bindingKeys() {
        PulsarBinding b = PulsarBinding.of(new BindingSpec("orders", null, List.of("id"), null, null, null, Map.of("aggregate", Map.of())));
        assertThat(b.name()).isEqualTo("orders");
        assertThat(b.topics()).containsExactly("persistent://public/default/orders");
        assertThat(b.reads("persistent://public/default/orders-partition-3")).isTrue();
        assertThat(b.reads("persistent://public/default/orders2")).isFalse();
        PulsarBinding list = PulsarBinding.of(new BindingSpec("r", null, null, null, null, null,
                Map.of("topics", List.of("a", "persistent://t/ns/b"))));
        assertThat(list.topics()).containsExactly("persistent://public/default/a", "persistent://t/ns/b");
        PulsarBinding pattern = PulsarBinding.of(new BindingSpec("r", null, null, null, null, null, Map.of("topic_pattern", "ord-.*")));
        assertThat(pattern.reads("persistent://public/default/ord-eu-partition-0")).isTrue();
        assertThat(pattern.reads("persistent://public/default/x-ord-eu")).isFalse();

        assertThatThrownBy(() -> PulsarBinding.of(new BindingSpec("r", null, null, null, null, null,
                Map.of("topci", "x", "colour", "red", "format", "avro"))))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.errors()).extracting(FieldError::field)
                        .containsExactlyInAnyOrder("topci", "colour", "format"));
        assertThatThrownBy(() -> PulsarBinding.of(new BindingSpec("r", null, null, null, null, null,
                Map.of("topic", "a", "topic_pattern", "b.*"))))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("topic"));
        assertThatThrownBy(() -> PulsarBinding.of(new BindingSpec("r", null, null, null, null, null, Map.of("topic_pattern", "(x"))))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("topic_pattern"));
    }
}
