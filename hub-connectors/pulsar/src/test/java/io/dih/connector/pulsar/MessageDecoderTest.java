package io.dih.connector.pulsar;

import static org.assertj.core.api.Assertions.assertThat;

import io.dih.api.BindingSpec;
import io.dih.spi.ChangeEvent;
import io.dih.spi.ChangeEvent.Kind;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How one message becomes one change, without a broker. */
class MessageDecoderTest {
    private static final String STREAM = "persistent://public/default/orders-partition-1";

    private static PulsarBinding binding(List<String> keys, Map<String, Object> options) {
        return PulsarBinding.of(new BindingSpec("orders", null, keys.isEmpty() ? null : keys, null, null, null, options));
    }

    private static ChangeEvent decode(PulsarBinding b, String payload, String key) {
        return MessageDecoder.decode(b, new MessageDecoder.Received(STREAM, payload.getBytes(StandardCharsets.UTF_8), key, 7, 3 << 20, 1234));
    }

    @Test
    void jsonObjectIsAnUpsertWithTypedValues() {
        ChangeEvent e = decode(binding(List.of("id"), Map.of()),
                "{\"id\":42,\"big\":123456789012345678901234,\"amount\":12.50,\"ok\":true,\"name\":\"x\",\"tags\":[1,2],\"addr\":{\"c\":\"y\"},\"none\":null}", null);
        assertThat(e.kind()).isEqualTo(Kind.UPSERT);
        assertThat(e.table()).isEqualTo("orders");
        assertThat(e.stream()).isEqualTo(STREAM);
        assertThat(e.key()).isEqualTo(Map.of("id", 42L));
        assertThat(e.row()).containsEntry("id", 42L).containsEntry("big", new BigInteger("123456789012345678901234"))
                .containsEntry("amount", new BigDecimal("12.50")).containsEntry("ok", true).containsEntry("name", "x")
                .containsEntry("tags", "[1,2]").containsEntry("addr", "{\"c\":\"y\"}").containsEntry("none", null);
        assertThat(e.position()).isEqualTo(7);
        assertThat(e.sequence()).isEqualTo(3 << 20);
        assertThat(e.commitMillis()).isEqualTo(1234);
        assertThat(e.raw()).startsWith("{\"id\":42");
    }

    @Test
    void keyComesFromTheMessageKeyWhenThePayloadLacksIt() {
        assertThat(decode(binding(List.of("id"), Map.of()), "{\"name\":\"x\"}", "42").key()).isEqualTo(Map.of("id", 42L));
        assertThat(decode(binding(List.of("id"), Map.of()), "{\"name\":\"x\"}", "abc").key()).isEqualTo(Map.of("id", "abc"));
        assertThat(decode(binding(List.of("a", "b"), Map.of()), "{\"name\":\"x\"}", "{\"a\":1,\"b\":\"z\"}").key())
                .isEqualTo(Map.of("a", 1L, "b", "z"));
        assertThat(decode(binding(List.of(), Map.of()), "{\"name\":\"x\"}", "{\"a\":1}").key()).isEqualTo(Map.of("a", 1L));
    }

    @Test
    void emptyPayloadDeletesTheMessageKey() {
        ChangeEvent e = decode(binding(List.of("id"), Map.of()), "", "9");
        assertThat(e.kind()).isEqualTo(Kind.DELETE);
        assertThat(e.key()).isEqualTo(Map.of("id", 9L));
        assertThat(e.row()).isNull();
        assertThat(decode(binding(List.of("id"), Map.of()), "", null).kind()).isEqualTo(Kind.UNREADABLE);
    }

    @Test
    void deleteWhenMarksADelete() {
        PulsarBinding b = binding(List.of("id"), Map.of("delete_when", Map.of("deleted", true)));
        assertThat(decode(b, "{\"id\":1,\"deleted\":true}", null).kind()).isEqualTo(Kind.DELETE);
        assertThat(decode(b, "{\"id\":1,\"deleted\":false}", null).kind()).isEqualTo(Kind.UPSERT);
        PulsarBinding byOp = binding(List.of("id"), Map.of("delete_when", Map.of("op", "DEL")));
        assertThat(decode(byOp, "{\"id\":1,\"op\":\"DEL\"}", null).kind()).isEqualTo(Kind.DELETE);
    }

    @Test
    void unreadableMessagesSayWhy() {
        PulsarBinding b = binding(List.of("id"), Map.of());
        ChangeEvent notJson = decode(b, "hello", null);
        assertThat(notJson.kind()).isEqualTo(Kind.UNREADABLE);
        assertThat(notJson.raw()).isEqualTo("hello");
        assertThat(notJson.error()).contains("not JSON");
        assertThat(decode(b, "[1,2]", null).error()).contains("not a JSON object");
        assertThat(decode(b, "{\"name\":\"x\"}", null).error()).contains("no key").contains("id");
        assertThat(decode(binding(List.of(), Map.of()), "{\"id\":1}", "7").error()).contains("no key_columns");
    }

    @Test
    void debeziumEnvelopes() {
        PulsarBinding b = binding(List.of("id"), Map.of("format", "debezium"));
        ChangeEvent c = decode(b, "{\"before\":null,\"after\":{\"id\":1,\"name\":\"a\"},\"op\":\"c\"}", null);
        assertThat(c.kind()).isEqualTo(Kind.UPSERT);
        assertThat(c.row()).isEqualTo(Map.of("id", 1L, "name", "a"));
        assertThat(c.snapshot()).isFalse();
        assertThat(decode(b, "{\"after\":{\"id\":1},\"op\":\"r\"}", null).snapshot()).isTrue();
        ChangeEvent wrapped = decode(b, "{\"schema\":{},\"payload\":{\"after\":{\"id\":2,\"name\":\"b\"},\"op\":\"u\"}}", null);
        assertThat(wrapped.key()).isEqualTo(Map.of("id", 2L));
        ChangeEvent d = decode(b, "{\"before\":{\"id\":3},\"after\":null,\"op\":\"d\"}", null);
        assertThat(d.kind()).isEqualTo(Kind.DELETE);
        assertThat(d.key()).isEqualTo(Map.of("id", 3L));
        ChangeEvent dByKey = decode(b, "{\"before\":null,\"op\":\"d\"}", "{\"schema\":{},\"payload\":{\"id\":4}}");
        assertThat(dByKey.key()).isEqualTo(Map.of("id", 4L));
        assertThat(decode(b, "{\"op\":\"t\"}", null).kind()).isEqualTo(Kind.TRUNCATE);
        ChangeEvent unknown = decode(b, "{\"op\":\"x\",\"after\":{\"id\":1}}", null);
        assertThat(unknown.kind()).isEqualTo(Kind.UNREADABLE);
        assertThat(unknown.error()).isEqualTo("unknown Debezium operation 'x'");
        assertThat(decode(b, "{\"id\":1}", null).error()).contains("no op");
    }

    @Test
    void positionsGrowWithinAPartition() {
        long[] a = PulsarChangeFeed.position(new org.apache.pulsar.client.impl.MessageIdImpl(5, 10, 1));
        long[] b = PulsarChangeFeed.position(new org.apache.pulsar.client.impl.BatchMessageIdImpl(5, 10, 1, 0));
        long[] c = PulsarChangeFeed.position(new org.apache.pulsar.client.impl.BatchMessageIdImpl(5, 10, 1, 1));
        long[] d = PulsarChangeFeed.position(new org.apache.pulsar.client.impl.MessageIdImpl(5, 11, 1));
        long[] e = PulsarChangeFeed.position(new org.apache.pulsar.client.impl.MessageIdImpl(6, 0, 1));
        List<long[]> inOrder = List.of(a, b, c, d, e);
        for (int i = 1; i < inOrder.size(); i++) {
            ChangeEvent later = new ChangeEvent(Kind.UPSERT, "t", Map.of(), Map.of(), inOrder.get(i)[0], inOrder.get(i)[1], 0, false);
            assertThat(later.isAfter(inOrder.get(i - 1)[0], inOrder.get(i - 1)[1])).as("position %d after %d", i, i - 1).isTrue();
        }
    }
}
