package io.dih.testing;

/**
 * The operator's key every test hub starts with ({@code DIH_ADMIN_KEY} / {@code security.admin_key}), so tests run
 * with security on, as a real deployment does, and their REST clients send it.
 */
public final class HubCredentials {
    /** Sent as {@code Authorization: Bearer <key>}. */
    public static final String ADMIN_KEY = "test-operator-key-0123456789abcdef";

    private HubCredentials() {
    }
}
