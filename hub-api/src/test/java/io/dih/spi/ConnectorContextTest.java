package io.dih.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ConnectorContextTest {
    @Test
    void resolvesEnvironmentReferencesAndNamesTheFieldWhenUnset() {
        ConnectorContext ctx = ConnectorContext.of(Map.of("CRM_PASSWORD", "s3cret"));
        assertThat(ctx.resolve("connection_params.password", "${CRM_PASSWORD}")).isEqualTo("s3cret");
        assertThat(ctx.resolve("connection_params.password", "plain")).isEqualTo("plain");
        assertThat(ctx.resolve("connection_params.password", null)).isNull();
        assertThatThrownBy(() -> ctx.resolve("connection_params.password", "${MISSING}"))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> {
                    assertThat(e.field()).isEqualTo("connection_params.password");
                    assertThat(e.getMessage()).contains("MISSING").doesNotContain("s3cret");
                });
    }
}
