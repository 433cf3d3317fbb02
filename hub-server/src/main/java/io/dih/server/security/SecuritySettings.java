package io.dih.server.security;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dih.spi.ConnectorContext;
import io.dih.spi.FieldError;
import io.dih.spi.InvalidSpecException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code security} section of the node configuration.
 *
 * @param enabled               every route but health and the OpenAPI document needs a credential (on by default; the
 *                              demo turns it off: anonymous requests are then the operator, and credentials sent
 *                              anyway are still checked)
 * @param adminKey              the operator's bootstrap key ({@code ${ENV}} allowed; also {@code DIH_ADMIN_KEY}); with
 *                              none, the first node generates one, prints it once and keeps only its hash
 * @param failedLoginsPerMinute failed authentications one client address may make per minute before it gets 429s
 * @param auditRetentionDays    how long the audit events stay queryable over REST (the JSON-lines file keeps all)
 * @param jwt                   bearer tokens of an identity provider, or {@code null}
 */
public record SecuritySettings(@JsonProperty("enabled") Boolean enabled,
                               @JsonProperty("admin_key") String adminKey,
                               @JsonProperty("failed_logins_per_minute") int failedLoginsPerMinute,
                               @JsonProperty("audit_retention_days") int auditRetentionDays,
                               @JsonProperty("jwt") Jwt jwt) {
    public static final SecuritySettings DEFAULTS = new SecuritySettings(true, null, 0, 0, null);

    public SecuritySettings {
        enabled = enabled == null || enabled;
        adminKey = adminKey == null || adminKey.isBlank() ? null : adminKey.trim();
        failedLoginsPerMinute = failedLoginsPerMinute <= 0 ? 20 : failedLoginsPerMinute;
        auditRetentionDays = auditRetentionDays <= 0 ? 7 : auditRetentionDays;
        if (jwt != null && jwt.jwksUrl() == null && jwt.publicKey() == null) {
            jwt = null; // the defaults file's empty section
        }
        if (adminKey != null && !adminKey.startsWith("${") && adminKey.length() < 16) {
            throw new InvalidSpecException("security.admin_key", "must be at least 16 characters (a long random string)");
        }
    }

    /** The admin key with an {@code ${ENV}} reference resolved against the node's environment, or {@code null}. */
    public String resolvedAdminKey(Map<String, String> env) {
        String key = adminKey == null ? null : ConnectorContext.of(env).resolve("security.admin_key", adminKey);
        if (key != null && key.length() < 16) {
            throw new InvalidSpecException("security.admin_key", "must be at least 16 characters (a long random string)");
        }
        return key;
    }

    /**
     * Bearer JWTs: signed by a key of {@code jwks_url} (fetched and cached) or by {@code public_key} (PEM); the issuer
     * and audience must match; {@code tenant_claim} names the token's tenant (absent: the operator) and
     * {@code role_claim} its role.
     */
    public record Jwt(@JsonProperty("jwks_url") String jwksUrl,
                      @JsonProperty("public_key") String publicKey,
                      @JsonProperty("issuer") String issuer,
                      @JsonProperty("audience") String audience,
                      @JsonProperty("tenant_claim") String tenantClaim,
                      @JsonProperty("role_claim") String roleClaim) {
        public Jwt {
            jwksUrl = blankToNull(jwksUrl);
            publicKey = blankToNull(publicKey);
            issuer = blankToNull(issuer);
            audience = blankToNull(audience);
            tenantClaim = tenantClaim == null || tenantClaim.isBlank() ? "tenant" : tenantClaim;
            roleClaim = roleClaim == null || roleClaim.isBlank() ? "role" : roleClaim;
            List<FieldError> errors = new ArrayList<>();
            if (jwksUrl != null || publicKey != null) {
                if (jwksUrl != null && publicKey != null) {
                    errors.add(new FieldError("security.jwt.public_key", "give jwks_url or public_key, not both"));
                }
                if (issuer == null) {
                    errors.add(new FieldError("security.jwt.issuer", "must be set: tokens of any other issuer are refused"));
                }
                if (audience == null) {
                    errors.add(new FieldError("security.jwt.audience", "must be set: tokens for any other audience are refused"));
                }
            }
            if (!errors.isEmpty()) {
                throw new InvalidSpecException(errors);
            }
        }

        private static String blankToNull(String s) {
            return s == null || s.isBlank() ? null : s.trim();
        }
    }
}
