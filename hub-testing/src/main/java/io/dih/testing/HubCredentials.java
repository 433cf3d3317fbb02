package io.dih.testing;

/**
 * The operator's key every test hub starts with ({@code DIH_ADMIN_KEY} / {@code security.admin_key}), so tests run
 * with security on, as a real deployment does, and their REST clients send it.
 */
public final class HubCredentials {
    /** Sent as {@code Authorization: Bearer <key>}. */
    public static final String ADMIN_KEY = "test-operator-key-0123456789abcdef";

    /** The JDBC URL of a test hub's thin-client port, with the operator's key as the password. */
    public static String jdbcUrl(int thinClientPort) {
        return "jdbc:ignite:thin://127.0.0.1:" + thinClientPort + "?user=operator&password=" + ADMIN_KEY;
    }

    private HubCredentials() {
    }
}
