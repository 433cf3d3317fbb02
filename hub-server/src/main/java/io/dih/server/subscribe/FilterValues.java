package io.dih.server.subscribe;

import io.dih.api.SqlType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Date;
import java.sql.Time;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.UUID;

/**
 * The values a filter compares, per type family: literals are parsed once, at parse time; row values are brought to
 * the same form at evaluation, leniently (any {@link Number}, {@code java.time} as well as {@code java.sql} times).
 * A row value that cannot be brought to the form is {@link #INCOMPARABLE}: the comparison is unknown, never an error.
 */
final class FilterValues {
    /** How values of a column are compared; columns of one family can be compared with each other. */
    enum Family {
        NUMBER("a number"),
        TEXT("text between single quotes, e.g. 'abc'"),
        BOOLEAN("TRUE or FALSE"),
        DATE("a date as 'YYYY-MM-DD'"),
        TIME("a time as 'HH:MM:SS' (seconds and fraction optional)"),
        TIMESTAMP("a timestamp as ISO-8601, e.g. '2024-05-01T10:15:30Z' or '2024-05-01 10:15:30' (UTC when no offset)"),
        UUID("a UUID as 'xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx'"),
        BINARY("nothing: a BINARY column can only be tested with IS NULL or IS NOT NULL");

        final String expected;

        Family(String expected) {
            this.expected = expected;
        }

        static Family of(SqlType type) {
            return switch (type) {
                case TINYINT, SMALLINT, INT, BIGINT, REAL, DOUBLE, DECIMAL -> NUMBER;
                case VARCHAR -> TEXT;
                case BOOLEAN -> BOOLEAN;
                case DATE -> DATE;
                case TIME -> TIME;
                case TIMESTAMP -> TIMESTAMP;
                case UUID -> UUID;
                case BINARY -> BINARY;
            };
        }

        /** Whether {@code <}, {@code >} and the like mean something for this family. */
        boolean ordered() {
            return this != UUID && this != BINARY;
        }
    }

    /** A row value of an unexpected class (or NaN): compares as unknown. */
    static final Object INCOMPARABLE = new Object() {
        @Override
        public String toString() {
            return "INCOMPARABLE";
        }
    };

    private FilterValues() {
    }

    /** The literal text as the family's form, or {@code null} when it is not one (the caller says why). */
    static Object parseText(Family family, String s) {
        try {
            return switch (family) {
                case DATE -> LocalDate.parse(s.trim());
                case TIME -> LocalTime.parse(s.trim());
                case TIMESTAMP -> timestamp(s.trim());
                case UUID -> uuid(s.trim());
                case TEXT -> s;
                default -> null;
            };
        } catch (DateTimeParseException | IllegalArgumentException e) {
            return null;
        }
    }

    /** How a literal of the family is written back in the canonical text of a filter. */
    static String format(Object literal) {
        if (literal instanceof BigDecimal d) {
            return d.toPlainString();
        }
        if (literal instanceof Boolean b) {
            return b ? "TRUE" : "FALSE";
        }
        return "'" + literal.toString().replace("'", "''") + "'";
    }

    private static Instant timestamp(String s) {
        String t = s.replace(' ', 'T');
        try {
            return OffsetDateTime.parse(t).toInstant();
        } catch (DateTimeParseException ignored) {
            // no offset: the forms below
        }
        if (t.length() == 10) {
            return LocalDate.parse(t).atStartOfDay().toInstant(ZoneOffset.UTC);
        }
        return LocalDateTime.parse(t).toInstant(ZoneOffset.UTC);
    }

    private static UUID uuid(String s) {
        if (s.length() != 36) {
            throw new IllegalArgumentException("not a UUID");
        }
        for (int i = 0; i < 36; i++) {
            char c = s.charAt(i);
            boolean dash = i == 8 || i == 13 || i == 18 || i == 23;
            boolean hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
            if (dash ? c != '-' : !hex) {
                throw new IllegalArgumentException("not a UUID");
            }
        }
        return UUID.fromString(s);
    }

    /** A row value in the family's form: {@code null} for null, {@link #INCOMPARABLE} when it cannot be compared. */
    static Object fromRow(Family family, Object v) {
        if (v == null) {
            return null;
        }
        try {
            Object c = switch (family) {
                case NUMBER -> number(v);
                case TEXT -> v instanceof CharSequence || v instanceof Character ? v.toString() : null;
                case BOOLEAN -> v instanceof Boolean ? v : null;
                case DATE -> date(v);
                case TIME -> v instanceof Time t ? t.toLocalTime() : v instanceof LocalTime ? v : null;
                case TIMESTAMP -> instant(v);
                case UUID -> v instanceof UUID ? v : v instanceof String s ? uuid(s.trim()) : null;
                case BINARY -> null;
            };
            return c == null ? INCOMPARABLE : c;
        } catch (RuntimeException e) {
            return INCOMPARABLE;
        }
    }

    private static Object number(Object v) {
        if (v instanceof BigDecimal d) {
            return d;
        }
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            return BigDecimal.valueOf(((Number) v).longValue());
        }
        if (v instanceof BigInteger i) {
            return new BigDecimal(i);
        }
        if (v instanceof Float f) {
            // Float's own shortest text, so a REAL 0.1f equals the literal 0.1
            return Float.isNaN(f) ? null : Float.isInfinite(f) ? (Double) f.doubleValue() : new BigDecimal(Float.toString(f));
        }
        if (v instanceof Double d) {
            return d.isNaN() ? null : d.isInfinite() ? d : BigDecimal.valueOf(d);
        }
        if (v instanceof Number n) {
            return new BigDecimal(n.toString());
        }
        return null;
    }

    private static Object date(Object v) {
        if (v instanceof Date d) {
            return d.toLocalDate();
        }
        if (v instanceof LocalDate) {
            return v;
        }
        if (v instanceof LocalDateTime t) {
            return t.toLocalDate();
        }
        return v instanceof Timestamp t ? t.toLocalDateTime().toLocalDate() : null;
    }

    private static Object instant(Object v) {
        if (v instanceof Timestamp t) {
            return t.toInstant();
        }
        if (v instanceof Instant) {
            return v;
        }
        if (v instanceof LocalDateTime t) {
            return t.toInstant(ZoneOffset.UTC);
        }
        if (v instanceof OffsetDateTime t) {
            return t.toInstant();
        }
        if (v instanceof ZonedDateTime t) {
            return t.toInstant();
        }
        if (v instanceof LocalDate d) {
            return d.atStartOfDay().toInstant(ZoneOffset.UTC);
        }
        return v instanceof Date d ? d.toLocalDate().atStartOfDay().toInstant(ZoneOffset.UTC) : null;
    }

    /**
     * Compares two values of one family (neither null nor incomparable): negative, zero or positive; for a family
     * without order, 0 when equal and 1 otherwise.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static int compare(Object a, Object b) {
        if (a instanceof Double x) { // an infinite row value
            return b instanceof Double y ? Double.compare(x, y) : x > 0 ? 1 : -1;
        }
        if (b instanceof Double y) {
            return y > 0 ? -1 : 1;
        }
        if (a instanceof UUID) {
            return a.equals(b) ? 0 : 1;
        }
        return ((Comparable) a).compareTo(b);
    }
}
