package io.dih.spi;

/**
 * The work ran past the time the request allowed and was cancelled on the server (nothing keeps running); the
 * gateway answers 408.
 */
public class TimedOutException extends HubException {
    public TimedOutException(String message) {
        super(message);
    }

    @Override
    public String title() {
        return "Timed out";
    }
}
