package io.dih.server.gateway;

import static java.util.Objects.requireNonNull;

import io.dih.server.security.Role;

/**
 * Who may call a route: the role it needs and how a tenant's credential is scoped on it.
 *
 * @param param the path parameter naming the object ({@link Scope#REGION}, {@link Scope#SOURCE}, {@link Scope#ENDPOINT})
 * @param why   for {@link Scope#OPERATOR}: why tenants may not call it
 */
record Access(Scope scope, Role role, String param, String why) {
    enum Scope {
        /** No credential needed (health, the OpenAPI document). */
        OPEN,
        /** The operator's credentials only; a tenant's gets a 403. */
        OPERATOR,
        /** An object named by a path parameter: another tenant's is a 404, as if it did not exist. */
        REGION, SOURCE, ENDPOINT,
        /** Any credential of the role; the controller scopes what a tenant sees (listings, creations, keys). */
        TENANT
    }

    Access {
        requireNonNull(scope, "scope is null");
        requireNonNull(role, "role is null");
    }

    static Access open() {
        return new Access(Scope.OPEN, Role.READER, null, null);
    }

    static Access operator(Role role, String why) {
        return new Access(Scope.OPERATOR, role, null, why);
    }

    static Access region(Role role, String param) {
        return new Access(Scope.REGION, role, param, null);
    }

    static Access source(Role role) {
        return new Access(Scope.SOURCE, role, "name", null);
    }

    static Access endpoint(Role role) {
        return new Access(Scope.ENDPOINT, role, "path", null);
    }

    static Access tenant(Role role) {
        return new Access(Scope.TENANT, role, null, null);
    }
}
