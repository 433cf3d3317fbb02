package io.dih.server.transform;

import static io.dih.server.transform.PipelineStepsTest.columns;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dih.api.SqlType;
import io.dih.server.transform.Pipeline.Failed;
import io.dih.server.transform.Pipeline.Outcome;
import io.dih.server.transform.Pipeline.Row;
import io.dih.spi.InvalidSpecException;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Hostile expressions and inputs: refused at registration, or the row fails; never a hang, never a throw. */
class PipelineSandboxTest {
    private static final Map<String, SqlType> IN = columns("name", SqlType.VARCHAR, "n", SqlType.BIGINT,
            "doc", SqlType.VARCHAR);
    private static final Duration QUICK = Duration.ofSeconds(10);

    private static Pipeline compute(String expression) {
        return Pipeline.compile(List.of(Map.of("compute", Map.of("x", expression))), IN);
    }

    private static Outcome run(Pipeline p, Map<String, Object> row) {
        long start = System.nanoTime();
        Outcome o = p.apply(row);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(QUICK);
        return o;
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "T(java.lang.Runtime).getRuntime().exec('id')",
        "java.lang.Runtime.getRuntime().exec('id')",
        "java.lang.System.exit(1)",
        "name.getClass().forName('java.lang.Runtime')",
        "name.class",
        "''.getClass()",
        "Class.forName('java.lang.Runtime')",
        "new java.io.File('/etc/passwd')",
        "#{T(java.lang.Runtime)}",
        "${name}",
        "import('os').system('id')",
        "google.protobuf.Timestamp{seconds: 1}.getClass()",
        "dev.cel.runtime.CelRuntime",
        "type(name)",
        "name.exec('id')",
        "name.replace('', name)",
        "cel.bind(x, name + name, x + x)",
        "lists.range(1000000)",
    })
    void classAccessReflectionAndUnlistedFunctionsAreRefused(String hostile) {
        assertThatThrownBy(() -> compute(hostile)).isInstanceOf(InvalidSpecException.class)
                .satisfies(e -> assertThat(((InvalidSpecException) e).field()).isEqualTo("transforms[0].x"));
    }

    @Test
    void longAndDeepExpressionsAreRefused() {
        String longOne = "'" + "a".repeat(Expressions.MAX_LENGTH) + "'";
        assertThatThrownBy(() -> compute(longOne)).isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("longer than");
        String deep = "(".repeat(500) + "1" + ")".repeat(500);
        assertThatThrownBy(() -> compute(deep)).isInstanceOf(InvalidSpecException.class)
                .hasMessageContaining("recursion");
        String wide = "n" + " + n".repeat(1500);
        assertThatThrownBy(() -> compute(wide)).isInstanceOf(InvalidSpecException.class);
        String deepList = "[".repeat(300) + "]".repeat(300);
        assertThatThrownBy(() -> compute("size(" + deepList + ")")).isInstanceOf(InvalidSpecException.class);
    }

    @Test
    void comprehensionsRunOutOfBudgetInsteadOfRunningForever() {
        String hundred = "[" + String.join(",", Collections.nCopies(100, "1")) + "]";
        Pipeline p = Pipeline.compile(List.of(Map.of("filter",
                hundred + ".all(a, " + hundred + ".all(b, " + hundred + ".all(c, a + b + c == 3)))")), IN);
        Outcome o = run(p, Map.of("name", "x", "n", 1L, "doc", "{}"));
        assertThat(o).isInstanceOf(Failed.class);
        assertThat(((Failed) o).error()).contains("budget");

        Pipeline growing = compute("size(" + hundred + ".map(a, " + hundred + ".map(b, name + name)))");
        assertThat(run(growing, Map.of("name", "x".repeat(100_000), "n", 1L, "doc", "{}")))
                .isInstanceOf(Failed.class);
    }

    @Test
    void hugeInputsAreHandledInLinearTime() {
        String huge = "a".repeat(5_000_000);
        Pipeline p = Pipeline.compile(List.of(Map.of("compute", Map.of("x", "size(name.upperAscii() + name)")),
                Map.of("filter", "name.matches('^(a+)+b$') == false")), IN);
        Outcome o = run(p, Map.of("name", huge, "n", 1L, "doc", "{}"));
        assertThat(((Row) o).row()).containsEntry("x", 10_000_000L);
    }

    @Test
    void deeplyNestedJsonFailsTheRow() {
        Pipeline p = Pipeline.compile(List.of(Map.of("parse_json", "doc")), IN);
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        Outcome o = run(p, Map.of("name", "x", "n", 1L, "doc", deep));
        assertThat(o).isInstanceOf(Failed.class);
        assertThat(((Failed) o).error()).contains("invalid JSON").containsIgnoringCase("nesting");

        Pipeline flat = Pipeline.compile(List.of(Map.of("flatten", Map.of("doc", "d_"))), IN);
        assertThat(run(flat, Map.of("name", "x", "n", 1L, "doc", "{\"a\":" + deep + "}")))
                .isInstanceOf(Failed.class);
    }

    @Test
    void arithmeticAndConversionErrorsFailTheRow() {
        Map<String, Object> row = Map.of("name", "abc", "n", Long.MAX_VALUE, "doc", "{}");
        assertThat(run(compute("n + 1"), row)).isInstanceOf(Failed.class);
        assertThat(run(compute("n / (n - n)"), row)).isInstanceOf(Failed.class);
        assertThat(run(compute("int(name)"), row)).isInstanceOf(Failed.class);
        assertThat(run(compute("timestamp(name)"), row)).isInstanceOf(Failed.class);
        assertThat(run(compute("name.substring(10)"), row)).isInstanceOf(Failed.class);
        assertThat(run(compute("name.matches('(')"), row)).isInstanceOf(Failed.class);
        Pipeline hugeNumber = Pipeline.compile(List.of(Map.of("cast", Map.of("name", "BIGINT"))), IN);
        assertThat(run(hugeNumber, Map.of("name", "1e999999999", "n", 1L, "doc", "{}"))).isInstanceOf(Failed.class);
    }
}
