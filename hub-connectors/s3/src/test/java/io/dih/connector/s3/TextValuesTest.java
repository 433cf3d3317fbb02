package io.dih.connector.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dih.api.SqlType;
import java.math.BigDecimal;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class TextValuesTest {
    @Test
    void infersTheNarrowestType() {
        assertThat(TextValues.infer(List.of("1", "-2", "30"))).isEqualTo(SqlType.INT);
        assertThat(TextValues.infer(List.of("1", "30000000000"))).isEqualTo(SqlType.BIGINT);
        assertThat(TextValues.infer(List.of("1", "2.5", "1e3"))).isEqualTo(SqlType.DOUBLE);
        assertThat(TextValues.infer(List.of("true", "FALSE"))).isEqualTo(SqlType.BOOLEAN);
        assertThat(TextValues.infer(List.of("2026-11-27"))).isEqualTo(SqlType.DATE);
        assertThat(TextValues.infer(List.of("2026-11-27", "2026-11-27 10:00:01", "2026-11-27T10:00Z"))).isEqualTo(SqlType.TIMESTAMP);
        assertThat(TextValues.infer(List.of("1", "one"))).isEqualTo(SqlType.VARCHAR);
        assertThat(TextValues.infer(List.of())).isEqualTo(SqlType.VARCHAR);
        assertThat(TextValues.infer(List.of("99999999999999999999"))).as("past a long").isEqualTo(SqlType.DOUBLE);
    }

    @Test
    void readsTextAsTheType() {
        assertThat(TextValues.read(SqlType.INT, " 42 ")).isEqualTo(42);
        assertThat(TextValues.read(SqlType.DECIMAL, "12.50")).isEqualTo(new BigDecimal("12.50"));
        assertThat(TextValues.read(SqlType.DATE, "2026-11-27")).isEqualTo(Date.valueOf("2026-11-27"));
        assertThat(TextValues.read(SqlType.TIMESTAMP, "2026-11-27 10:00:00")).isEqualTo(Timestamp.from(Instant.parse("2026-11-27T10:00:00Z")));
        assertThat(TextValues.read(SqlType.TIMESTAMP, "2026-11-27T12:00:00+02:00")).isEqualTo(Timestamp.from(Instant.parse("2026-11-27T10:00:00Z")));
        assertThat(TextValues.read(SqlType.VARCHAR, " as is ")).isEqualTo(" as is ");
        assertThatThrownBy(() -> TextValues.read(SqlType.BIGINT, "12x")).hasMessage("'12x' is not a BIGINT");
        assertThatThrownBy(() -> TextValues.read(SqlType.INT, "1.5")).hasMessage("'1.5' is not an INT");
    }
}
