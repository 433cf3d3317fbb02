package io.dih.connector.elasticsearch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dih.api.SqlType;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DocumentCodecTest {
    private final ObjectMapper json = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private final DocumentCodec codec = new DocumentCodec(json);

    @Test
    void pathsReachNestedObjectsAndDottedKeys() throws Exception {
        JsonNode doc = json.readTree("{\"a\":{\"b\":{\"c\":1}},\"x.y\":2,\"p\":{\"q.r\":3}}");
        assertThat(DocumentCodec.at(doc, "a.b.c").asInt()).isEqualTo(1);
        assertThat(DocumentCodec.at(doc, "x.y").asInt()).isEqualTo(2);
        assertThat(DocumentCodec.at(doc, "p.q.r").asInt()).isEqualTo(3);
        assertThat(DocumentCodec.at(doc, "a.nope")).isNull();
        assertThat(DocumentCodec.at(doc, "a.b").toString()).isEqualTo("{\"c\":1}");
    }

    @Test
    void valuesConvertToTheirColumnsOrStayAsTheyCame() throws Exception {
        JsonNode doc = json.readTree("{\"n\":12,\"big\":12.50,\"s\":\"7\",\"bad\":\"seven\",\"t\":\"2024-05-01T10:00:00+02:00\","
                + "\"d\":\"2024-05-01\",\"ms\":0,\"b\":\"true\",\"arr\":[1,2],\"huge\":99999999999}");
        assertThat(codec.value(doc.get("n"), SqlType.BIGINT)).isEqualTo(12L);
        assertThat(codec.value(doc.get("s"), SqlType.INT)).isEqualTo(7);
        assertThat(codec.value(doc.get("bad"), SqlType.INT)).isEqualTo("seven");
        assertThat(codec.value(doc.get("huge"), SqlType.INT)).isEqualTo("99999999999");
        assertThat(codec.value(doc.get("big"), SqlType.BIGINT)).as("not whole").isEqualTo("12.5");
        assertThat((BigDecimal) codec.value(doc.get("big"), SqlType.DECIMAL)).isEqualByComparingTo("12.50");
        assertThat(((Timestamp) codec.value(doc.get("t"), SqlType.TIMESTAMP)).toInstant()).isEqualTo(Instant.parse("2024-05-01T08:00:00Z"));
        assertThat(((Timestamp) codec.value(doc.get("d"), SqlType.TIMESTAMP)).toInstant()).isEqualTo(Instant.parse("2024-05-01T00:00:00Z"));
        assertThat(((Timestamp) codec.value(doc.get("ms"), SqlType.TIMESTAMP)).getTime()).isZero();
        assertThat(codec.value(doc.get("b"), SqlType.BOOLEAN)).isEqualTo(true);
        assertThat(codec.value(doc.get("arr"), SqlType.BIGINT)).isEqualTo("[1,2]");
        assertThat(codec.value(doc.get("arr"), SqlType.VARCHAR)).isEqualTo("[1,2]");
    }

    @Test
    void documentsNestDottedColumnsAndParseObjectColumns() {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("_id", "k");
        row.put("author.name", "Ann");
        row.put("author.born", 1970);
        row.put("tags", "[{\"t\":\"x\"}]");
        row.put("note", "[not json for a text column]");
        row.put("price", new BigDecimal("1.50"));
        row.put("at", Timestamp.from(Instant.parse("2024-01-02T03:04:05Z")));
        ElasticsearchSchema schema = new ElasticsearchSchema(Map.of(), Set.of("tags", "author"));
        assertThat(codec.document(row, schema).toString()).isEqualTo("{\"author\":{\"name\":\"Ann\",\"born\":1970},\"tags\":[{\"t\":\"x\"}],"
                + "\"note\":\"[not json for a text column]\",\"price\":1.50,\"at\":\"2024-01-02T03:04:05Z\"}");
    }

    @Test
    void idsAreTheKeysText() {
        assertThat(DocumentCodec.id(42L)).isEqualTo("42");
        assertThat(DocumentCodec.id(new BigDecimal("42.00"))).isEqualTo("42");
        assertThat(DocumentCodec.id(4.0d)).isEqualTo("4");
        assertThat(DocumentCodec.id("abc")).isEqualTo("abc");
    }
}
