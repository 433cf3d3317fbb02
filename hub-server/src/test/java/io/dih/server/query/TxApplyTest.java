package io.dih.server.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;

class TxApplyTest {
    @Test
    void addsInTheColumnsTypeAndNeverOverflowsSilently() {
        assertThat(TxApply.add(new BigDecimal("1.5E+3"), new BigDecimal("-100.00"))).isEqualTo(new BigDecimal("1400.00"));
        assertThat(TxApply.add(5L, -7L)).isEqualTo(-2L);
        assertThat(TxApply.add(5, 7)).isEqualTo(12);
        assertThat(TxApply.add((short) 5, (short) 7)).isEqualTo((short) 12);
        assertThat(TxApply.add(1.5d, 1d)).isEqualTo(2.5d);
        assertThatThrownBy(() -> TxApply.add(Long.MAX_VALUE, 1L)).isInstanceOf(ArithmeticException.class);
        assertThatThrownBy(() -> TxApply.add(Integer.MAX_VALUE, 1)).isInstanceOf(ArithmeticException.class);
        assertThatThrownBy(() -> TxApply.add((byte) 120, (byte) 10)).isInstanceOf(ArithmeticException.class);
    }
}
