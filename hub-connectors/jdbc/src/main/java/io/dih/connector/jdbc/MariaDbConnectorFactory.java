package io.dih.connector.jdbc;

/** {@code "source_type": "mariadb"}. */
public final class MariaDbConnectorFactory extends JdbcConnectorFactory {
    public MariaDbConnectorFactory() {
        super(new MariaDbDialect("mariadb"));
    }
}
