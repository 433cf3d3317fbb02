package io.dih.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BindingSpecTest {
    private static final ObjectMapper JSON = JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    @Test
    void keysOfTheSourcesFamilyAreKeptAsOptionsAndWrittenBackAsGiven() throws Exception {
        String body = "{\"topic\":\"orders\",\"key_columns\":[\"id\"],\"format\":\"debezium\",\"aggregate\":{\"window_seconds\":10}}";
        BindingSpec b = JSON.readValue(body, BindingSpec.class);
        assertThat(b.keyColumns()).isEqualTo(List.of("id"));
        assertThat(b.options()).containsOnlyKeys("topic", "format", "aggregate");
        assertThat(b.option("topic")).isEqualTo("orders");
        assertThat(b.option("aggregate")).isEqualTo(Map.of("window_seconds", 10));
        BindingSpec again = JSON.readValue(JSON.writeValueAsString(b), BindingSpec.class);
        assertThat(again).isEqualTo(b);
        assertThat(JSON.readTree(JSON.writeValueAsString(b))).isEqualTo(JSON.readTree(body));
    }

    @Test
    void aBindingWithoutOptionsWritesNone() throws Exception {
        BindingSpec b = JSON.readValue("{\"table\":\"public.orders\"}", BindingSpec.class);
        assertThat(b.options()).isEmpty();
        assertThat(JSON.writeValueAsString(b)).isEqualTo("{\"table\":\"public.orders\"}");
        assertThat(b.withTable("x").table()).isEqualTo("x");
    }
}
