package io.dih.connector.jdbc;

import java.util.EnumSet;
import java.util.Set;

/** {@code "source_type": "mariadb"}. */
public final class MariaDbConnectorFactory extends JdbcConnectorFactory {
    public MariaDbConnectorFactory() {
        super(new MariaDbDialect("mariadb"));
    }

    @Override
    public Set<io.dih.spi.Capability> capabilities() {
        Set<io.dih.spi.Capability> c = EnumSet.copyOf(super.capabilities());
        c.add(io.dih.spi.Capability.CHANGE_FEED); // Debezium's MariaDB connector, on the binlog
        return c;
    }
}
