package io.dih.spi;

/** The source refused a write (a constraint, a type): retrying the same data will not help. */
public class SourceRejectedException extends HubException {
    public SourceRejectedException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public String title() {
        return "Rejected by the source";
    }
}
