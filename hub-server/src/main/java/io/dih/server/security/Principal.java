package io.dih.server.security;

import static java.util.Objects.requireNonNull;

import java.util.Locale;

/**
 * Who made a request: a subject (an API key's id, {@code admin-key}, a token's subject), the tenant its credential
 * belongs to ({@code null}: the operator, who sees every tenant), and its role.
 *
 * <p>A tenant's objects (regions, sources, endpoints) are named with the tenant's prefix, {@code <tenant>_}: names are
 * cluster-wide SQL identifiers, so two tenants can each have an {@code orders} region as {@code acme_orders} and
 * {@code globex_orders}, and a name tells its owner. Tenant names have no '_', so no tenant's prefix starts another's.
 *
 * @param method how the credential came: {@code api_key}, {@code admin_key}, {@code jwt}, or {@code anonymous} (security off)
 */
public record Principal(String subject, String tenant, Role role, String method) {
    /** Every request when security is off: the operator, as admin. */
    public static final Principal ANONYMOUS = new Principal("anonymous", null, Role.ADMIN, "anonymous");

    public Principal {
        requireNonNull(subject, "subject is null");
        requireNonNull(role, "role is null");
        requireNonNull(method, "method is null");
        tenant = tenant == null ? null : tenant.toLowerCase(Locale.ROOT);
    }

    /** The operator: a credential of no tenant (the bootstrap admin key, or keys made for no tenant). */
    public boolean operator() {
        return tenant == null;
    }

    /** Whether an object of this name is this principal's to see: the operator sees all, a tenant its prefixed names. */
    public boolean owns(String name) {
        return tenant == null || (name != null && name.toLowerCase(Locale.ROOT).startsWith(prefix(tenant)));
    }

    /** Whether an endpoint path is this principal's: a tenant's endpoint paths start with {@code <tenant>/} or {@code <tenant>_}. */
    public boolean ownsEndpoint(String path) {
        return tenant == null || ownsEndpoint(tenant, path);
    }

    public static boolean ownsEndpoint(String tenant, String path) {
        if (path == null) {
            return false;
        }
        String p = (path.startsWith("/") ? path.substring(1) : path).toLowerCase(Locale.ROOT);
        return p.startsWith(tenant + "/") || p.startsWith(prefix(tenant));
    }

    /** The prefix of a tenant's object names. */
    public static String prefix(String tenant) {
        return tenant.toLowerCase(Locale.ROOT) + "_";
    }
}
