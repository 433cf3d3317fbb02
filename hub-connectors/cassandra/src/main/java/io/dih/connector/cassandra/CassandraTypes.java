package io.dih.connector.cassandra;

import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.data.CqlDuration;
import com.datastax.oss.driver.api.core.type.DataType;
import com.datastax.oss.driver.api.core.type.DataTypes;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dih.api.SqlType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.sql.Date;
import java.sql.Time;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;

/**
 * Cassandra's CQL types as the hub's SQL types, and values both ways. Collections, tuples, UDTs and vectors are JSON
 * text: read with CQL's {@code toJson()}, written with {@code fromJson()}, so Cassandra itself does the conversion.
 */
final class CassandraTypes {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<DataType, SqlType> SIMPLE = Map.ofEntries(
            Map.entry(DataTypes.TEXT, SqlType.VARCHAR), Map.entry(DataTypes.ASCII, SqlType.VARCHAR),
            Map.entry(DataTypes.TINYINT, SqlType.TINYINT), Map.entry(DataTypes.SMALLINT, SqlType.SMALLINT),
            Map.entry(DataTypes.INT, SqlType.INT), Map.entry(DataTypes.BIGINT, SqlType.BIGINT), Map.entry(DataTypes.COUNTER, SqlType.BIGINT),
            Map.entry(DataTypes.FLOAT, SqlType.REAL), Map.entry(DataTypes.DOUBLE, SqlType.DOUBLE),
            Map.entry(DataTypes.DECIMAL, SqlType.DECIMAL), Map.entry(DataTypes.VARINT, SqlType.DECIMAL),
            Map.entry(DataTypes.BOOLEAN, SqlType.BOOLEAN), Map.entry(DataTypes.UUID, SqlType.UUID), Map.entry(DataTypes.TIMEUUID, SqlType.UUID),
            Map.entry(DataTypes.TIMESTAMP, SqlType.TIMESTAMP), Map.entry(DataTypes.DATE, SqlType.DATE), Map.entry(DataTypes.TIME, SqlType.TIME),
            Map.entry(DataTypes.BLOB, SqlType.BINARY), Map.entry(DataTypes.INET, SqlType.VARCHAR), Map.entry(DataTypes.DURATION, SqlType.VARCHAR));

    private CassandraTypes() {
    }

    /** Whether values of the type travel as JSON text (collections, tuples, UDTs, vectors, custom types). */
    static boolean isJson(DataType type) {
        return !SIMPLE.containsKey(type);
    }

    static SqlType sqlType(DataType type) {
        return SIMPLE.getOrDefault(type, SqlType.VARCHAR);
    }

    /** The value of column {@code i} of a row, as a Java value of its SQL type ({@code null} for null). */
    static Object read(Row row, int i, DataType type) {
        if (row.isNull(i)) {
            return null;
        }
        if (isJson(type)) {
            String json = row.getString(i); // the column was selected as toJson(column), which writes a null as null
            return "null".equals(json) ? null : json;
        }
        Object v = row.getObject(i);
        if (v instanceof Instant instant) {
            return Timestamp.from(instant);
        }
        if (v instanceof LocalDate date) {
            return Date.valueOf(date);
        }
        if (v instanceof LocalTime time) {
            Time t = Time.valueOf(time); // whole seconds: add the milliseconds
            t.setTime(t.getTime() + time.getNano() / 1_000_000);
            return t;
        }
        if (v instanceof BigInteger big) {
            return new BigDecimal(big);
        }
        if (v instanceof ByteBuffer bytes) {
            ByteBuffer b = bytes.duplicate();
            byte[] out = new byte[b.remaining()];
            b.get(out);
            return out;
        }
        if (v instanceof InetAddress address) {
            return address.getHostAddress();
        }
        if (v instanceof CqlDuration duration) {
            return duration.toString();
        }
        return v;
    }

    /**
     * A hub value as the driver's Java type for a column of {@code type}.
     *
     * @throws IllegalArgumentException saying why, when the column's type cannot take the value
     */
    static Object write(Object v, DataType type) {
        if (v == null) {
            return null;
        }
        if (isJson(type)) {
            return v instanceof String s ? s : json(v);
        }
        SqlType sql = SIMPLE.get(type);
        try {
            if (type.equals(DataTypes.VARINT)) {
                return decimal(v).toBigIntegerExact();
            }
            if (type.equals(DataTypes.INET)) {
                return inet(v);
            }
            if (type.equals(DataTypes.DURATION)) {
                return v instanceof CqlDuration ? v : CqlDuration.from(v.toString());
            }
            return switch (sql) {
                case VARCHAR -> v.toString();
                case TINYINT -> v instanceof Number n ? exact(n).byteValueExact() : Byte.parseByte(v.toString().trim());
                case SMALLINT -> v instanceof Number n ? exact(n).shortValueExact() : Short.parseShort(v.toString().trim());
                case INT -> v instanceof Number n ? exact(n).intValueExact() : Integer.parseInt(v.toString().trim());
                case BIGINT -> v instanceof Number n ? exact(n).longValueExact() : Long.parseLong(v.toString().trim());
                case REAL -> v instanceof Number n ? n.floatValue() : Float.parseFloat(v.toString().trim());
                case DOUBLE -> v instanceof Number n ? n.doubleValue() : Double.parseDouble(v.toString().trim());
                case DECIMAL -> decimal(v);
                case BOOLEAN -> bool(v);
                case UUID -> v instanceof UUID u ? u : UUID.fromString(v.toString().trim());
                case TIMESTAMP -> instant(v);
                case DATE -> v instanceof Date d ? d.toLocalDate() : v instanceof LocalDate l ? l : LocalDate.parse(v.toString().trim());
                case TIME -> v instanceof Time t ? t.toLocalTime().plusNanos(Math.floorMod(t.getTime(), 1000L) * 1_000_000)
                        : v instanceof LocalTime l ? l : LocalTime.parse(v.toString().trim());
                case BINARY -> v instanceof byte[] b ? ByteBuffer.wrap(b) : v instanceof ByteBuffer bb ? bb
                        : ByteBuffer.wrap(Base64.getDecoder().decode(v.toString()));
            };
        } catch (ArithmeticException | java.time.DateTimeException e) {
            throw new IllegalArgumentException("'" + v + "' does not fit a " + type.asCql(false, true) + " column", e);
        } catch (IllegalArgumentException e) { // NumberFormatException too
            throw new IllegalArgumentException("'" + v + "' is not a " + type.asCql(false, true) + " value", e);
        }
    }

    private static BigDecimal exact(Number n) {
        return n instanceof BigDecimal b ? b : n instanceof BigInteger i ? new BigDecimal(i)
                : n instanceof Double || n instanceof Float ? BigDecimal.valueOf(n.doubleValue()) : BigDecimal.valueOf(n.longValue());
    }

    private static BigDecimal decimal(Object v) {
        return v instanceof Number n ? exact(n) : new BigDecimal(v.toString().trim());
    }

    private static Boolean bool(Object v) {
        if (v instanceof Boolean b) {
            return b;
        }
        String s = v.toString().trim();
        if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(s);
        }
        throw new IllegalArgumentException("not true or false");
    }

    private static Instant instant(Object v) {
        if (v instanceof Timestamp t) {
            return t.toInstant();
        }
        if (v instanceof java.util.Date d) {
            return d.toInstant();
        }
        if (v instanceof Instant i) {
            return i;
        }
        if (v instanceof Number n) {
            return Instant.ofEpochMilli(n.longValue());
        }
        String s = v.toString().trim();
        try {
            return Instant.parse(s);
        } catch (java.time.DateTimeException e) {
            return OffsetDateTime.parse(s).toInstant();
        }
    }

    /** Only an address literal: a host name would need a DNS lookup on the writing thread. */
    private static InetAddress inet(Object v) {
        if (v instanceof InetAddress a) {
            return a;
        }
        String s = v.toString().trim();
        if (!s.matches("[0-9.]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*")) {
            throw new IllegalArgumentException("not an IP address");
        }
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address", e);
        }
    }

    private static String json(Object v) {
        try {
            return JSON.writeValueAsString(v);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot be written as JSON", e);
        }
    }
}
