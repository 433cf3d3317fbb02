package io.dih.server.gateway;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.dih.server.security.ApiKeys;
import io.dih.server.security.AuditLog;
import io.dih.server.security.Principal;
import io.dih.server.security.Role;
import io.dih.server.security.SecurityService;
import io.dih.server.security.Tenants;
import io.dih.spi.InvalidSpecException;
import io.javalin.http.Context;
import io.javalin.openapi.HttpMethod;
import io.javalin.openapi.OpenApi;
import io.javalin.openapi.OpenApiContent;
import io.javalin.openapi.OpenApiParam;
import io.javalin.openapi.OpenApiRequestBody;
import io.javalin.openapi.OpenApiResponse;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

/** Tenants ({@code /tenants}, the operator's), API keys ({@code /api-keys}) and the audit log ({@code /audit}). */
final class SecurityController {
    static final String TENANTS = GatewayApp.API + "/tenants";
    static final String KEYS = GatewayApp.API + "/api-keys";
    static final String AUDIT = GatewayApp.API + "/audit";

    private final SecurityService security;

    SecurityController(SecurityService security) {
        this.security = requireNonNull(security, "security is null");
    }

    record TenantList(@JsonProperty("tenants") List<Tenants.Tenant> tenants) {
    }

    /** The body of {@code POST /api-keys}. */
    record KeyRequest(@JsonProperty("name") String name, @JsonProperty("tenant") String tenant, @JsonProperty("role") String role,
                      @JsonProperty("expires_at") @JsonFormat(shape = JsonFormat.Shape.STRING) Instant expiresAt) {
    }

    /** A key just made or rotated: {@code key} is shown this once. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record IssuedKey(@JsonProperty("id") String id, @JsonProperty("key") String key, @JsonProperty("name") String name,
                     @JsonProperty("tenant") String tenant, @JsonProperty("role") String role,
                     @JsonProperty("expires_at") @JsonFormat(shape = JsonFormat.Shape.STRING) Instant expiresAt,
                     @JsonProperty("previous_valid_until") @JsonFormat(shape = JsonFormat.Shape.STRING) Instant previousValidUntil) {
        static IssuedKey of(ApiKeys.Issued i) {
            ApiKeys.KeyRecord r = i.record();
            return new IssuedKey(r.id(), i.key(), r.name(), r.tenant(), r.role(), r.expiresAt(), r.previousValidUntil());
        }
    }

    record KeyList(@JsonProperty("api_keys") List<ApiKeys.KeyRecord> keys) {
    }

    record RotateRequest(@JsonProperty("overlap_seconds") Long overlapSeconds) {
    }

    record AuditList(@JsonProperty("events") List<AuditLog.Event> events) {
    }

    @OpenApi(path = TENANTS, methods = HttpMethod.POST, tags = "Security", operationId = "createTenant",
            summary = "Registers a tenant (operator only): its objects are named <tenant>_..., its endpoint paths <tenant>/...",
            requestBody = @OpenApiRequestBody(content = @OpenApiContent(from = Tenants.Tenant.class), required = true),
            responses = {
                @OpenApiResponse(status = "201", content = @OpenApiContent(from = Tenants.Tenant.class)),
                @OpenApiResponse(status = "200", description = "The same tenant was registered before", content = @OpenApiContent(from = Tenants.Tenant.class)),
                @OpenApiResponse(status = "400", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE)),
                @OpenApiResponse(status = "403", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE)),
                @OpenApiResponse(status = "409", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE))})
    void createTenant(Context ctx) {
        Tenants.Tenant spec = Bodies.read(ctx, Tenants.Tenant.class);
        boolean existed = security.tenants().exists(spec.name());
        Bodies.json(ctx, existed ? 200 : 201, security.tenants().create(spec));
    }

    @OpenApi(path = TENANTS, methods = HttpMethod.GET, tags = "Security", operationId = "listTenants", summary = "Every tenant (operator only)",
            responses = @OpenApiResponse(status = "200", content = @OpenApiContent(from = TenantList.class)))
    void listTenants(Context ctx) {
        Bodies.json(ctx, 200, new TenantList(security.tenants().list()));
    }

    @OpenApi(path = TENANTS + "/{name}", methods = HttpMethod.GET, tags = "Security", operationId = "getTenant", summary = "One tenant (operator only)",
            pathParams = @OpenApiParam(name = "name", required = true),
            responses = {
                @OpenApiResponse(status = "200", content = @OpenApiContent(from = Tenants.Tenant.class)),
                @OpenApiResponse(status = "404", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE))})
    void getTenant(Context ctx) {
        Bodies.json(ctx, 200, security.tenants().get(ctx.pathParam("name")));
    }

    @OpenApi(path = TENANTS + "/{name}", methods = HttpMethod.DELETE, tags = "Security", operationId = "deleteTenant",
            summary = "Deletes a tenant that owns no region, source or endpoint any more, and revokes its keys (operator only)",
            pathParams = @OpenApiParam(name = "name", required = true),
            responses = {
                @OpenApiResponse(status = "204"),
                @OpenApiResponse(status = "404", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE)),
                @OpenApiResponse(status = "409", description = "It still owns objects", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE))})
    void deleteTenant(Context ctx) {
        security.deleteTenant(ctx.pathParam("name"));
        ctx.status(204);
    }

    @OpenApi(path = KEYS, methods = HttpMethod.POST, tags = "Security", operationId = "createApiKey",
            summary = "Makes an API key (admin); the key is in this answer only. A tenant's admin makes keys of its own tenant",
            requestBody = @OpenApiRequestBody(content = @OpenApiContent(from = KeyRequest.class), required = true),
            responses = {
                @OpenApiResponse(status = "201", content = @OpenApiContent(from = IssuedKey.class)),
                @OpenApiResponse(status = "400", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE))})
    void createKey(Context ctx) {
        KeyRequest req = Bodies.read(ctx, KeyRequest.class);
        Role role = Role.parse("role", req.role());
        Bodies.json(ctx, 201, IssuedKey.of(security.createKey(AccessGuard.principal(ctx), req.name(), req.tenant(), role, req.expiresAt())));
    }

    @OpenApi(path = KEYS, methods = HttpMethod.GET, tags = "Security", operationId = "listApiKeys",
            summary = "The API keys the caller may see (admin): all for the operator, its tenant's for a tenant; never a secret",
            responses = @OpenApiResponse(status = "200", content = @OpenApiContent(from = KeyList.class)))
    void listKeys(Context ctx) {
        Bodies.json(ctx, 200, new KeyList(security.listKeys(AccessGuard.principal(ctx))));
    }

    @OpenApi(path = KEYS + "/{id}", methods = HttpMethod.DELETE, tags = "Security", operationId = "revokeApiKey",
            summary = "Revokes an API key at once, on every node (admin)",
            pathParams = @OpenApiParam(name = "id", required = true),
            responses = {
                @OpenApiResponse(status = "204"),
                @OpenApiResponse(status = "404", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE))})
    void revokeKey(Context ctx) {
        security.revokeKey(AccessGuard.principal(ctx), ctx.pathParam("id"));
        ctx.status(204);
    }

    @OpenApi(path = KEYS + "/{id}/rotate", methods = HttpMethod.POST, tags = "Security", operationId = "rotateApiKey",
            summary = "Gives an API key a new secret (shown once); the old one keeps working for overlap_seconds (default 3600)",
            pathParams = @OpenApiParam(name = "id", required = true),
            requestBody = @OpenApiRequestBody(content = @OpenApiContent(from = RotateRequest.class)),
            responses = {
                @OpenApiResponse(status = "200", content = @OpenApiContent(from = IssuedKey.class)),
                @OpenApiResponse(status = "404", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE))})
    void rotateKey(Context ctx) {
        RotateRequest req = ctx.body().isBlank() ? new RotateRequest(null) : Bodies.read(ctx, RotateRequest.class);
        long overlap = req.overlapSeconds() == null ? 3600 : req.overlapSeconds();
        Bodies.json(ctx, 200, IssuedKey.of(security.rotateKey(AccessGuard.principal(ctx), ctx.pathParam("id"), overlap)));
    }

    @OpenApi(path = AUDIT, methods = HttpMethod.GET, tags = "Security", operationId = "audit",
            summary = "Audit events of the cluster, newest first (admin): admin actions and refused requests; a tenant's admin sees its tenant's",
            queryParams = {
                @OpenApiParam(name = "since", description = "ISO-8601 instant: events at or after it"),
                @OpenApiParam(name = "tenant", description = "the operator: one tenant's events only"),
                @OpenApiParam(name = "outcome", description = "allowed, failed or denied"),
                @OpenApiParam(name = "limit", description = "at most this many (1-1000, default 100)")},
            responses = {
                @OpenApiResponse(status = "200", content = @OpenApiContent(from = AuditList.class)),
                @OpenApiResponse(status = "400", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE))})
    void audit(Context ctx) {
        Principal p = AccessGuard.principal(ctx);
        Instant since = null;
        String s = ctx.queryParam("since");
        if (s != null && !s.isBlank()) {
            try {
                since = Instant.parse(s.trim());
            } catch (DateTimeParseException e) {
                throw new InvalidSpecException("since", "must be an ISO-8601 instant such as 2026-01-31T12:00:00Z, was '" + s + "'");
            }
        }
        String outcome = ctx.queryParam("outcome");
        if (outcome != null && !List.of("allowed", "failed", "denied").contains(outcome)) {
            throw new InvalidSpecException("outcome", "must be allowed, failed or denied, was '" + outcome + "'");
        }
        String tenant = p.operator() ? ctx.queryParam("tenant") : p.tenant();
        boolean tenantOnly = !p.operator() || tenant != null;
        int limit = Bodies.limit(ctx, "limit", 100, 1000);
        Bodies.json(ctx, 200, new AuditList(security.audit().query(since, tenant, tenantOnly, outcome, limit)));
    }
}
