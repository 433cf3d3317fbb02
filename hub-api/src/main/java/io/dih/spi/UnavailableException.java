package io.dih.spi;

/** A dependency (the cluster, a source) cannot serve the request right now; retrying later may work. */
public class UnavailableException extends HubException {
    private final String field;

    public UnavailableException(String message, Throwable cause) {
        this(null, message, cause);
    }

    public UnavailableException(String message) {
        this(null, message, null);
    }

    /**
     * @param field the connection parameter that names what cannot be reached ({@code connection_params.endpoint}), so
     *              a registration that fails on it is a 400 naming that field; {@code null}: {@code connection_params.host}
     */
    public UnavailableException(String field, String message, Throwable cause) {
        super(message, cause);
        this.field = field;
    }

    /** The connection parameter naming what cannot be reached, or {@code null} (then {@code connection_params.host}). */
    public String field() {
        return field != null ? field : "connection_params.host";
    }

    @Override
    public String title() {
        return "Service unavailable";
    }
}
