package io.dih.server.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.dih.api.EndpointSpec;
import io.dih.api.SqlType;
import io.dih.spi.InvalidSpecException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SqlTemplateTest {
    private static void rejected(String template, String why) {
        assertThatThrownBy(() -> SqlTemplate.parse(template)).as(template)
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> {
                    assertThat(e.field()).isEqualTo("query_template");
                    assertThat(e.getMessage()).contains(why);
                });
    }

    @Test
    void placeholdersBareOrAsAWholeLiteralBecomeParameters() {
        SqlTemplate t = SqlTemplate.parse("SELECT * FROM user_sessions WHERE session_token = '{token}'");
        assertThat(t.sql()).isEqualTo("SELECT * FROM user_sessions WHERE session_token = ?");
        assertThat(t.placeholders()).containsExactly("token");
        SqlTemplate two = SqlTemplate.parse("select a from t where b = {x} and c > {y} or d = '{x}';  -- trailing\n");
        assertThat(two.sql()).isEqualTo("select a from t where b = ? and c > ? or d = ?");
        assertThat(two.placeholders()).containsExactly("x", "y", "x");
        assertThat(two.names()).containsExactly("x", "y");
        assertThat(two.identifiers()).contains("T", "A", "B");
    }

    @Test
    void literalsIdentifiersAndCommentsAreKeptAsTheyAre() {
        SqlTemplate t = SqlTemplate.parse("SELECT 'it''s; -- not a comment' AS \"we;ird\" /* a ; b */ FROM t -- c ; d\nWHERE x = {x}");
        assertThat(t.sql()).isEqualTo("SELECT 'it''s; -- not a comment' AS \"we;ird\" /* a ; b */ FROM t -- c ; d\nWHERE x = ?");
        assertThat(SqlTemplate.parse("(SELECT 1)").sql()).isEqualTo("(SELECT 1)");
    }

    @Test
    void badTemplatesNameTheProblem() {
        rejected("DELETE FROM t", "one SELECT");
        rejected("DROP TABLE t", "one SELECT");
        rejected("  insert into t values (1)", "one SELECT");
        rejected("WITH x AS (SELECT 1) DELETE FROM t", "one SELECT");
        rejected("", "empty");
        rejected("SELECT 1; DELETE FROM t", "one statement");
        rejected("SELECT 1; SELECT 2", "one statement");
        rejected("SELECT * FROM t WHERE a = {}", "{name}");
        rejected("SELECT * FROM t WHERE a = {1x}", "{name}");
        rejected("SELECT * FROM t WHERE a = { x }", "{name}");
        rejected("SELECT * FROM t WHERE a = {x", "never closed");
        rejected("SELECT * FROM t WHERE a = x}", "'}'");
        rejected("SELECT * FROM t WHERE a = ?", "'?'");
        rejected("SELECT * FROM t WHERE a LIKE '%{x}%'", "literal");
        rejected("SELECT * FROM t WHERE a = 'x{y}'", "literal");
        rejected("SELECT \"{x}\" FROM t", "identifier");
        rejected("SELECT * FROM t -- {x}", "comment");
        rejected("SELECT * FROM t /* {x} */", "comment");
        rejected("SELECT * FROM t /* open", "never closed");
        rejected("SELECT 'open FROM t", "never closed");
        rejected("SELECT $$ {x} $$", "dollar");
    }

    @Test
    void parametersAreTypedDefaultedRequiredAndKnown() {
        Map<String, EndpointSpec.Parameter> params = new LinkedHashMap<>();
        params.put("min", new EndpointSpec.Parameter(SqlType.INT, null, null));
        params.put("tier", new EndpointSpec.Parameter(null, null, "gold"));
        CompiledEndpoint ep = new CompiledEndpoint(new EndpointSpec("/c/rich/", List.of("customers"),
                "SELECT * FROM customers WHERE balance > {min} AND tier = '{tier}' AND {min} > 0", "rich:{min}:{tier}", null, params, null));
        assertThat(ep.spec().path()).isEqualTo("c/rich");
        assertThat(ep.spec().ttlSeconds()).isEqualTo(60);
        assertThat(ep.spec().maxRows()).isEqualTo(1000);
        Map<String, JsonNode> given = new LinkedHashMap<>();
        given.put("min", JsonNodeFactory.instance.textNode("5"));
        CompiledEndpoint.Bound b = ep.bind(given);
        assertThat(b.args()).containsExactly(5, "gold", 5);
        assertThat(b.cacheKey()).isEqualTo("rich:5:gold");
        given.put("tier", JsonNodeFactory.instance.textNode("a:b c'"));
        assertThat(ep.bind(given).cacheKey()).isEqualTo("rich:5:a%3Ab+c%27");
        assertThatThrownBy(() -> ep.bind(Map.of())).isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("min"));
        assertThatThrownBy(() -> ep.bind(Map.of("min", JsonNodeFactory.instance.textNode("x"))))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("min"));
        assertThatThrownBy(() -> ep.bind(Map.of("min", JsonNodeFactory.instance.numberNode(1), "max", JsonNodeFactory.instance.numberNode(1))))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("max"));
        assertThat(ep.sampleArgs()).containsExactly(0, "0", 0);
    }

    @Test
    void withoutACacheKeyPatternAnswersAreKeyedByEveryParameter() {
        CompiledEndpoint ep = new CompiledEndpoint(new EndpointSpec("p", List.of("t"), "SELECT * FROM t WHERE a = {a} AND b = {b}",
                null, 0L, null, 5));
        assertThat(ep.bind(Map.of("a", JsonNodeFactory.instance.textNode("1"), "b", JsonNodeFactory.instance.textNode("2"))).cacheKey())
                .isEqualTo("p:a=1:b=2");
    }

    @Test
    void specFieldsAreChecked() {
        assertThatThrownBy(() -> new EndpointSpec("a//b", List.of("t"), "SELECT 1", null, null, null, null))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("path"));
        assertThatThrownBy(() -> new EndpointSpec("a/../b", List.of("t"), "SELECT 1", null, null, null, null))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("path"));
        assertThatThrownBy(() -> new EndpointSpec("a", List.of(), "SELECT 1", null, null, null, null))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("cache_regions"));
        assertThatThrownBy(() -> new EndpointSpec("a", List.of("t"), "SELECT 1", null, -1L, null, null))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("ttl_seconds"));
        assertThatThrownBy(() -> new EndpointSpec.Parameter(SqlType.INT, true, 1))
                .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("required"));
    }
}
