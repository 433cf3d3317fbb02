package io.dih.server.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** How the README's tour is read: steps, their outputs, prose, continuation lines, the SDK snippet. */
class ReadmeTourTest {
    static final String README = """
            # Title
            ```bash
            echo not in the tour
            ```
            ## A 5-minute tour

            ```bash
            B=http://localhost:8080

            # prose above a command
            curl -s $B/a   # prose at the end
            # {"a": 1,
            #  "b": 2}

            # more prose
            curl -s -X POST $B/r -d '{
              "name": "x",  # a comment inside the body
              "n": 1}'
            java -jar x.jar sql \\
              "SELECT 1"
            # 1
            curl -s --data @- $B/e <<'EOF'
            {"q": "it's '{x}'"}
            EOF
            # {}
            ```

            ```java
            import java.util.List;
            var x = List.of(1);
            System.out.println(x);   // [1]
            ```
            ## Next
            ```bash
            echo after the tour
            ```
            """;

    @Test
    void readsStepsOutputsAndTheSnippet() {
        ReadmeTour tour = ReadmeTour.parse(README);
        assertThat(tour.steps()).extracting(ReadmeTour.Step::command).containsExactly(
                "B=http://localhost:8080",
                "curl -s $B/a   # prose at the end",
                "curl -s -X POST $B/r -d '{\n  \"name\": \"x\",  # a comment inside the body\n  \"n\": 1}'",
                "java -jar x.jar sql \\\n  \"SELECT 1\"",
                "curl -s --data @- $B/e <<'EOF'\n{\"q\": \"it's '{x}'\"}\nEOF");
        assertThat(tour.steps()).extracting(ReadmeTour.Step::expected).containsExactly(null, "{\"a\": 1,\n \"b\": 2}", null, "1", "{}");
        assertThat(tour.steps().get(1).readOnly()).isTrue();
        assertThat(tour.steps().get(2).readOnly()).isFalse();
        assertThat(tour.snippets()).hasSize(1);
        assertThat(tour.snippets().get(0).imports()).containsExactly("import java.util.List;");
        assertThat(tour.snippets().get(0).expectedLines()).isEqualTo(List.of("[1]"));
    }

    @Test
    void outputsMatchWithoutWhiteSpaceAndWithEllipses() {
        assertThat(ReadmeTour.matches("{\"a\": 1,\n \"b\": 2}", "{\"a\":1,\"b\":2}\n")).isTrue();
        assertThat(ReadmeTour.matches("{\"a\": 1}", "{\"a\":2}")).isFalse();
        assertThat(ReadmeTour.matches("{\"a\":1,...}", "{\"a\":1,\"b\":2}")).isTrue();
        assertThat(ReadmeTour.matches("{\"a\":1,...}", "{\"b\":2,\"a\":1}")).isFalse();
        assertThat(ReadmeTour.matches("...\"b\":2...", "{\"a\":1,\"b\":2}")).isTrue();
        assertThat(ReadmeTour.matches("{...\"c\":3}", "{\"a\":1,\"b\":2}")).isFalse();
        assertThat(ReadmeTour.matches("ab...ba", "aba")).isFalse();
    }

    @Test
    void aCommandThatNeverEndsIsAnError() {
        assertThatThrownBy(() -> ReadmeTour.parse("## A 5-minute tour\n```bash\ncurl -d '{\n```\n"))
                .hasMessageContaining("never ends");
    }
}
