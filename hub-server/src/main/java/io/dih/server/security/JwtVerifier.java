package io.dih.server.security;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.ConfigurableJWTProcessor;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.dih.spi.InvalidSpecException;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Bearer JWTs of an identity provider (nimbus-jose-jwt): the signature is checked against the keys of a JWKS URL
 * (fetched, cached and refreshed when a token names a new key id) or one configured public key; the issuer must match
 * exactly, the audience must include the configured one, and {@code exp} must lie ahead. The tenant and role come from
 * the configured claims: a token without a tenant claim is the operator's.
 */
final class JwtVerifier {
    /** Asymmetric algorithms only: a shared secret would let anyone who can check a token also make one. */
    private static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512,
            JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512, JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512,
            JWSAlgorithm.EdDSA);

    private final SecuritySettings.Jwt settings;
    private final ConfigurableJWTProcessor<SecurityContext> processor;
    private final Predicate<String> tenantExists;

    JwtVerifier(SecuritySettings.Jwt settings, Predicate<String> tenantExists) {
        this.settings = requireNonNull(settings, "settings is null");
        this.tenantExists = requireNonNull(tenantExists, "tenantExists is null");
        DefaultJWTProcessor<SecurityContext> p = new DefaultJWTProcessor<>();
        p.setJWSKeySelector(new JWSVerificationKeySelector<>(ALGORITHMS, keys(settings)));
        p.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(settings.audience(),
                new JWTClaimsSet.Builder().issuer(settings.issuer()).build(), Set.of("exp", "sub")));
        this.processor = p;
    }

    private static JWKSource<SecurityContext> keys(SecuritySettings.Jwt s) {
        if (s.jwksUrl() != null) {
            try {
                return JWKSourceBuilder.create(URI.create(s.jwksUrl()).toURL()).retrying(true).build();
            } catch (MalformedURLException | IllegalArgumentException e) {
                throw new InvalidSpecException("security.jwt.jwks_url", "is not a URL: " + e.getMessage());
            }
        }
        String pem = s.publicKey();
        if (!pem.startsWith("-----BEGIN")) {
            try {
                pem = Files.readString(Path.of(pem)); // a file (a mounted Kubernetes Secret)
            } catch (IOException | RuntimeException e) {
                throw new InvalidSpecException("security.jwt.public_key", "is neither a PEM public key nor a readable file: " + e.getMessage());
            }
        }
        try {
            JWK key = JWK.parseFromPEMEncodedObjects(pem);
            return new ImmutableJWKSet<>(new JWKSet(key.toPublicJWK()));
        } catch (JOSEException e) {
            throw new InvalidSpecException("security.jwt.public_key", "is not a PEM RSA or EC public key: " + e.getMessage());
        }
    }

    /** Whether a credential has a JWT's shape (three base64url parts). */
    static boolean looksLikeJwt(String credential) {
        int first = credential.indexOf('.');
        return first > 0 && credential.indexOf('.', first + 1) > first + 1 && credential.startsWith("ey");
    }

    Principal verify(String token) {
        JWTClaimsSet claims;
        try {
            claims = processor.process(token, null);
        } catch (ParseException | BadJOSEException | JOSEException e) {
            throw new UnauthenticatedException("bearer token refused: " + e.getMessage());
        }
        String tenant;
        String roleText;
        try {
            tenant = claims.getStringClaim(settings.tenantClaim());
            roleText = claims.getStringClaim(settings.roleClaim());
        } catch (ParseException e) {
            throw new UnauthenticatedException("bearer token's tenant or role claim is not a string");
        }
        Role role;
        try {
            role = Role.parse(settings.roleClaim(), roleText);
        } catch (InvalidSpecException e) {
            throw new UnauthenticatedException("bearer token of " + claims.getSubject() + " has no usable '" + settings.roleClaim() + "' claim");
        }
        if (tenant != null && !tenantExists.test(tenant)) {
            throw new UnauthenticatedException("bearer token of " + claims.getSubject() + " names tenant '" + tenant + "', which does not exist");
        }
        return new Principal("jwt:" + claims.getSubject(), tenant, role, "jwt");
    }
}
