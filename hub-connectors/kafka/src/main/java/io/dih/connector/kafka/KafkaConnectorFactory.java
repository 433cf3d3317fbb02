package io.dih.connector.kafka;

import io.dih.spi.Capability;
import io.dih.spi.Connector;
import io.dih.spi.ConnectorContext;
import io.dih.spi.ConnectorFactory;
import io.dih.spi.FieldError;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code "source_type": "kafka"}: topics of JSON messages, consumed as a member of a consumer group. */
public final class KafkaConnectorFactory implements ConnectorFactory {
    @Override
    public String type() {
        return "kafka";
    }

    /** Seed 004 names the type {@code KAFKA_STREAM} (any letter case). */
    @Override
    public Set<String> aliases() {
        return Set.of("kafka_stream");
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.STREAM);
    }

    @Override
    public Set<String> secretKeys() {
        return KafkaConnectorConfig.SECRETS;
    }

    @Override
    public List<FieldError> validate(Map<String, Object> connectionParams) {
        List<FieldError> errors = new ArrayList<>();
        KafkaConnectorConfig.parse(connectionParams, (field, value) -> value, errors);
        return errors;
    }

    @Override
    public Connector create(String sourceName, Map<String, Object> connectionParams, ConnectorContext context) {
        return new KafkaConnector(sourceName, KafkaConnectorConfig.parseOrThrow(connectionParams, context::resolve));
    }
}
