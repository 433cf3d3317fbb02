package io.dih.server.security;

import io.dih.spi.HubException;

/**
 * A request without a valid credential: a 401 that says only that (what was wrong stays in the audit log, so a caller
 * learns nothing about which keys exist).
 */
public final class UnauthenticatedException extends HubException {
    private final String reason;

    public UnauthenticatedException(String reason) {
        super("a valid credential is required: send an API key as 'Authorization: Bearer <key>' (or 'X-API-Key: <key>'), or a bearer token");
        this.reason = reason;
    }

    /** Why the credential was refused, for the audit log only. */
    public String reason() {
        return reason;
    }

    @Override
    public String title() {
        return "Unauthorized";
    }
}
