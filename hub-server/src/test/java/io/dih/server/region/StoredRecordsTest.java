package io.dih.server.region;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dih.api.RegionSpec;
import io.dih.server.json.Json;
import org.junit.jupiter.api.Test;

/**
 * A node reads the registry records a newer node wrote (a rolling upgrade runs both versions): properties it does not
 * know are skipped there, while a user's request with an unknown property is still refused.
 */
class StoredRecordsTest {
    @Test
    void aRegionRecordOfANewerVersionIsRead() {
        String json = "{\"spec\": {\"name\": \"orders\", \"fields\": {\"id\": \"BIGINT\"}, \"key_fields\": [\"id\"], \"from_a_newer_version\": true},"
                + " \"value_type\": \"V\", \"key_type\": \"K\", \"created_at\": \"2026-01-01T00:00:00Z\", \"also_newer\": {\"x\": 1}}";
        RegionRecord r = RegionService.read(json);
        assertThat(r.spec().name()).isEqualTo("orders");
        assertThat(r.valueType()).isEqualTo("V");
    }

    @Test
    void aUsersRegionSpecWithAnUnknownPropertyIsStillRefused() {
        assertThatThrownBy(() -> Json.MAPPER.readValue("{\"name\": \"orders\", \"fields\": {\"id\": \"BIGINT\"}, \"from_a_newer_version\": true}",
                RegionSpec.class)).as("the gateway reads bodies with Json.MAPPER").hasMessageContaining("from_a_newer_version");
    }
}
