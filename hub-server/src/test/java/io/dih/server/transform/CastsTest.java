package io.dih.server.transform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dih.api.SqlType;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Date;
import java.sql.Time;
import java.sql.Timestamp;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class CastsTest {
    @Test
    void textToEveryType() {
        assertThat(Casts.cast("TRUE", SqlType.BOOLEAN)).isEqualTo(true);
        assertThat(Casts.cast("0", SqlType.BOOLEAN)).isEqualTo(false);
        assertThat(Casts.cast("12", SqlType.SMALLINT)).isEqualTo((short) 12);
        assertThat(Casts.cast("12.5", SqlType.INT)).isEqualTo(13);
        assertThat(Casts.cast("-12.5", SqlType.BIGINT)).isEqualTo(-13L);
        assertThat(Casts.cast("1.25", SqlType.REAL)).isEqualTo(1.25f);
        assertThat(Casts.cast("1.25", SqlType.DOUBLE)).isEqualTo(1.25);
        assertThat(Casts.cast("1.250", SqlType.DECIMAL)).isEqualTo(new BigDecimal("1.250"));
        assertThat(Casts.cast("2024-02-29", SqlType.DATE)).isEqualTo(Date.valueOf("2024-02-29"));
        assertThat(Casts.cast("10:11:12", SqlType.TIME)).isEqualTo(Time.valueOf("10:11:12"));
        assertThat(Casts.cast("2024-01-02 03:04:05.6", SqlType.TIMESTAMP))
                .isEqualTo(Timestamp.valueOf("2024-01-02 03:04:05.6"));
        assertThat(Casts.cast("2024-01-02T05:04:05+02:00", SqlType.TIMESTAMP))
                .isEqualTo(Timestamp.valueOf("2024-01-02 03:04:05"));
        assertThat(Casts.cast("2024-01-02T03:04:05", SqlType.TIMESTAMP))
                .isEqualTo(Timestamp.valueOf("2024-01-02 03:04:05"));
        UUID u = UUID.randomUUID();
        assertThat(Casts.cast(u.toString(), SqlType.UUID)).isEqualTo(u);
        assertThat((byte[]) Casts.cast("hé", SqlType.BINARY)).isEqualTo("hé".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void valuesToText() {
        assertThat(Casts.cast(new BigDecimal("1E+3"), SqlType.VARCHAR)).isEqualTo("1000");
        assertThat(Casts.cast("hé".getBytes(StandardCharsets.UTF_8), SqlType.VARCHAR)).isEqualTo("hé");
        assertThat(Casts.cast(Date.valueOf("2024-01-02"), SqlType.VARCHAR)).isEqualTo("2024-01-02");
        assertThat(Casts.cast(true, SqlType.VARCHAR)).isEqualTo("true");
    }

    @Test
    void numbersBooleansAndTimes() {
        assertThat(Casts.cast(true, SqlType.INT)).isEqualTo(1);
        assertThat(Casts.cast(0L, SqlType.BOOLEAN)).isEqualTo(false);
        assertThat(Casts.cast(2.5, SqlType.DECIMAL)).isEqualTo(new BigDecimal("2.5"));
        assertThat(Casts.cast(Timestamp.valueOf("2024-01-02 03:04:05"), SqlType.DATE))
                .isEqualTo(Date.valueOf("2024-01-02"));
        assertThat(Casts.cast(Timestamp.valueOf("2024-01-02 03:04:05"), SqlType.TIME))
                .isEqualTo(Time.valueOf("03:04:05"));
        assertThat(Casts.cast(Date.valueOf("2024-01-02"), SqlType.TIMESTAMP))
                .isEqualTo(Timestamp.valueOf("2024-01-02 00:00:00"));
        assertThat(Casts.cast(null, SqlType.INT)).isNull();
    }

    @Test
    void badValuesAreRefusedWithTheValueAndType() {
        assertThatThrownBy(() -> Casts.cast("abc", SqlType.BIGINT)).hasMessage("cannot cast 'abc' to BIGINT");
        assertThatThrownBy(() -> Casts.cast("maybe", SqlType.BOOLEAN)).hasMessage("cannot cast 'maybe' to BOOLEAN");
        assertThatThrownBy(() -> Casts.cast("2024-13-45", SqlType.DATE)).hasMessageContaining("DATE");
        assertThatThrownBy(() -> Casts.cast(128L, SqlType.TINYINT)).hasMessage("128 is out of range for TINYINT");
        assertThatThrownBy(() -> Casts.cast(1e20, SqlType.BIGINT)).hasMessageContaining("out of range");
        assertThatThrownBy(() -> Casts.cast(Double.NaN, SqlType.INT)).hasMessageContaining("NaN");
        assertThatThrownBy(() -> Casts.cast(5L, SqlType.DATE)).hasMessage("cannot cast 5 to DATE");
        assertThatThrownBy(() -> Casts.cast("x".repeat(100), SqlType.UUID)).hasMessageEndingWith("...' to UUID");
    }

    @Test
    void whichCastsMakeSense() {
        assertThat(Casts.allowed(SqlType.INT, SqlType.VARCHAR)).isTrue();
        assertThat(Casts.allowed(SqlType.VARCHAR, SqlType.TIMESTAMP)).isTrue();
        assertThat(Casts.allowed(SqlType.DECIMAL, SqlType.TINYINT)).isTrue();
        assertThat(Casts.allowed(SqlType.DATE, SqlType.TIMESTAMP)).isTrue();
        assertThat(Casts.allowed(null, SqlType.BINARY)).isTrue();
        assertThat(Casts.allowed(SqlType.TIMESTAMP, SqlType.BIGINT)).isFalse();
        assertThat(Casts.allowed(SqlType.UUID, SqlType.BINARY)).isFalse();
        assertThat(Casts.allowed(SqlType.BINARY, SqlType.INT)).isFalse();
        assertThat(Casts.allowed(SqlType.DATE, SqlType.TIME)).isFalse();
    }
}
