package io.dih.connector.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dih.spi.FieldError;
import io.dih.spi.InvalidSpecException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The connection parameters, without a broker. */
class KafkaConnectorConfigTest {
    @Test
    void defaultsAndPassThrough() {
        KafkaConnectorConfig c = KafkaConnectorConfig.parseOrThrow(Map.of("bootstrap_servers", " a:1 , [::1]:2",
                "max.poll.records", 50, "schema.registry.url", "http://r"), (f, v) -> v);
        assertThat(c.bootstrapServers()).containsExactly("a:1", "[::1]:2");
        assertThat(c.servers()).isEqualTo("a:1,[::1]:2");
        assertThat(c.groupId()).isNull();
        assertThat(c.autoOffsetReset()).isEqualTo("earliest");
        assertThat(c.connectTimeoutSeconds()).isEqualTo(10);
        assertThat(c.clientProperties()).isEqualTo(Map.of("max.poll.records", "50", "schema.registry.url", "http://r"));
    }

    @Test
    void usernameAndPasswordBecomeAJaasLoginWithTheSecretResolved() {
        KafkaConnectorConfig c = KafkaConnectorConfig.parseOrThrow(Map.of("bootstrap_servers", "a:1", "security.protocol", "SASL_SSL",
                "sasl.mechanism", "SCRAM-SHA-256", "username", "dih", "password", "${PW}"),
                (field, v) -> v.equals("${PW}") ? "p\"w" : v);
        assertThat(c.clientProperties()).containsEntry("sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"dih\" password=\"p\\\"w\";");
        assertThat(c.toString()).doesNotContain("p\\\"w").doesNotContain("jaas");

        KafkaConnectorConfig plain = KafkaConnectorConfig.parseOrThrow(Map.of("bootstrap_servers", "a:1",
                "security.protocol", "SASL_PLAINTEXT", "username", "u", "password", "p"), (f, v) -> v);
        assertThat(plain.clientProperties()).containsEntry("sasl.mechanism", "PLAIN");
    }

    @Test
    void eachMistakeNamesItsField() {
        List<FieldError> errors = new ArrayList<>();
        KafkaConnectorConfig.parse(Map.of("bootstrap_servers", "a:1", "username", "u", "sasl.jaas.config", "x",
                "group.id", "g", "ssl.key.password", List.of("no")), (f, v) -> v, errors);
        assertThat(errors).extracting(FieldError::field).containsExactlyInAnyOrder("connection_params.password",
                "connection_params.group.id", "connection_params.ssl.key.password");
        assertThatThrownBy(() -> KafkaConnectorConfig.parseOrThrow(Map.of("bootstrap_servers", "host"), (f, v) -> v))
                .isInstanceOfSatisfying(InvalidSpecException.class,
                        e -> assertThat(e.field()).isEqualTo("connection_params.bootstrap_servers"));
        assertThat(KafkaConnectorConfig.hostPortProblem("::1:9092")).isNotNull();
        assertThat(KafkaConnectorConfig.hostPortProblem("kafka-1.example.com:9092")).isNull();
    }
}
