package io.dih.server.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dih.spi.UnavailableException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.cache.CacheException;
import org.junit.jupiter.api.Test;

class SettlingRetryTest {
    private static RuntimeException distinct() {
        return new UnavailableException("the cluster could not run the query: Caches have distinct sets of data nodes [cache1=a, cache2=b]",
                new CacheException("Caches have distinct sets of data nodes [cache1=a, cache2=b]"));
    }

    @Test
    void aQueryRefusedWhileTheClusterSettlesRunsAgain() {
        AtomicInteger calls = new AtomicInteger();
        String answer = SettlingRetry.run(5_000, () -> {
            if (calls.incrementAndGet() < 3) {
                throw distinct();
            }
            return "rows";
        });
        assertThat(answer).isEqualTo("rows");
        assertThat(calls).hasValue(3);
    }

    @Test
    void otherFailuresAreNotRetried() {
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> SettlingRetry.run(5_000, () -> {
            calls.incrementAndGet();
            throw new CacheException("Failed to parse query");
        })).hasMessageContaining("parse");
        assertThat(calls).hasValue(1);
    }

    @Test
    void theRefusalIsAnsweredOnceTheTimeLimitWouldPass() {
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> SettlingRetry.run(300, () -> {
            calls.incrementAndGet();
            throw distinct();
        })).isInstanceOf(UnavailableException.class).hasMessageContaining("distinct sets");
        assertThat(calls.get()).as("tried again before giving up").isGreaterThanOrEqualTo(2);
        assertThat(SettlingRetry.settling(new CacheException("x", new IllegalStateException(
                "Failed to execute query because partitions exchange wasn't yet completed after cache creation")))).isTrue();
    }
}
