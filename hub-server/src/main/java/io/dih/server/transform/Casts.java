package io.dih.server.transform;

import io.dih.api.SqlType;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.sql.Date;
import java.sql.Time;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Casts between column types. Which casts make sense ({@link #allowed}): anything to VARCHAR; VARCHAR to anything
 * (the text is parsed when the row comes); numbers and BOOLEAN among themselves (true = 1; to an integer type a
 * fraction is rounded half up, a value out of range fails); DATE and TIMESTAMP both ways, TIMESTAMP to TIME.
 * Text forms: numbers in Java/SQL notation, booleans {@code true/false/1/0} (any case), DATE {@code yyyy-mm-dd},
 * TIME {@code hh:mm:ss}, TIMESTAMP {@code yyyy-mm-dd hh:mm:ss[.f...]} or ISO-8601 with an offset
 * ({@code 2024-01-02T03:04:05Z}, kept as its UTC wall clock), UUID its canonical form, BINARY the text's UTF-8 bytes
 * (and BINARY to VARCHAR decodes UTF-8).
 */
final class Casts {
    private static final Set<SqlType> NUMERIC = EnumSet.of(SqlType.TINYINT, SqlType.SMALLINT, SqlType.INT,
            SqlType.BIGINT, SqlType.REAL, SqlType.DOUBLE, SqlType.DECIMAL, SqlType.BOOLEAN);

    private Casts() {
    }

    /** Whether a column of type {@code from} can be cast to {@code to} at all (null from: unknown, any). */
    static boolean allowed(SqlType from, SqlType to) {
        if (from == null || from == to || from == SqlType.VARCHAR || to == SqlType.VARCHAR) {
            return true;
        }
        if (NUMERIC.contains(from) && NUMERIC.contains(to)) {
            return true;
        }
        return (from == SqlType.DATE && to == SqlType.TIMESTAMP)
                || (from == SqlType.TIMESTAMP && (to == SqlType.DATE || to == SqlType.TIME));
    }

    /** Casts one value (any supported Java value, parsed JSON included) to {@code to}; NULL stays NULL. */
    static Object cast(Object value, SqlType to) {
        if (value == null) {
            return null;
        }
        if (to == SqlType.VARCHAR) {
            return text(value);
        }
        if (value instanceof String s) {
            return parse(s, to);
        }
        if (value instanceof Number || value instanceof Boolean) {
            return number(value, to);
        }
        if (value instanceof Timestamp || value instanceof Date || value instanceof Instant
                || value instanceof LocalDateTime) {
            return time(value, to);
        }
        if ((value instanceof UUID && to == SqlType.UUID) || (value instanceof byte[] && to == SqlType.BINARY)
                || (value instanceof Time && to == SqlType.TIME)) {
            return value;
        }
        throw new IllegalArgumentException("cannot cast " + describe(value) + " to " + to);
    }

    static String text(Object value) {
        if (value instanceof byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
        if (value instanceof Map || value instanceof List) {
            return JsonValues.write(value);
        }
        if (value instanceof BigDecimal d) {
            return Math.abs(d.scale()) <= 100 ? d.toPlainString() : d.toString();
        }
        return String.valueOf(value);
    }

    private static Object parse(String text, SqlType to) {
        String s = text.trim();
        try {
            return switch (to) {
                case BOOLEAN -> parseBoolean(s);
                case TINYINT, SMALLINT, INT, BIGINT, REAL, DOUBLE, DECIMAL -> number(new BigDecimal(s), to);
                case DATE -> Date.valueOf(s);
                case TIME -> Time.valueOf(s);
                case TIMESTAMP -> parseTimestamp(s);
                case UUID -> UUID.fromString(s);
                case BINARY -> text.getBytes(StandardCharsets.UTF_8);
                case VARCHAR -> text;
            };
        } catch (NumberFormatException | DateTimeParseException e) {
            throw new IllegalArgumentException("cannot cast " + describe(text) + " to " + to);
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("cannot cast")) {
                throw e;
            }
            throw new IllegalArgumentException("cannot cast " + describe(text) + " to " + to);
        }
    }

    private static Boolean parseBoolean(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "true", "1" -> Boolean.TRUE;
            case "false", "0" -> Boolean.FALSE;
            default -> throw new IllegalArgumentException("not a boolean");
        };
    }

    private static Timestamp parseTimestamp(String s) {
        if (s.indexOf('T') > 0) {
            LocalDateTime utc = s.endsWith("Z") || s.matches(".*[+-]\\d\\d:?\\d\\d$")
                    ? LocalDateTime.ofInstant(OffsetDateTime.parse(s).toInstant(), ZoneOffset.UTC)
                    : LocalDateTime.parse(s);
            return Timestamp.valueOf(utc);
        }
        return Timestamp.valueOf(s);
    }

    private static Object number(Object value, SqlType to) {
        if (!NUMERIC.contains(to)) {
            throw new IllegalArgumentException("cannot cast " + describe(value) + " to " + to);
        }
        BigDecimal d;
        if (value instanceof Boolean b) {
            d = b ? BigDecimal.ONE : BigDecimal.ZERO;
        } else if (value instanceof BigDecimal bd) {
            d = bd;
        } else if (value instanceof Double || value instanceof Float) {
            double v = ((Number) value).doubleValue();
            if (Double.isNaN(v) || Double.isInfinite(v)) {
                if (to == SqlType.DOUBLE || to == SqlType.REAL) {
                    return to == SqlType.REAL ? (Object) (float) v : (Object) v;
                }
                throw new IllegalArgumentException("cannot cast " + v + " to " + to);
            }
            d = BigDecimal.valueOf(v);
        } else {
            d = new BigDecimal(value.toString());
        }
        return switch (to) {
            case BOOLEAN -> d.signum() != 0;
            case REAL -> d.floatValue();
            case DOUBLE -> d.doubleValue();
            case DECIMAL -> d;
            default -> integer(d, to);
        };
    }

    private static Object integer(BigDecimal d, SqlType to) {
        try {
            if (d.precision() - d.scale() > 20) {
                throw new ArithmeticException();
            }
            BigDecimal r = d.setScale(0, RoundingMode.HALF_UP);
            long v = r.longValueExact();
            return switch (to) {
                case TINYINT -> { if (v != (byte) v) throw new ArithmeticException(); yield (byte) v; }
                case SMALLINT -> { if (v != (short) v) throw new ArithmeticException(); yield (short) v; }
                case INT -> Math.toIntExact(v);
                default -> v;
            };
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(describe(d) + " is out of range for " + to);
        }
    }

    private static Object time(Object value, SqlType to) {
        LocalDateTime t = value instanceof Timestamp ts ? ts.toLocalDateTime()
                : value instanceof Date d ? d.toLocalDate().atStartOfDay()
                : value instanceof Instant i ? LocalDateTime.ofInstant(i, ZoneOffset.UTC)
                : (LocalDateTime) value;
        return switch (to) {
            case TIMESTAMP -> Timestamp.valueOf(t);
            case DATE -> Date.valueOf(t.toLocalDate());
            case TIME -> Time.valueOf(t.toLocalTime());
            default -> throw new IllegalArgumentException("cannot cast " + describe(value) + " to " + to);
        };
    }

    private static String describe(Object value) {
        String s = text(value);
        String shown = s.length() > 40 ? s.substring(0, 40) + "..." : s;
        return value instanceof String ? "'" + shown + "'" : shown;
    }
}
