package io.dih.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import io.dih.server.testing.Rest;
import io.dih.server.testing.TestingHubCluster;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Bearer JWTs of an identity provider whose keys a test HTTP server publishes as a JWKS: the signature, issuer,
 * audience and expiry are checked, the tenant and role come from claims.
 */
class JwtIT {
    static final String API = "/api/v1/dih";
    static final String ISSUER = "https://idp.test";
    static final String AUDIENCE = "dih";

    @Test
    void tokensOfTheIdentityProviderAreCheckedAndMappedToTenantAndRole() throws Exception {
        RSAKey key = new RSAKeyGenerator(2048).keyID("k1").generate();
        RSAKey impostor = new RSAKeyGenerator(2048).keyID("k1").generate();
        HttpServer jwks = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        byte[] body = new JWKSet(key.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
        jwks.createContext("/jwks.json", ex -> {
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        jwks.start();
        try (TestingHubCluster cluster = TestingHubCluster.start(1, tree -> tree.putObject("security").put("admin_key",
                io.dih.testing.HubCredentials.ADMIN_KEY).putObject("jwt").put("jwks_url", "http://127.0.0.1:" + jwks.getAddress().getPort() + "/jwks.json")
                .put("issuer", ISSUER).put("audience", AUDIENCE))) {
            String base = cluster.node(0).baseUrl();
            assertThat(new Rest(base).post(API + "/tenants", "{\"name\": \"initech\"}").status()).isEqualTo(201);

            String operator = token(key, c -> c.claim("role", "admin"));
            assertThat(Rest.withKey(base, operator).post(API + "/cache-regions", "{\"name\": \"shared\", \"fields\": {\"id\": \"BIGINT\"}}").status())
                    .isEqualTo(201);
            String reader = token(key, c -> c.claim("role", "reader").claim("tenant", "initech"));
            Rest.Response list = Rest.withKey(base, reader).get(API + "/cache-regions");
            assertThat(list.status()).isEqualTo(200);
            assertThat(list.json().path("regions").size()).as("the operator's region is not the tenant's").isZero();
            assertThat(Rest.withKey(base, reader).get(API + "/cache-regions/shared").status()).isEqualTo(404);
            assertThat(Rest.withKey(base, reader).post(API + "/cache-regions", "{\"name\": \"initech_x\", \"fields\": {\"id\": \"BIGINT\"}}").status())
                    .isEqualTo(403);

            for (String bad : new String[] {
                token(key, c -> c.claim("role", "admin").issuer("https://other.idp")),
                token(key, c -> c.claim("role", "admin").audience("someone-else")),
                token(key, c -> c.claim("role", "admin").expirationTime(Date.from(Instant.now().minusSeconds(120)))),
                token(impostor, c -> c.claim("role", "admin")),
                token(key, c -> c.claim("role", "admin").claim("tenant", "nosuchtenant")),
                token(key, c -> c.claim("role", "superuser")),
                token(key, c -> { })}) {
                Rest.Response r = Rest.withKey(base, bad).get(API + "/cache-regions");
                assertThat(r.status()).as(r.toString()).isEqualTo(401);
                assertThat(r.body()).doesNotContain("issuer", "audience", "expired", "signature");
            }
        } finally {
            jwks.stop(0);
        }
    }

    private static String token(RSAKey key, Consumer<JWTClaimsSet.Builder> claims) throws Exception {
        JWTClaimsSet.Builder b = new JWTClaimsSet.Builder().subject("alice").issuer(ISSUER).audience(AUDIENCE)
                .expirationTime(Date.from(Instant.now().plusSeconds(300))).issueTime(new Date());
        claims.accept(b);
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), b.build());
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }
}
