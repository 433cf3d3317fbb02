package io.dih.spi;

/**
 * Root of the hub's typed exceptions. The gateway maps each subtype to one HTTP status in one place;
 * everything else stays free of HTTP.
 */
public abstract class HubException extends RuntimeException {
    protected HubException(String message) {
        super(message);
    }

    protected HubException(String message, Throwable cause) {
        super(message, cause);
    }

    /** A short, stable title for the problem type, e.g. "Not found". */
    public abstract String title();
}
