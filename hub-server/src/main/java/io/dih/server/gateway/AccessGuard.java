package io.dih.server.gateway;

import static java.util.Objects.requireNonNull;

import io.dih.server.query.EndpointService;
import io.dih.server.query.HiddenObjectException;
import io.dih.server.region.RegionService;
import io.dih.server.security.ForbiddenException;
import io.dih.server.security.LoginLimiter;
import io.dih.server.security.Principal;
import io.dih.server.security.Role;
import io.dih.server.security.SecurityService;
import io.dih.server.security.UnauthenticatedException;
import io.dih.server.source.SourceRegistry;
import io.dih.spi.HubException;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import java.security.cert.X509Certificate;
import java.util.Locale;

/**
 * Authenticates every request of a guarded route, checks its role and tenant scope, and audits: every refused request
 * (401, 403, 429, and another tenant's object answered 404) and every admin action (a change made with the admin role).
 * With client certificates required ({@code tls.client_auth}), a guarded route first needs one: the TLS handshake
 * already checked any certificate shown against the trust store, so here only its presence is asked.
 */
final class AccessGuard {
    /** The request attribute holding the principal (also seen by a WebSocket's handlers: set before the upgrade). */
    static final String PRINCIPAL = "dih.principal";
    /** The verified client certificate chain Jetty puts on a request over TLS (its {@code SecureRequestCustomizer}). */
    private static final String CERTIFICATES = "jakarta.servlet.request.X509Certificate";

    private final SecurityService security;
    private final boolean clientCertificates;

    /** @param clientCertificates whether guarded routes need a client certificate (HTTPS with {@code tls.client_auth: required}) */
    AccessGuard(SecurityService security, boolean clientCertificates) {
        this.security = requireNonNull(security, "security is null");
        this.clientCertificates = clientCertificates;
    }

    /** The principal of a request the guard let through. */
    static Principal principal(Context ctx) {
        Principal p = ctx.attribute(PRINCIPAL);
        if (p == null) {
            throw new IllegalStateException("no principal on " + ctx.method() + " " + ctx.path() + ": the route is not guarded");
        }
        return p;
    }

    /** The handler wrapped: access checked first, the outcome of admin actions audited after. */
    Handler guard(HandlerType method, Access access, Handler handler) {
        if (access.scope() == Access.Scope.OPEN) {
            return handler;
        }
        boolean audited = method != HandlerType.GET && access.role() == Role.ADMIN;
        return ctx -> {
            Principal p = check(ctx, access);
            try {
                handler.handle(ctx);
                if (audited) {
                    security.audit().record(p, ctx.ip(), action(ctx), "allowed", ctx.statusCode(), null);
                }
            } catch (HiddenObjectException e) { // a body naming another tenant's object: answered as missing, audited as refused
                throw deny(ctx, p, e);
            } catch (HubException e) {
                if (audited) {
                    security.audit().record(p, ctx.ip(), action(ctx), "failed", Problems.status(e), e.getMessage());
                }
                throw e;
            } catch (Exception e) {
                if (audited) { // a body that is not JSON (400) or an internal error: its class, never its text (it may quote the body)
                    security.audit().record(p, ctx.ip(), action(ctx), "failed", Problems.statusOf(e), e.getClass().getSimpleName());
                }
                throw e;
            }
        };
    }

    /** Authenticates and authorizes a request; the principal is kept on the request for the controllers. */
    Principal check(Context ctx, Access access) {
        if (clientCertificates && !(ctx.req().getAttribute(CERTIFICATES) instanceof X509Certificate[] chain && chain.length > 0)) {
            UnauthenticatedException e = UnauthenticatedException.noClientCertificate();
            security.audit().record(null, ctx.ip(), action(ctx), "denied", 401, e.reason());
            throw e;
        }
        Principal p;
        try {
            p = security.authenticate(credential(ctx), ctx.ip());
        } catch (UnauthenticatedException e) {
            security.audit().record(null, ctx.ip(), action(ctx), "denied", 401, e.reason());
            ctx.header("WWW-Authenticate", "Bearer realm=\"dih\"");
            throw e;
        } catch (LoginLimiter.Throttled e) {
            if (e.first()) {
                security.audit().record(null, ctx.ip(), action(ctx), "denied", 429, e.getMessage() + " (further refusals this minute not audited)");
            }
            ctx.header("Retry-After", Long.toString(e.retryAfterSeconds()));
            throw e;
        }
        ctx.attribute(PRINCIPAL, p);
        if (!p.role().covers(access.role())) {
            throw deny(ctx, p, new ForbiddenException("this request needs the '" + access.role().wireName() + "' role; the credential has '"
                    + p.role().wireName() + "'"));
        }
        switch (access.scope()) {
            case OPERATOR -> {
                if (!p.operator()) {
                    throw deny(ctx, p, new ForbiddenException(access.why()));
                }
            }
            case REGION -> {
                String name = ctx.pathParam(access.param());
                if (!p.owns(name)) {
                    throw deny(ctx, p, RegionService.notFound(name));
                }
            }
            case SOURCE -> {
                String name = ctx.pathParam(access.param());
                if (!p.owns(name)) {
                    throw deny(ctx, p, SourceRegistry.notFound(name));
                }
            }
            case ENDPOINT -> {
                String path = ctx.pathParam(access.param());
                if (!p.ownsEndpoint(path)) {
                    throw deny(ctx, p, EndpointService.notFound(path));
                }
            }
            default -> {
                // TENANT: the controller scopes
            }
        }
        return p;
    }

    private HubException deny(Context ctx, Principal p, HubException e) {
        security.audit().record(p, ctx.ip(), action(ctx), "denied", Problems.status(e), e.getMessage());
        return e;
    }

    /** {@code Authorization: Bearer <credential>}, else {@code X-API-Key}; another scheme is a credential that fails. */
    private static String credential(Context ctx) {
        String auth = ctx.header("Authorization");
        if (auth != null && !auth.isBlank()) {
            String a = auth.trim();
            return a.regionMatches(true, 0, "Bearer ", 0, 7) ? a.substring(7).trim() : a.toLowerCase(Locale.ROOT).startsWith("bearer") ? "" : a;
        }
        return ctx.header("X-API-Key");
    }

    private static String action(Context ctx) {
        return ctx.method().name() + " " + ctx.path();
    }
}
