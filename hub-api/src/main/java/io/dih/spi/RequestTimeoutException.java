package io.dih.spi;

/** The request ran past its time limit and was abandoned; nothing it would have changed was changed. */
public class RequestTimeoutException extends HubException {
    public RequestTimeoutException(String message) {
        super(message);
    }

    @Override
    public String title() {
        return "Request timeout";
    }
}
