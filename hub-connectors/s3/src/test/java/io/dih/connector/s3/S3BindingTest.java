package io.dih.connector.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dih.api.BindingSpec;
import io.dih.api.SqlType;
import io.dih.spi.FieldError;
import io.dih.spi.InvalidSpecException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class S3BindingTest {
    private static S3Binding of(Map<String, Object> options) {
        return S3Binding.of(new BindingSpec(null, null, List.of("id"), null, null, null, options));
    }

    @Test
    void readsItsKeys() {
        S3Binding b = of(Map.of("bucket", "sales", "prefix", "2026/", "glob", "2026/*/orders-*.csv", "delimiter", "\\t",
                "column_types", Map.of("amount", "decimal")));
        assertThat(b.delimiter()).isEqualTo('\t');
        assertThat(b.columnTypes()).containsEntry("amount", SqlType.DECIMAL);
        assertThat(b.objectColumn()).isEqualTo("source_object");
        assertThat(b.reads("2026/11/orders-1.csv")).isTrue();
        assertThat(b.reads("2026/11/refunds-1.csv")).isFalse();
        assertThat(b.reads("2025/11/orders-1.csv")).isFalse();
        assertThat(of(Map.of("bucket", "sales")).reads("any/thing.csv")).isTrue();
        assertThat(of(Map.of("bucket", "sales")).reads("a/folder/")).isFalse();
    }

    @Test
    void namesEveryWrongKey() {
        assertThatThrownBy(() -> of(Map.of("buckett", "x", "format", "xml", "delimiter", ";;", "column_types", Map.of("a", "NOPE"))))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.errors()).extracting(FieldError::field)
                        .containsExactlyInAnyOrder("buckett", "bucket", "format", "delimiter", "column_types.a"));
        assertThatThrownBy(() -> of(Map.of("bucket", "x_y"))).hasMessageContaining("not a bucket name");
        assertThatThrownBy(() -> of(Map.of("bucket", "sales", "header", false))).hasMessageContaining("needs the column names");
        assertThatThrownBy(() -> of(Map.of("bucket", "sales", "format", "jsonl", "delimiter", ";"))).hasMessageContaining("csv only");
        assertThatThrownBy(() -> of(Map.of("bucket", "sales", "format", "parquet", "column_types", Map.of("a", "INT"))))
                .hasMessageContaining("carry their column types");
    }
}
