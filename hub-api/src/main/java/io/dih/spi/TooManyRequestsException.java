package io.dih.spi;

/** A per-node or per-client limit was reached (subscriptions, calls); a 429. Retrying later, or elsewhere, may work. */
public class TooManyRequestsException extends HubException {
    public TooManyRequestsException(String message) {
        super(message);
    }

    @Override
    public String title() {
        return "Too many requests";
    }
}
