package io.dih.connector.jdbc;

/** {@code "source_type": "mysql"}, through the MariaDB driver, which speaks MySQL's protocol. */
public final class MySqlConnectorFactory extends JdbcConnectorFactory {
    public MySqlConnectorFactory() {
        super(new MariaDbDialect("mysql"));
    }
}
