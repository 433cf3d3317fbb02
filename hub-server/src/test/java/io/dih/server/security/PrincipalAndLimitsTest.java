package io.dih.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dih.spi.InvalidSpecException;
import org.junit.jupiter.api.Test;

class PrincipalAndLimitsTest {
    @Test
    void aTenantOwnsTheNamesWithItsPrefixOnlyAndTheOperatorOwnsAll() {
        Principal acme = new Principal("k1", "ACME", Role.READER, "api_key");
        assertThat(acme.tenant()).isEqualTo("acme");
        assertThat(acme.owns("acme_orders")).isTrue();
        assertThat(acme.owns("ACME_Orders")).as("names ignore case, as SQL does").isTrue();
        assertThat(acme.owns("acme")).isFalse();
        assertThat(acme.owns("acmeco_orders")).as("another tenant's prefix that starts alike").isFalse();
        assertThat(acme.owns("orders")).isFalse();
        assertThat(acme.owns(null)).isFalse();
        assertThat(acme.ownsEndpoint("acme/orders/by-id")).isTrue();
        assertThat(acme.ownsEndpoint("/acme/orders")).isTrue();
        assertThat(acme.ownsEndpoint("acmeco/orders")).isFalse();
        assertThat(acme.operator()).isFalse();
        assertThat(Principal.ANONYMOUS.owns("anything")).isTrue();
        assertThat(Principal.ANONYMOUS.ownsEndpoint("any/path")).isTrue();
    }

    @Test
    void rolesIncludeTheOnesBeforeThem() {
        assertThat(Role.ADMIN.covers(Role.WRITER)).isTrue();
        assertThat(Role.WRITER.covers(Role.READER)).isTrue();
        assertThat(Role.READER.covers(Role.WRITER)).isFalse();
        assertThat(Role.parse("role", " Writer ")).isEqualTo(Role.WRITER);
        assertThatThrownBy(() -> Role.parse("role", "root")).isInstanceOf(InvalidSpecException.class).hasMessageContaining("reader, writer, admin");
    }

    @Test
    void tenantNamesCannotHoldTheUnderscoreThatEndsAPrefix() {
        assertThat(new Tenants.Tenant("acme2", null, null).quotas()).isEqualTo(Tenants.Quotas.NONE);
        for (String bad : new String[] {"acme_x", "Acme", "a", "9lives", ""}) {
            assertThatThrownBy(() -> new Tenants.Tenant(bad, null, null)).as(bad).isInstanceOf(InvalidSpecException.class);
        }
        assertThatThrownBy(() -> new Tenants.Quotas(-1, null, null, null)).hasMessageContaining("quotas.max_regions");
    }

    @Test
    void aClientFailingTooOftenIsThrottledAndToldOnceAMinute() {
        LoginLimiter limiter = new LoginLimiter(3);
        for (int i = 0; i < 3; i++) {
            limiter.check("10.0.0.1");
            limiter.failed("10.0.0.1");
        }
        LoginLimiter.Throttled first = catchThrottled(limiter, "10.0.0.1");
        assertThat(first.first()).isTrue();
        assertThat(first.retryAfterSeconds()).isBetween(1L, 61L);
        assertThat(catchThrottled(limiter, "10.0.0.1").first()).as("the next refusals in the minute are not audited").isFalse();
        limiter.check("10.0.0.2"); // another address is not affected
    }

    @Test
    void apiKeysHaveTheirShape() {
        String secret = ApiKeys.secret();
        assertThat(secret).hasSize(43).matches("[A-Za-z0-9_-]+");
        assertThat(ApiKeys.looksLikeKey("dih_0123456789abcdef_" + secret)).isTrue();
        assertThat(ApiKeys.looksLikeKey("dih_0123456789abcdef")).isFalse();
        assertThat(ApiKeys.looksLikeKey("dih_admin_" + secret)).as("the generated admin key is not an API key").isFalse();
        assertThat(ApiKeys.hash("x")).hasSize(64).isEqualTo(ApiKeys.hash("x")).isNotEqualTo(ApiKeys.hash("y"));
        assertThat(ApiKeys.equal(ApiKeys.hash("x"), ApiKeys.hash("x"))).isTrue();
        assertThat(ApiKeys.equal(ApiKeys.hash("x"), null)).isFalse();
    }

    private static LoginLimiter.Throttled catchThrottled(LoginLimiter limiter, String client) {
        try {
            limiter.check(client);
        } catch (LoginLimiter.Throttled e) {
            return e;
        }
        throw new AssertionError("not throttled");
    }
}
