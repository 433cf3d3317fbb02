package io.dih.spi;

/** A dependency (the cluster, a source) cannot serve the request right now; retrying later may work. */
public class UnavailableException extends HubException {
    public UnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    public UnavailableException(String message) {
        super(message);
    }

    @Override
    public String title() {
        return "Service unavailable";
    }
}
