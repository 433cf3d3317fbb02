package io.dih.server.region;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.dih.api.SqlType;
import io.dih.spi.InvalidSpecException;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class EntryCodecTest {
    static final JsonNodeFactory N = JsonNodeFactory.instance;

    @Test
    void convertsEachTypeAndBack() {
        assertThat(ColumnValues.convert("f", SqlType.BIGINT, N.textNode("42"))).isEqualTo(42L);
        assertThat(ColumnValues.convert("f", SqlType.INT, N.numberNode(7))).isEqualTo(7);
        assertThat(ColumnValues.convert("f", SqlType.SMALLINT, N.numberNode(7))).isEqualTo((short) 7);
        assertThat(ColumnValues.convert("f", SqlType.DECIMAL, N.textNode("1.10"))).isEqualTo(new BigDecimal("1.10"));
        assertThat(ColumnValues.convert("f", SqlType.DOUBLE, N.numberNode(0.5))).isEqualTo(0.5);
        assertThat(ColumnValues.convert("f", SqlType.BOOLEAN, N.textNode("TRUE"))).isEqualTo(true);
        assertThat(ColumnValues.convert("f", SqlType.VARCHAR, N.numberNode(12))).isEqualTo("12");
        Timestamp ts = (Timestamp) ColumnValues.convert("f", SqlType.TIMESTAMP, N.textNode("2024-01-02T03:04:05+02:00"));
        assertThat(ts.toInstant()).isEqualTo(Instant.parse("2024-01-02T01:04:05Z"));
        assertThat(((Timestamp) ColumnValues.convert("f", SqlType.TIMESTAMP, N.textNode("2024-01-02 03:04:05"))).toInstant())
                .isEqualTo(Instant.parse("2024-01-02T03:04:05Z"));
        assertThat(((Timestamp) ColumnValues.convert("f", SqlType.TIMESTAMP, N.numberNode(0L))).getTime()).isZero();
        assertThat(ColumnValues.toJson(ts).asText()).isEqualTo("2024-01-02T01:04:05Z");
        assertThat(ColumnValues.toJson(new byte[] {1, 2, 3}).asText()).isEqualTo("AQID");
        assertThat(ColumnValues.convert("f", SqlType.VARCHAR, N.nullNode())).isNull();
    }

    @Test
    void badValuesNameTheField() {
        assertThatThrownBy(() -> ColumnValues.convert("amount", SqlType.INT, N.numberNode(1.5)))
                .isInstanceOf(InvalidSpecException.class).hasMessageContaining("amount");
        assertThatThrownBy(() -> ColumnValues.convert("n", SqlType.TINYINT, N.numberNode(300))).isInstanceOf(InvalidSpecException.class);
        assertThatThrownBy(() -> ColumnValues.convert("d", SqlType.DATE, N.textNode("01/02/2024")))
                .hasMessageContaining("yyyy-MM-dd");
        assertThatThrownBy(() -> ColumnValues.convert("u", SqlType.UUID, N.textNode("nope"))).isInstanceOf(InvalidSpecException.class);
        assertThatThrownBy(() -> ColumnValues.convert("b", SqlType.BOOLEAN, N.textNode("yes"))).isInstanceOf(InvalidSpecException.class);
        assertThatThrownBy(() -> ColumnValues.convert("key", SqlType.VARCHAR, N.nullNode())).hasMessageContaining("cannot be null");
        assertThatThrownBy(() -> ColumnValues.convert("s", SqlType.VARCHAR, N.arrayNode())).hasMessageContaining("array");
    }
}
