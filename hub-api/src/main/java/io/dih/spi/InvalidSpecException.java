package io.dih.spi;

import java.util.List;

/** A request or configuration is invalid; carries one error per offending field. */
public class InvalidSpecException extends HubException {
    private final List<FieldError> errors;

    public InvalidSpecException(String field, String message) {
        this(List.of(new FieldError(field, message)));
    }

    public InvalidSpecException(List<FieldError> errors) {
        super(describe(errors));
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("errors is empty");
        }
        this.errors = List.copyOf(errors);
    }

    public List<FieldError> errors() {
        return errors;
    }

    /** The first offending field. */
    public String field() {
        return errors.get(0).field();
    }

    @Override
    public String title() {
        return "Invalid request";
    }

    private static String describe(List<FieldError> errors) {
        StringBuilder sb = new StringBuilder();
        for (FieldError e : errors) {
            if (sb.length() > 0) {
                sb.append("; ");
            }
            sb.append(e);
        }
        return sb.toString();
    }
}
