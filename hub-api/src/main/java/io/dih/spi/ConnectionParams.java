package io.dih.spi;

import java.util.List;
import java.util.Map;

/**
 * Reading a connector's {@code connection_params} without throwing: each problem is added to the caller's list as a
 * {@link FieldError} named {@code connection_params.<key>}, as {@link ConnectorFactory#validate} answers them.
 */
public final class ConnectionParams {
    private ConnectionParams() {
    }

    /** The error field of a parameter. */
    public static String field(String key) {
        return "connection_params." + key;
    }

    /** A parameter as text, or {@code null} when absent; an object or list is an error. */
    public static String text(Map<String, Object> params, String key, List<FieldError> errors) {
        Object v = params.get(key);
        if (v == null) {
            return null;
        }
        if (v instanceof Map || v instanceof List) {
            errors.add(new FieldError(field(key), "must be a single value"));
            return null;
        }
        return v.toString();
    }

    /** A whole number from {@code min} to {@code max} (a JSON number or numeric text), {@code dflt} when absent. */
    public static int integer(Map<String, Object> params, String key, int dflt, int min, int max, List<FieldError> errors) {
        Object v = params.get(key);
        if (v == null) {
            return dflt;
        }
        try {
            int i = v instanceof Number n ? Math.toIntExact(n.longValue()) : Integer.parseInt(v.toString().trim());
            if (i < min || i > max) {
                errors.add(new FieldError(field(key), "must be between " + min + " and " + max + ", was " + i));
            }
            return i;
        } catch (NumberFormatException | ArithmeticException e) {
            errors.add(new FieldError(field(key), "must be an integer, was '" + v + "'"));
            return dflt;
        }
    }
}
