package io.dih.spi;

/** The named object (region, entry, source…) does not exist. */
public class NotFoundException extends HubException {
    public NotFoundException(String message) {
        super(message);
    }

    @Override
    public String title() {
        return "Not found";
    }
}
