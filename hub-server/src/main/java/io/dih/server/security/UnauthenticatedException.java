package io.dih.server.security;

import io.dih.spi.HubException;

/**
 * A request without a valid credential: a 401 that says only that (what was wrong stays in the audit log, so a caller
 * learns nothing about which keys exist).
 */
public final class UnauthenticatedException extends HubException {
    private final String reason;

    public UnauthenticatedException(String reason) {
        this("a valid credential is required: send an API key as 'Authorization: Bearer <key>' (or 'X-API-Key: <key>'), or a bearer token",
                reason);
    }

    private UnauthenticatedException(String message, String reason) {
        super(message);
        this.reason = reason;
    }

    /** A request over a TLS connection that showed no client certificate, where {@code tls.client_auth} is required. */
    public static UnauthenticatedException noClientCertificate() {
        return new UnauthenticatedException("a client certificate is required (tls.client_auth: required): connect with a certificate "
                + "signed by the hub's certificate authority, as well as a credential", "no client certificate");
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
