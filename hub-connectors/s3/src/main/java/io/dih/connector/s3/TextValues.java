package io.dih.connector.s3;

import io.dih.api.SqlType;
import java.math.BigDecimal;
import java.sql.Date;
import java.sql.Time;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Text as found in a CSV field (or a JSON string) read as a value of an SQL type, and the narrowest type that reads a
 * column's sample of texts. Timestamps are ISO-8601: with an offset or {@code Z} they are instants, without one they
 * are read as UTC; a space may stand for the {@code T}.
 */
final class TextValues {
    private static final Pattern INTEGER = Pattern.compile("[+-]?\\d{1,19}");
    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
    private static final Pattern DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
    private static final Pattern TIMESTAMP = Pattern.compile("\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|[+-]\\d{2}:?\\d{2})?");

    private TextValues() {
    }

    /**
     * The text as a value of the type.
     *
     * @throws IllegalArgumentException saying why it is not one
     */
    static Object read(SqlType type, String text) {
        String t = type == SqlType.VARCHAR ? text : text.trim();
        try {
            return switch (type) {
                case VARCHAR -> t;
                case BOOLEAN -> switch (t.toLowerCase(Locale.ROOT)) {
                    case "true", "t", "yes", "1" -> Boolean.TRUE;
                    case "false", "f", "no", "0" -> Boolean.FALSE;
                    default -> throw new IllegalArgumentException("not a boolean");
                };
                case TINYINT -> Byte.parseByte(t);
                case SMALLINT -> Short.parseShort(t);
                case INT -> Integer.parseInt(t);
                case BIGINT -> Long.parseLong(t);
                case REAL -> Float.parseFloat(t);
                case DOUBLE -> Double.parseDouble(t);
                case DECIMAL -> new BigDecimal(t);
                case DATE -> Date.valueOf(LocalDate.parse(t));
                case TIME -> Time.valueOf(LocalTime.parse(t));
                case TIMESTAMP -> Timestamp.from(instant(t));
                case UUID -> UUID.fromString(t);
                case BINARY -> Base64.getDecoder().decode(t);
            };
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw new IllegalArgumentException("'" + cut(text) + "' is not " + article(type) + " " + type.name(), e);
        }
    }

    /** The narrowest of INT, BIGINT, DOUBLE, BOOLEAN, DATE, TIMESTAMP that reads every text; VARCHAR otherwise. */
    static SqlType infer(Iterable<String> sample) {
        boolean any = false;
        boolean ints = true;
        boolean longs = true;
        boolean numbers = true;
        boolean booleans = true;
        boolean dates = true;
        boolean timestamps = true;
        for (String raw : sample) {
            String s = raw.trim();
            any = true;
            boolean integer = INTEGER.matcher(s).matches();
            if (integer) {
                try {
                    long l = Long.parseLong(s);
                    ints &= l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE;
                } catch (NumberFormatException e) {
                    ints = false;
                    longs = false;
                }
            } else {
                ints = false;
                longs = false;
            }
            numbers &= NUMBER.matcher(s).matches();
            booleans &= s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false");
            dates &= DATE.matcher(s).matches();
            timestamps &= TIMESTAMP.matcher(s).matches() || DATE.matcher(s).matches();
        }
        if (!any) {
            return SqlType.VARCHAR;
        }
        return ints ? SqlType.INT : longs ? SqlType.BIGINT : numbers ? SqlType.DOUBLE : booleans ? SqlType.BOOLEAN
                : dates ? SqlType.DATE : timestamps ? SqlType.TIMESTAMP : SqlType.VARCHAR;
    }

    private static Instant instant(String t) {
        String iso = t.length() > 10 && t.charAt(10) == ' ' ? t.substring(0, 10) + "T" + t.substring(11) : t;
        if (iso.length() == 10) {
            return LocalDate.parse(iso).atStartOfDay().toInstant(java.time.ZoneOffset.UTC);
        }
        if (iso.endsWith("Z") || iso.matches(".*[+-]\\d{2}:?\\d{2}$")) {
            return OffsetDateTime.parse(iso.matches(".*[+-]\\d{4}$") ? iso.substring(0, iso.length() - 2) + ":" + iso.substring(iso.length() - 2)
                    : iso).toInstant();
        }
        return LocalDateTime.parse(iso).toInstant(java.time.ZoneOffset.UTC);
    }

    private static String article(SqlType t) {
        return "AEIOU".indexOf(t.name().charAt(0)) >= 0 ? "an" : "a";
    }

    static String cut(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
