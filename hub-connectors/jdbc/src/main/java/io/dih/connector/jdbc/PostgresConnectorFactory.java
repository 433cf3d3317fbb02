package io.dih.connector.jdbc;

import java.util.Set;

/** {@code "source_type": "postgresql"} (or {@code postgres}). */
public final class PostgresConnectorFactory extends JdbcConnectorFactory {
    public PostgresConnectorFactory() {
        super(new PostgresDialect());
    }

    @Override
    public Set<String> aliases() {
        return Set.of("postgres");
    }

    @Override
    public Set<io.dih.spi.Capability> capabilities() {
        Set<io.dih.spi.Capability> c = java.util.EnumSet.copyOf(super.capabilities());
        c.add(io.dih.spi.Capability.CHANGE_FEED); // Debezium, pgoutput
        return c;
    }
}
