package io.dih.server.security;

import io.dih.spi.HubException;

/** A valid credential whose role or tenant does not allow the request: a 403. */
public final class ForbiddenException extends HubException {
    public ForbiddenException(String message) {
        super(message);
    }

    @Override
    public String title() {
        return "Forbidden";
    }
}
