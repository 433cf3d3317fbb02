package io.dih.server.query;

import com.fasterxml.jackson.databind.JsonNode;
import io.dih.api.SqlType;
import io.dih.spi.InvalidSpecException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/** SQL column types by Java class, and JSON parameters as SQL arguments (result values go out through ColumnValues). */
public final class SqlValues {
    private SqlValues() {
    }

    /** The SQL type name of a column whose values have this Java class (as Ignite reports it), e.g. DECIMAL. */
    public static String typeName(String javaClass) {
        if (javaClass == null) {
            return "NULL";
        }
        for (SqlType t : SqlType.values()) {
            if (t.javaType().equals(javaClass)) {
                return t.name();
            }
        }
        return switch (javaClass) {
            case "java.math.BigInteger" -> "DECIMAL";
            case "java.time.LocalDate" -> "DATE";
            case "java.time.LocalTime" -> "TIME";
            case "java.time.LocalDateTime", "java.time.Instant", "java.util.Date" -> "TIMESTAMP";
            case "java.lang.Object" -> "OTHER";
            default -> javaClass.startsWith("[") ? "ARRAY" : "OTHER";
        };
    }

    /**
     * JSON parameters as SQL arguments, bound to the statement's {@code ?} in order: strings, integers (as BIGINT),
     * decimals (exact), booleans and null. H2 converts them to the column they are compared with or stored in
     * (e.g. {@code "2024-01-01"} against a TIMESTAMP). Arrays and objects are a 400 naming the parameter.
     */
    public static Object[] arguments(List<JsonNode> params) {
        if (params == null) {
            return new Object[0];
        }
        List<Object> out = new ArrayList<>(params.size());
        for (int i = 0; i < params.size(); i++) {
            JsonNode p = params.get(i);
            if (p == null || p.isNull()) {
                out.add(null);
            } else if (p.isTextual()) {
                out.add(p.textValue());
            } else if (p.isBoolean()) {
                out.add(p.booleanValue());
            } else if (p.isIntegralNumber()) {
                BigInteger v = p.bigIntegerValue();
                out.add(v.bitLength() < 64 ? (Object) v.longValueExact() : new BigDecimal(v));
            } else if (p.isNumber()) {
                out.add(p.decimalValue());
            } else {
                throw new InvalidSpecException("params[" + i + "]", "must be a string, number, boolean or null, got " + p.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
            }
        }
        return out.toArray();
    }
}
