package io.dih.connector.elasticsearch;

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

/** {@code "source_type": "elasticsearch"}: documents of Elasticsearch 8 indexes as rows. */
public final class ElasticsearchConnectorFactory implements ConnectorFactory {
    @Override
    public String type() {
        return "elasticsearch";
    }

    @Override
    public Set<String> aliases() {
        return Set.of("elastic");
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.BULK_LOAD, Capability.READ_THROUGH, Capability.WRITE_THROUGH, Capability.WRITE_BEHIND);
    }

    @Override
    public Set<String> secretKeys() {
        return ElasticsearchConnectorConfig.SECRETS;
    }

    @Override
    public List<FieldError> validate(Map<String, Object> connectionParams) {
        List<FieldError> errors = new ArrayList<>();
        ElasticsearchConnectorConfig.parse(connectionParams, (field, value) -> value, errors);
        return errors;
    }

    /** Connects and checks the credentials with a cluster health call. */
    @Override
    public Connector create(String sourceName, Map<String, Object> connectionParams, ConnectorContext context) {
        return ElasticsearchConnector.connect(sourceName, ElasticsearchConnectorConfig.parseOrThrow(connectionParams, context::resolve));
    }
}
