package io.dih.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Subscription options as a WebSocket query, and which close codes end a subscription. */
class SubscribeOptionsTest {
    @Test
    void optionsBecomeTheQueryString() {
        assertThat(SubscribeOptions.defaults().query()).isEmpty();
        SubscribeOptions o = SubscribeOptions.defaults().withFilter("price > 10 AND name <> 'x'").withColumns(List.of("a", "b"))
                .withSnapshot(true).withFrom("k3f9a2qz.1042").withOps(ChangeEvent.Op.DELETE, ChangeEvent.Op.PUT);
        assertThat(o.query()).isEqualTo("?filter=price%20%3E%2010%20AND%20name%20%3C%3E%20%27x%27&columns=a%2Cb&snapshot=true"
                + "&from=k3f9a2qz.1042&ops=put%2Cdelete");
        assertThat(o.withSnapshot(false).withFrom(null).withOps().withColumns(null).withFilter(null)).isEqualTo(SubscribeOptions.defaults());
        assertThat(SubscribeOptions.defaults().withOps(ChangeEvent.Op.PUT).query()).isEqualTo("?ops=put");
    }

    @Test
    void refusalsEndASubscriptionAndEverythingElseResumes() {
        for (int code : new int[] {4400, 4404, 4410, 4401}) {
            assertThat(ResumableSubscription.isFatal(code)).as(String.valueOf(code)).isTrue();
        }
        for (int code : new int[] {1000, 1001, 1006, 1011, 4408, 4429, 4503}) {
            assertThat(ResumableSubscription.isFatal(code)).as(String.valueOf(code)).isFalse();
        }
    }
}
