package io.dih.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dih.api.AtomicityMode;
import io.dih.api.CacheMode;
import io.dih.api.CacheStrategy;
import io.dih.api.ExpiryPolicySpec;
import io.dih.api.IndexSpec;
import io.dih.api.RegionDefaults;
import io.dih.api.RegionSpec;
import io.dih.api.SqlType;
import io.dih.server.json.Json;
import io.dih.server.region.RegionRecord;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RegionViewTest {
    @Test
    void showsTheSpecFieldsAsTheyWereAndEveryColumnWithItsOrigin() {
        RegionSpec spec = new RegionSpec("orders", null, null, null, null, null, null, null, List.of("order_id"),
                Map.of("order_id", SqlType.BIGINT)).normalize(RegionDefaults.STANDARD);
        Map<String, SqlType> added = new LinkedHashMap<>();
        added.put("customer", SqlType.VARCHAR);
        added.put("total", SqlType.DECIMAL);
        RegionRecord record = new RegionRecord(spec, "v", "k", "2026-01-01T00:00:00Z")
                .withAddedFields(added, "shop_db")
                .withAddedFields(Map.of("placed_at", SqlType.TIMESTAMP), "other_db");

        JsonNode view = Json.MAPPER.valueToTree(RegionController.RegionView.of(record));

        ObjectNode specOnly = ((ObjectNode) view.deepCopy());
        specOnly.remove("columns");
        assertThat(specOnly).isEqualTo(Json.MAPPER.valueToTree(spec));
        assertThat(view.path("columns").toString()).isEqualTo("""
                [{"name":"order_id","type":"BIGINT","key":true,"origin":"spec"},\
                {"name":"customer","type":"VARCHAR","key":false,"origin":"source:shop_db"},\
                {"name":"total","type":"DECIMAL","key":false,"origin":"source:shop_db"},\
                {"name":"placed_at","type":"TIMESTAMP","key":false,"origin":"source:other_db"}]""");
    }

    static List<String> jsonNames(Class<? extends Record> type) throws NoSuchFieldException {
        List<String> out = new ArrayList<>();
        for (RecordComponent c : type.getRecordComponents()) {
            out.add(type.getDeclaredField(c.getName()).getAnnotation(JsonProperty.class).value());
        }
        return out;
    }

    @Test
    void repeatsEveryPropertyOfTheSpec() throws Exception {
        List<String> spec = new ArrayList<>(jsonNames(RegionSpec.class));
        spec.add("columns");
        assertThat(jsonNames(RegionController.RegionView.class)).isEqualTo(spec);
        RegionSpec full = new RegionSpec("everything", CacheMode.REPLICATED, 0, AtomicityMode.TRANSACTIONAL,
                CacheStrategy.REFRESH_AHEAD, new ExpiryPolicySpec(60L, 60L, 60L), 10L,
                List.of(new IndexSpec("v", SqlType.VARCHAR)), List.of("id"), Map.of("id", SqlType.BIGINT, "v", SqlType.VARCHAR), 0.5, "id")
                .normalize(RegionDefaults.STANDARD);
        ObjectNode shown = Json.MAPPER.valueToTree(RegionController.RegionView.of(new RegionRecord(full, "v", "k", "2026-01-01T00:00:00Z")));
        shown.remove("columns");
        assertThat(shown).isEqualTo(Json.MAPPER.valueToTree(full));
    }

    @Test
    void aColumnAddedBeforeOriginsWereRecordedComesFromAnUnnamedSource() throws Exception {
        RegionSpec spec = RegionSpec.named("legacy").normalize(RegionDefaults.STANDARD);
        String old = "{\"spec\": " + Json.MAPPER.writeValueAsString(spec)
                + ", \"value_type\": \"v\", \"key_type\": \"k\", \"created_at\": \"2025-01-01T00:00:00Z\", \"added_fields\": {\"note\": \"VARCHAR\"}}";
        RegionRecord record = Json.MAPPER.readValue(old, RegionRecord.class);
        assertThat(record.columnList()).extracting(c -> c.name() + " " + c.origin()).containsExactly("id spec", "note source");
    }
}
