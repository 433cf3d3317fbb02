package io.dih.connector.cassandra;

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

/**
 * {@code "source_type": "cassandra"}: tables of an Apache Cassandra (or compatible) cluster through the Apache Java
 * driver 4.x. Loads by token ranges, reads by primary key, writes per partition (no transactions across partitions).
 */
public final class CassandraConnectorFactory implements ConnectorFactory {
    @Override
    public String type() {
        return "cassandra";
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.BULK_LOAD, Capability.READ_THROUGH, Capability.WRITE_THROUGH, Capability.WRITE_BEHIND);
    }

    @Override
    public Set<String> secretKeys() {
        return CassandraConnectorConfig.SECRETS;
    }

    @Override
    public List<FieldError> validate(Map<String, Object> connectionParams) {
        List<FieldError> errors = new ArrayList<>();
        CassandraConnectorConfig.parse(connectionParams, (field, value) -> value, errors);
        return errors;
    }

    @Override
    public Connector create(String sourceName, Map<String, Object> connectionParams, ConnectorContext context) {
        return new CassandraConnector(sourceName, CassandraConnectorConfig.parseOrThrow(connectionParams, context::resolve), capabilities());
    }
}
