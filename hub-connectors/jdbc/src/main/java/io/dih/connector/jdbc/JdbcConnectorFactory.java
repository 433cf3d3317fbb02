package io.dih.connector.jdbc;

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

/** The shared base of the relational connector factories; a concrete factory only names its dialect. */
abstract class JdbcConnectorFactory implements ConnectorFactory {
    private final Dialect dialect;

    JdbcConnectorFactory(Dialect dialect) {
        this.dialect = dialect;
    }

    @Override
    public String type() {
        return dialect.name();
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.BULK_LOAD, Capability.READ_THROUGH, Capability.WRITE_THROUGH, Capability.WRITE_BEHIND);
    }

    @Override
    public Set<String> secretKeys() {
        return JdbcConnectorConfig.SECRETS;
    }

    @Override
    public List<FieldError> validate(Map<String, Object> connectionParams) {
        List<FieldError> errors = new ArrayList<>();
        JdbcConnectorConfig.parse(dialect, connectionParams, errors);
        return errors;
    }

    @Override
    public Connector create(String sourceName, Map<String, Object> connectionParams, ConnectorContext context) {
        JdbcConnectorConfig c = JdbcConnectorConfig.parseOrThrow(dialect, connectionParams);
        String password = c.password() == null ? null : context.resolve("connection_params.password", c.password());
        return new JdbcConnector(sourceName, dialect, c, password, capabilities());
    }
}
