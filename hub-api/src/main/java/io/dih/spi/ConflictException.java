package io.dih.spi;

/** The request conflicts with what is already stored, e.g. a different spec under an existing name. */
public class ConflictException extends HubException {
    public ConflictException(String message) {
        super(message);
    }

    @Override
    public String title() {
        return "Conflict";
    }
}
