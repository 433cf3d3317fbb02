package io.dih.server.security;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The link between Ignite's security plugin (created with the node, before the hub's services) and the hub's
 * {@link SecurityService} (created after): thin-client and JDBC connections on port 10800 authenticate through it once
 * the node serves, and nodes prove they belong to the cluster with a secret derived from the operator's admin key.
 *
 * <p>Only the operator's credentials open a thin-client connection: a thin client reads caches and SQL tables by
 * name, system views included, so a tenant's credential could learn of other tenants' objects there. Tenants use the
 * REST gateway.
 */
public final class ThinClientSecurity {
    private final AtomicReference<SecurityService> service = new AtomicReference<>();
    private final String nodeSecret;

    /** @param adminKey the configured admin key (resolved), or {@code null}: then any hub node may join */
    public ThinClientSecurity(String adminKey) {
        this.nodeSecret = adminKey == null ? "" : sha256("dih-node-join:" + adminKey);
    }

    /** The hub's security service is up: thin clients can authenticate from now on. */
    public void serve(SecurityService security) {
        service.set(requireNonNull(security, "security is null"));
    }

    /** What this node presents when it joins; compared by {@link #nodeMayJoin}. */
    String nodeSecret() {
        return nodeSecret;
    }

    boolean nodeMayJoin(Object presented) {
        return presented instanceof String s && MessageDigest.isEqual(s.getBytes(StandardCharsets.UTF_8), nodeSecret.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The principal of a thin-client connection's password (an operator's credential), or {@code null} (refused; the
     * reason is audited).
     */
    Principal authenticate(Object password, InetSocketAddress address) {
        SecurityService s = service.get();
        String client = address == null ? "unknown" : address.getAddress().getHostAddress();
        if (s == null) {
            return null; // the node is still starting
        }
        try {
            Principal p = s.authenticate(password instanceof String pw ? pw : null, client);
            if (!p.operator()) {
                s.audit().record(p, client, "CONNECT thin-client", "denied", 403, "the thin client is the operator's: a tenant uses the REST gateway");
                return null;
            }
            return p;
        } catch (UnauthenticatedException e) {
            s.audit().record(null, client, "CONNECT thin-client", "denied", 401, e.reason());
            return null;
        } catch (LoginLimiter.Throttled e) {
            if (e.first()) {
                s.audit().record(null, client, "CONNECT thin-client", "denied", 429, e.getMessage());
            }
            return null;
        }
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
