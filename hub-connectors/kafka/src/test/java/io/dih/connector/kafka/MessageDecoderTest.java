package io.dih.connector.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.dih.api.BindingSpec;
import io.dih.spi.ChangeEvent;
import io.dih.spi.ChangeEvent.Kind;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/** How one message becomes one change, without a broker. */
class MessageDecoderTest {
    private static final long TIMESTAMP = 1_700_000_000_123L;

    @Test
    void jsonValuesBecomeTheHubsJavaValues() {
        ChangeEvent e = decode(json(List.of("id")), "1", "{\"id\":1,\"n\":-9223372036854775808,\"big\":9223372036854775808,"
                + "\"d\":0.10,\"e\":1e3,\"s\":\"x\",\"b\":false,\"o\":{\"a\":[1,{\"b\":null}]},\"z\":null}");
        assertThat(e.kind()).isEqualTo(Kind.UPSERT);
        assertThat(e.row()).containsEntry("id", 1L).containsEntry("n", Long.MIN_VALUE)
                .containsEntry("big", new BigInteger("9223372036854775808")).containsEntry("d", new BigDecimal("0.10"))
                .containsEntry("e", new BigDecimal("1e3")).containsEntry("s", "x").containsEntry("b", false)
                .containsEntry("o", "{\"a\":[1,{\"b\":null}]}").containsEntry("z", null);
        assertThat(e.stream()).isEqualTo("t-2");
        assertThat(e.position()).isEqualTo(41);
        assertThat(e.commitMillis()).isEqualTo(TIMESTAMP);
    }

    @Test
    void keyColumnsComeFromTheValueThenTheMessageKey() {
        KafkaBinding composite = json(List.of("region", "no"));
        ChangeEvent fromBoth = decode(composite, "{\"region\":\"eu\",\"no\":7}", "{\"no\":7,\"amount\":1}");
        assertThat(fromBoth.key()).isEqualTo(Map.of("region", "eu", "no", 7L));
        assertThat(fromBoth.row()).as("the key is kept in the row").containsEntry("region", "eu").containsEntry("amount", 1L);

        assertThat(decode(json(List.of("code")), "ABC-1", "{\"amount\":1}").key()).as("a key that is not JSON")
                .isEqualTo(Map.of("code", "ABC-1"));
        assertThat(decode(json(List.of("code")), "\"q\"", "{\"amount\":1}").key()).isEqualTo(Map.of("code", "q"));
        ChangeEvent noKey = decode(composite, "eu", "{\"no\":7}");
        assertThat(noKey.kind()).isEqualTo(Kind.UNREADABLE);
        assertThat(noKey.error()).isEqualTo("no value for key column 'region' in the message or its key");
    }

    @Test
    void deleteWhenMatchesEveryField() {
        KafkaBinding b = KafkaBinding.of(new BindingSpec(null, null, List.of("id"), null, null, null,
                Map.of("topic", "t", "delete_when", Map.of("status", "gone", "version", 2))));
        assertThat(decode(b, null, "{\"id\":1,\"status\":\"gone\",\"version\":2.0}").kind()).isEqualTo(Kind.DELETE);
        assertThat(decode(b, null, "{\"id\":1,\"status\":\"gone\",\"version\":3}").kind()).isEqualTo(Kind.UPSERT);
        assertThat(decode(b, null, "{\"id\":1,\"status\":\"GONE\",\"version\":2}").kind()).isEqualTo(Kind.UPSERT);
        assertThat(decode(b, null, "{\"id\":1,\"version\":2}").kind()).isEqualTo(Kind.UPSERT);
    }

    @Test
    void emptyValuesAreTombstonesAndNeedAKey() {
        ChangeEvent e = decode(json(List.of("id")), "5", "");
        assertThat(e.kind()).isEqualTo(Kind.DELETE);
        assertThat(e.key()).isEqualTo(Map.of("id", 5L));
        ChangeEvent keyless = decode(json(List.of("id")), null, null);
        assertThat(keyless.kind()).isEqualTo(Kind.UNREADABLE);
        assertThat(keyless.raw()).isNull();
        assertThat(decode(json(List.of("id")), "1", "   ").error()).isEqualTo("not a JSON object: empty");
        assertThat(decode(json(List.of("id")), "1", "\"text\"").error()).isEqualTo("not a JSON object: a JSON string");
    }

    @Test
    void debeziumEnvelopesAndTheirMistakes() {
        KafkaBinding b = debezium(List.of());
        ChangeEvent nullPayload = decode(b, "{\"schema\":{},\"payload\":{\"id\":4}}", "{\"schema\":{},\"payload\":null}");
        assertThat(nullPayload.kind()).isEqualTo(Kind.DELETE);
        assertThat(nullPayload.key()).as("the fields of the key's payload").isEqualTo(Map.of("id", 4L));
        assertThat(decode(b, "{\"id\":1}", "{\"after\":{\"id\":1}}").error()).isEqualTo("not a Debezium change event: no 'op'");
        assertThat(decode(b, "{\"id\":1}", "{\"op\":\"u\",\"after\":null}").error())
                .isEqualTo("a Debezium 'u' event without an 'after' object");
        ChangeEvent delete = decode(debezium(List.of("id")), null, "{\"op\":\"d\",\"before\":{\"id\":9,\"x\":1},\"source\":{\"ts_ms\":5}}");
        assertThat(delete.key()).isEqualTo(Map.of("id", 9L));
        assertThat(delete.commitMillis()).isEqualTo(5);
    }

    private static KafkaBinding json(List<String> keyColumns) {
        return KafkaBinding.of(new BindingSpec(null, null, keyColumns.isEmpty() ? null : keyColumns, null, null, null, Map.of("topic", "t")));
    }

    private static KafkaBinding debezium(List<String> keyColumns) {
        return KafkaBinding.of(new BindingSpec(null, null, keyColumns.isEmpty() ? null : keyColumns, null, null, null,
                Map.of("topic", "t", "format", "debezium")));
    }

    private static ChangeEvent decode(KafkaBinding b, String key, String value) {
        byte[] k = key == null ? null : key.getBytes(StandardCharsets.UTF_8);
        byte[] v = value == null ? null : value.getBytes(StandardCharsets.UTF_8);
        ConsumerRecord<byte[], byte[]> r = new ConsumerRecord<>("t", 2, 41, TIMESTAMP, TimestampType.CREATE_TIME,
                k == null ? -1 : k.length, v == null ? -1 : v.length, k, v, new RecordHeaders(), Optional.empty());
        ChangeEvent e = new MessageDecoder(b).decode(r);
        assertThat(e.table()).isEqualTo("t");
        assertThat(e.snapshot()).isFalse();
        return e;
    }
}
