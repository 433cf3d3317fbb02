package io.dih.server.transform;

import static io.dih.server.transform.PipelineStepsTest.mapOf;
import static io.dih.server.transform.PipelineStepsTest.row;
import static io.dih.server.transform.PipelineStepsTest.rowOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dih.api.SqlType;
import io.dih.server.transform.Pipeline.Failed;
import io.dih.server.transform.Pipeline.Filtered;
import io.dih.spi.InvalidSpecException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PipelineSchemalessTest {
    @Test
    void columnsAreTakenAsTheyComeAndTheRestPassThrough() {
        Pipeline p = Pipeline.compileSchemaless(List.of(
                Map.of("filter", "amount > 5"),
                Map.of("compute", mapOf("total", "double(amount) * 1.5", "who", "user + '!'")),
                Map.of("rename", Map.of("user", "customer")),
                Map.of("drop", List.of("secret")),
                Map.of("default", Map.of("country", "FR"))));
        assertThat(p.filters()).isTrue();
        assertThat(p.outputColumns()).containsExactly(Map.entry("total", SqlType.DOUBLE),
                Map.entry("who", SqlType.VARCHAR), Map.entry("country", SqlType.VARCHAR));
        Map<String, Object> out = rowOf(p.apply(row("user", "ann", "amount", 10, "secret", "x", "extra", true)));
        assertThat(out).containsEntry("customer", "ann").containsEntry("total", 15.0).containsEntry("who", "ann!")
                .containsEntry("extra", true).containsEntry("country", "FR").containsEntry("amount", 10)
                .doesNotContainKeys("user", "secret");
        assertThat(p.apply(row("user", "bob", "amount", 2))).isInstanceOf(Filtered.class);
        assertThat(p.apply(row("user", "bob", "amount", "lots"))).isInstanceOf(Failed.class);
    }

    @Test
    void stepsOnFieldsARowLacksDoNothing() {
        Pipeline p = Pipeline.compileSchemaless(List.of(Map.of("rename", Map.of("a", "b")),
                Map.of("cast", Map.of("c", "INT")), Map.of("drop", List.of("d")), Map.of("parse_json", "e"),
                Map.of("flatten", Map.of("f", "f_"))));
        assertThat(rowOf(p.apply(Map.of("z", 1)))).isEqualTo(Map.of("z", 1));
        assertThat(rowOf(p.apply(Map.of("a", 1, "c", "2", "e", "\"s\"")))).isEqualTo(Map.of("b", 1, "c", 2,
                "e", "\"s\""));
    }

    @Test
    void aMissingFieldIsNull() {
        Pipeline p = Pipeline.compileSchemaless(List.of(Map.of("compute",
                Map.of("label", "name == null ? 'none' : string(name)"))));
        assertThat(rowOf(p.apply(Map.of()))).containsEntry("label", "none");
        assertThat(rowOf(p.apply(Map.of("name", "x")))).containsEntry("label", "x");
    }

    @Test
    void nestedValuesParseAndFlatten() {
        Pipeline p = Pipeline.compileSchemaless(List.of(Map.of("parse_json", "address"),
                Map.of("compute", Map.of("city", "string(address.city)")),
                Map.of("flatten", Map.of("meta", "m_")),
                Map.of("cast", Map.of("zip", "INT"))));
        assertThat(p.flattenPrefixes()).containsExactly("m_");
        assertThat(p.outputColumns()).containsEntry("address", SqlType.VARCHAR).containsEntry("city", SqlType.VARCHAR)
                .containsEntry("zip", SqlType.INT);
        Map<String, Object> out = rowOf(p.apply(row("address", Map.of("city", "Lyon", "n", 1),
                "meta", Map.of("a", 1, "b", List.of(1)), "zip", "69001")));
        assertThat(out).containsEntry("city", "Lyon").containsEntry("m_a", 1L).containsEntry("m_b", "[1]")
                .containsEntry("zip", 69001).doesNotContainKey("meta");
        assertThat((String) out.get("address")).contains("\"city\":\"Lyon\"");
    }

    @Test
    void dynamicResultsMustBeConverted() {
        assertThatThrownBy(() -> Pipeline.compileSchemaless(List.of(Map.of("compute", Map.of("x", "a + b")))))
                .isInstanceOf(InvalidSpecException.class).hasMessageContaining("transforms[0].x")
                .hasMessageContaining("dyn");
        assertThatThrownBy(() -> Pipeline.compileSchemaless(List.of(Map.of("filter", "active"))))
                .isInstanceOf(InvalidSpecException.class).hasMessageContaining("bool");
        assertThat(Pipeline.compileSchemaless(null).isEmpty()).isTrue();
    }
}
