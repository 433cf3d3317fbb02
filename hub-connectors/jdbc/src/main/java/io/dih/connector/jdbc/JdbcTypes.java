package io.dih.connector.jdbc;

import io.dih.api.SqlType;
import java.sql.Types;
import java.util.Locale;

/** JDBC type codes to the hub's SQL types. */
final class JdbcTypes {
    private JdbcTypes() {
    }

    static SqlType standard(int jdbcType, String typeName) {
        String tn = typeName == null ? "" : typeName.toLowerCase(Locale.ROOT);
        if (tn.equals("uuid")) {
            return SqlType.UUID;
        }
        return switch (jdbcType) {
            case Types.BIT, Types.BOOLEAN -> SqlType.BOOLEAN;
            case Types.TINYINT -> SqlType.SMALLINT;
            case Types.SMALLINT -> SqlType.SMALLINT;
            case Types.INTEGER -> tn.contains("unsigned") ? SqlType.BIGINT : SqlType.INT;
            case Types.BIGINT -> tn.contains("unsigned") ? SqlType.DECIMAL : SqlType.BIGINT;
            case Types.REAL -> SqlType.REAL;
            case Types.FLOAT, Types.DOUBLE -> SqlType.DOUBLE;
            case Types.NUMERIC, Types.DECIMAL -> SqlType.DECIMAL;
            case Types.DATE -> SqlType.DATE;
            case Types.TIME, Types.TIME_WITH_TIMEZONE -> SqlType.TIME;
            case Types.TIMESTAMP, Types.TIMESTAMP_WITH_TIMEZONE -> SqlType.TIMESTAMP;
            case Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY, Types.BLOB -> SqlType.BINARY;
            default -> SqlType.VARCHAR; // text, json/jsonb, enums, arrays (as their text form), anything else
        };
    }
}
