package io.dih.server.region;

import io.dih.api.ExpiryPolicySpec;
import java.io.Serializable;
import java.util.concurrent.TimeUnit;
import javax.cache.configuration.Factory;
import javax.cache.expiry.Duration;
import javax.cache.expiry.ExpiryPolicy;

/**
 * A region's expiry ({@link ExpiryPolicySpec}) as a JCache expiry policy. A plain class, not a record: Ignite ships
 * cache configurations between nodes, and its marshaller cannot rebuild records on Java 17.
 */
final class RegionExpiryFactory implements Factory<ExpiryPolicy> {
    private static final long serialVersionUID = 1L;

    private final Long creationSeconds;
    private final Long accessSeconds;
    private final Long updateSeconds;

    private RegionExpiryFactory(Long creationSeconds, Long accessSeconds, Long updateSeconds) {
        this.creationSeconds = creationSeconds;
        this.accessSeconds = accessSeconds;
        this.updateSeconds = updateSeconds;
    }

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

    private static final class Policy implements ExpiryPolicy, Serializable {
        private static final long serialVersionUID = 1L;
        private final Duration creation;
        private final Duration access;
        private final Duration update;

        Policy(Duration creation, Duration access, Duration update) {
            this.creation = creation;
            this.access = access;
            this.update = update;
        }

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
