package io.dih.spi;

/** A region (or the memory behind it) is full and refuses the write; nothing was stored. */
public class CapacityExceededException extends HubException {
    public CapacityExceededException(String message, Throwable cause) {
        super(message, cause);
    }

    public CapacityExceededException(String message) {
        super(message);
    }

    @Override
    public String title() {
        return "Region full";
    }
}
