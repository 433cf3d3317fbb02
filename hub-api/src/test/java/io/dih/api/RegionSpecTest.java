package io.dih.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.dih.spi.FieldError;
import io.dih.spi.InvalidSpecException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RegionSpecTest {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_YAML_COMMENTS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    /** Seed 004's body, comments included, exactly as written. */
    static final String SEED_BODY = """
            {
                "name": "user_sessions",
                "cache_mode": "REPLICATED",
                "backups": 1,
                "atomicity_mode": "TRANSACTIONAL",
                "cache_strategy": "WRITE_THROUGH",
                "expiry_policy": {
                    "create": 3600,  # 1 hour
                    "access": 3600
                },
                "indexes": [
                    ["user_id", "STRING"],
                    ["tenant_id", "STRING"]
                ]
            }
            """;

    private static RegionSpec parse(String json) throws Exception {
        return JSON.readValue(json, RegionSpec.class);
    }

    private static List<FieldError> errorsOf(String json) {
        try {
            parse(json);
        } catch (JsonMappingException e) {
            Throwable c = e;
            while (c != null && !(c instanceof InvalidSpecException)) {
                c = c.getCause();
            }
            if (c != null) {
                return ((InvalidSpecException) c).errors();
            }
            return List.of(new FieldError("jackson", e.getOriginalMessage()));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("no error for " + json);
    }

    @Test
    void seedBodyParsesAndNormalizes() throws Exception {
        RegionSpec spec = parse(SEED_BODY).normalize(RegionDefaults.STANDARD);
        assertThat(spec.name()).isEqualTo("user_sessions");
        assertThat(spec.cacheMode()).isEqualTo(CacheMode.REPLICATED);
        assertThat(spec.backups()).isEqualTo(1);
        assertThat(spec.atomicityMode()).isEqualTo(AtomicityMode.TRANSACTIONAL);
        assertThat(spec.cacheStrategy()).isEqualTo(CacheStrategy.WRITE_THROUGH);
        assertThat(spec.expiryPolicy()).isEqualTo(new ExpiryPolicySpec(3600L, 3600L, null));
        assertThat(spec.keyFields()).containsExactly("id");
        assertThat(spec.fields()).containsExactly(
                Map.entry("id", SqlType.VARCHAR), Map.entry("user_id", SqlType.VARCHAR), Map.entry("tenant_id", SqlType.VARCHAR));
        assertThat(spec.indexes()).containsExactly(new IndexSpec("user_id", SqlType.VARCHAR), new IndexSpec("tenant_id", SqlType.VARCHAR));
        assertThat(spec.valueFields()).containsOnlyKeys("user_id", "tenant_id");
    }

    @Test
    void featureStoreExampleTakesDefaults() throws Exception {
        RegionSpec spec = parse("""
                {"name": "ml_features_online", "eviction_max_size": 100000000,
                 "indexes": [["entity_id", "STRING"], ["feature_name", "STRING"]]}""")
                .normalize(new RegionDefaults(CacheMode.PARTITIONED, 2, AtomicityMode.ATOMIC, CacheStrategy.NONE, null));
        assertThat(spec.cacheMode()).isEqualTo(CacheMode.PARTITIONED);
        assertThat(spec.backups()).isEqualTo(2);
        assertThat(spec.atomicityMode()).isEqualTo(AtomicityMode.ATOMIC);
        assertThat(spec.evictionMaxSize()).isEqualTo(100_000_000L);
        assertThat(spec.fields()).containsOnlyKeys("id", "entity_id", "feature_name");
    }

    @Test
    void normalizingTwiceIsStable() throws Exception {
        RegionSpec once = parse(SEED_BODY).normalize(RegionDefaults.STANDARD);
        assertThat(once.normalize(RegionDefaults.STANDARD)).isEqualTo(once);
        String json = JSON.writeValueAsString(once);
        assertThat(parse(json)).isEqualTo(once);
    }

    @Test
    void compositeKeyAndTypedIdKey() throws Exception {
        RegionSpec composite = parse("""
                {"name": "f", "key_fields": ["entity_id", "version"],
                 "fields": {"entity_id": "varchar", "version": "int", "value": "double"}}""").normalize(RegionDefaults.STANDARD);
        assertThat(composite.simpleKey()).isFalse();
        assertThat(composite.valueFields()).containsOnlyKeys("value");

        RegionSpec typedId = parse("{\"name\": \"t\", \"fields\": {\"id\": \"BIGINT\", \"v\": \"TEXT\"}}").normalize(RegionDefaults.STANDARD);
        assertThat(typedId.keyFields()).containsExactly("id");
        assertThat(typedId.fields().get("id")).isEqualTo(SqlType.BIGINT);
        assertThat(typedId.fields().get("v")).isEqualTo(SqlType.VARCHAR);
    }

    @Test
    void typeAliasesAreAccepted() {
        assertThat(SqlType.of("string")).isEqualTo(SqlType.VARCHAR);
        assertThat(SqlType.of("Long")).isEqualTo(SqlType.BIGINT);
        assertThat(SqlType.of("integer")).isEqualTo(SqlType.INT);
        assertThat(SqlType.of("numeric")).isEqualTo(SqlType.DECIMAL);
        assertThat(SqlType.of("bytea")).isEqualTo(SqlType.BINARY);
        assertThatThrownBy(() -> SqlType.of("GEOMETRY")).hasMessageContaining("'GEOMETRY' is not a supported SQL type");
    }

    @Test
    void unknownEnumValueNamesTheValue() {
        assertThat(errorsOf("{\"name\": \"r\", \"cache_mode\": \"FOO\"}").toString()).contains("FOO");
    }

    @Test
    void negativeBackupsIsRejected() {
        assertThat(errorsOf("{\"name\": \"r\", \"backups\": -1}")).extracting(FieldError::field).containsExactly("backups");
    }

    @Test
    void badNamesAreRejected() {
        assertThat(errorsOf("{\"name\": \"\"}")).extracting(FieldError::field).containsExactly("name");
        assertThat(errorsOf("{\"name\": \"1abc\"}")).extracting(FieldError::message).first().asString().contains("not a valid SQL identifier");
        assertThat(errorsOf("{\"name\": \"user-sessions\"}")).extracting(FieldError::field).containsExactly("name");
        assertThat(errorsOf("{\"name\": \"select\"}")).extracting(FieldError::message).first().asString().contains("reserved");
        assertThat(errorsOf("{\"name\": \"dih_registry\"}")).extracting(FieldError::message).first().asString().contains("reserved");
        assertThat(errorsOf("{\"cache_mode\": \"REPLICATED\"}")).extracting(FieldError::field).containsExactly("name");
        assertThat(errorsOf("{\"name\": \"" + "a".repeat(65) + "\"}")).extracting(FieldError::field).containsExactly("name");
    }

    @Test
    void duplicateIndexFieldsAreRejected() {
        assertThat(errorsOf("{\"name\": \"r\", \"indexes\": [[\"a\", \"STRING\"], [\"A\", \"STRING\"]]}"))
                .extracting(FieldError::field).containsExactly("indexes[1]");
    }

    @Test
    void indexNeedsKnownTypeAndKnownField() {
        assertThat(errorsOf("{\"name\": \"r\", \"indexes\": [[\"a\"]]}")).extracting(FieldError::field).containsExactly("indexes[0]");
        assertThat(errorsOf("{\"name\": \"r\", \"fields\": {\"a\": \"INT\"}, \"indexes\": [[\"b\", \"INT\"]]}"))
                .extracting(FieldError::field).containsExactly("indexes[0]");
        assertThat(errorsOf("{\"name\": \"r\", \"fields\": {\"a\": \"INT\"}, \"indexes\": [[\"a\", \"STRING\"]]}"))
                .extracting(FieldError::message).first().asString().contains("conflicts");
    }

    @Test
    void unknownSqlTypeIsRejected() {
        assertThat(errorsOf("{\"name\": \"r\", \"fields\": {\"a\": \"GEOMETRY\"}}").toString()).contains("GEOMETRY");
        assertThat(errorsOf("{\"name\": \"r\", \"indexes\": [[\"a\", \"BLOB2\"]]}").toString()).contains("BLOB2");
    }

    @Test
    void keyFieldsMustBeColumnsAndNotBinary() {
        assertThat(errorsOf("{\"name\": \"r\", \"key_fields\": [\"k\"], \"fields\": {\"a\": \"INT\"}}"))
                .extracting(FieldError::field).containsExactly("key_fields[0]");
        assertThat(errorsOf("{\"name\": \"r\", \"key_fields\": [\"k\"], \"fields\": {\"k\": \"BINARY\"}}"))
                .extracting(FieldError::message).first().asString().contains("BINARY");
        assertThat(errorsOf("{\"name\": \"r\", \"key_fields\": [], \"fields\": {\"k\": \"INT\"}}"))
                .extracting(FieldError::field).containsExactly("key_fields");
        assertThat(errorsOf("{\"name\": \"r\", \"key_fields\": [\"k\", \"k\"], \"fields\": {\"k\": \"INT\"}}"))
                .extracting(FieldError::field).containsExactly("key_fields[1]");
    }

    @Test
    void affinityKeyMustBeAKeyColumn() throws Exception {
        RegionSpec orders = parse("{\"name\": \"orders\", \"key_fields\": [\"id\", \"customer_id\"], \"affinity_key\": \"customer_id\", "
                + "\"fields\": {\"id\": \"BIGINT\", \"customer_id\": \"BIGINT\", \"total\": \"DECIMAL\"}}");
        RegionSpec normalized = orders.normalize(RegionDefaults.STANDARD);
        assertThat(normalized.affinityKey()).isEqualTo("customer_id");
        assertThat(parse(JSON.writeValueAsString(normalized))).isEqualTo(normalized);
        assertThat(parse("{\"name\": \"customers\", \"affinity_key\": \"id\"}").normalize(RegionDefaults.STANDARD).affinityKey())
                .isEqualTo("id");
        assertThat(RegionSpec.named("plain").normalize(RegionDefaults.STANDARD).affinityKey()).isNull();

        List<FieldError> notInKey = errorsOf("{\"name\": \"orders\", \"key_fields\": [\"id\"], \"affinity_key\": \"customer_id\", "
                + "\"fields\": {\"id\": \"BIGINT\", \"customer_id\": \"BIGINT\"}}");
        assertThat(notInKey).extracting(FieldError::field).containsExactly("affinity_key");
        assertThat(notInKey.get(0).message()).contains("customer_id").contains("key_fields");
        assertThat(errorsOf("{\"name\": \"orders\", \"affinity_key\": \"customer_id\"}"))
                .extracting(FieldError::field).containsExactly("affinity_key");
        assertThat(errorsOf("{\"name\": \"orders\", \"key_fields\": [\"id\", \"c\"], \"affinity_key\": \"C\"}"))
                .extracting(FieldError::field).containsExactly("affinity_key");
        assertThat(errorsOf("{\"name\": \"orders\", \"affinity_key\": \"bad-name\"}"))
                .extracting(FieldError::field).containsExactly("affinity_key");
    }

    @Test
    void columnNamesAreChecked() {
        assertThat(errorsOf("{\"name\": \"r\", \"fields\": {\"bad-name\": \"INT\"}}"))
                .extracting(FieldError::field).containsExactly("fields.bad-name");
        assertThat(errorsOf("{\"name\": \"r\", \"fields\": {\"a\": \"INT\", \"A\": \"INT\"}}"))
                .extracting(FieldError::field).containsExactly("fields.A");
        assertThat(errorsOf("{\"name\": \"r\", \"fields\": {}}")).extracting(FieldError::field).containsExactly("fields");
    }

    @Test
    void expiryMustBePositiveAndNonEmpty() {
        assertThat(errorsOf("{\"name\": \"r\", \"expiry_policy\": {\"create\": 0}}"))
                .extracting(FieldError::field).containsExactly("expiry_policy.create");
        assertThat(errorsOf("{\"name\": \"r\", \"expiry_policy\": {}}")).extracting(FieldError::field).containsExactly("expiry_policy");
        assertThat(new ExpiryPolicySpec(null, 60L, null).creationSeconds()).isEqualTo(60L);
        assertThat(new ExpiryPolicySpec(10L, 60L, null).creationSeconds()).isEqualTo(10L);
    }

    @Test
    void evictionMaxSizeMustBePositive() {
        assertThat(errorsOf("{\"name\": \"r\", \"eviction_max_size\": 0}")).extracting(FieldError::field).containsExactly("eviction_max_size");
    }

    @Test
    void unknownFieldsAreRejected() {
        assertThat(errorsOf("{\"name\": \"r\", \"cache_mod\": \"REPLICATED\"}").toString()).contains("cache_mod");
    }

    @Test
    void severalErrorsAreReportedTogether() {
        assertThat(errorsOf("{\"name\": \"r\", \"backups\": -1, \"eviction_max_size\": -5}"))
                .extracting(FieldError::field).containsExactly("backups", "eviction_max_size");
    }

    private static List<FieldError> normalizeErrors(String json) throws Exception {
        try {
            parse(json).normalize(RegionDefaults.STANDARD);
            return List.of();
        } catch (InvalidSpecException e) {
            return e.errors();
        }
    }

    @Test
    void syncStrategiesCheckWhatTheyNeed() throws Exception {
        assertThat(normalizeErrors("{\"name\": \"r\", \"cache_strategy\": \"WRITE_BEHIND\", \"atomicity_mode\": \"ATOMIC\"}"))
                .extracting(FieldError::field).containsExactly("atomicity_mode");
        assertThat(normalizeErrors("{\"name\": \"r\", \"cache_strategy\": \"REFRESH_AHEAD\"}"))
                .extracting(FieldError::field).containsExactly("expiry_policy");
        assertThat(normalizeErrors("{\"name\": \"r\", \"refresh_ahead_factor\": 0.5}"))
                .extracting(FieldError::field).containsExactly("refresh_ahead_factor");
        assertThat(errorsOf("{\"name\": \"r\", \"cache_strategy\": \"REFRESH_AHEAD\", \"expiry_policy\": {\"create\": 9}, \"refresh_ahead_factor\": 1}"))
                .extracting(FieldError::field).containsExactly("refresh_ahead_factor");
        RegionSpec ra = parse("{\"name\": \"r\", \"cache_strategy\": \"REFRESH_AHEAD\", \"expiry_policy\": {\"create\": 9}}")
                .normalize(RegionDefaults.STANDARD);
        assertThat(ra.refreshAheadFactor()).isEqualTo(RegionSpec.DEFAULT_REFRESH_AHEAD_FACTOR);
        RegionSpec wb = parse("{\"name\": \"r\", \"cache_strategy\": \"WRITE_BEHIND\"}").normalize(RegionDefaults.STANDARD);
        assertThat(wb.atomicityMode()).isEqualTo(AtomicityMode.TRANSACTIONAL);
        assertThat(wb.refreshAheadFactor()).isNull();
    }

    @Test
    void boundedStalenessNeedsItsBoundAndOnlyItHasOne() {
        Map<String, Object> params = Map.of("database", "d");
        List<String> regions = List.of("r");
        assertThatThrownBy(() -> new SourceSpec("s", "postgresql", params, regions, null, ConsistencyLevel.BOUNDED_STALENESS, null, null, null, null, null))
                .isInstanceOf(InvalidSpecException.class).hasMessageContaining("max_staleness_seconds");
        assertThatThrownBy(() -> new SourceSpec("s", "postgresql", params, regions, null, ConsistencyLevel.BOUNDED_STALENESS, null, null, null, null, 0L))
                .isInstanceOf(InvalidSpecException.class).hasMessageContaining("max_staleness_seconds");
        assertThatThrownBy(() -> new SourceSpec("s", "postgresql", params, regions, null, null, null, null, null, null, 5L).normalize())
                .isInstanceOf(InvalidSpecException.class).hasMessageContaining("only applies to consistency_level BOUNDED_STALENESS");
        assertThat(new SourceSpec("s", "postgresql", params, regions, null, ConsistencyLevel.BOUNDED_STALENESS, null, null, null, null, 5L)
                .normalize().maxStalenessSeconds()).isEqualTo(5L);
    }
}
