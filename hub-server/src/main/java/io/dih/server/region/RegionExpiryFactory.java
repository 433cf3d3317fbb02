package io.dih.server.region;

import io.dih.api.ExpiryPolicySpec;
import java.io.Serializable;
import java.util.concurrent.TimeUnit;
import javax.cache.configuration.Factory;
import javax.cache.expiry.Duration;
import javax.cache.expiry.ExpiryPolicy;

/**
 * A region's expiry ({@link ExpiryPolicySpec}) as a JCache expiry policy. Serializable and on every server's
 * classpath, as Ignite ships cache configurations between nodes.
 */
record RegionExpiryFactory(Long creationSeconds, Long accessSeconds, Long updateSeconds) implements Factory<ExpiryPolicy>, Serializable {

    static RegionExpiryFactory of(ExpiryPolicySpec spec) {
        return new RegionExpiryFactory(spec.creationSeconds(), spec.access(), spec.update());
    }

    @Override
    public ExpiryPolicy create() {
        return new Policy(seconds(creationSeconds), seconds(accessSeconds), seconds(updateSeconds));
    }

    private static Duration seconds(Long s) {
        return s == null ? null : new Duration(TimeUnit.SECONDS, s);
    }

    private record Policy(Duration creation, Duration access, Duration update) implements ExpiryPolicy, Serializable {
        @Override
        public Duration getExpiryForCreation() {
            return creation == null ? Duration.ETERNAL : creation;
        }

        @Override
        public Duration getExpiryForAccess() {
            return access;
        }

        @Override
        public Duration getExpiryForUpdate() {
            return update;
        }
    }
}
