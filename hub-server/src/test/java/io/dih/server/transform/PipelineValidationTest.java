package io.dih.server.transform;

import static io.dih.server.transform.PipelineStepsTest.columns;
import static io.dih.server.transform.PipelineStepsTest.mapOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dih.api.SqlType;
import io.dih.spi.FieldError;
import io.dih.spi.InvalidSpecException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PipelineValidationTest {
    private static final Map<String, SqlType> IN = columns("id", SqlType.BIGINT, "name", SqlType.VARCHAR,
            "age", SqlType.INT, "at", SqlType.TIMESTAMP, "doc", SqlType.VARCHAR, "ok", SqlType.BOOLEAN);

    private static List<FieldError> errors(Object transforms) {
        try {
            Pipeline.compile(transforms, IN);
        } catch (InvalidSpecException e) {
            return e.errors();
        }
        throw new AssertionError("no InvalidSpecException for " + transforms);
    }

    private static FieldError only(Object transforms) {
        List<FieldError> errors = errors(transforms);
        assertThat(errors).hasSize(1);
        return errors.get(0);
    }

    @Test
    void theShapeOfTheList() {
        assertThat(only("drop id").field()).isEqualTo("transforms");
        assertThat(only(List.of("drop")).field()).isEqualTo("transforms[0]");
        FieldError twoKeys = only(List.of(mapOf("drop", List.of("id"), "filter", "true")));
        assertThat(twoKeys.field()).isEqualTo("transforms[0]");
        assertThat(twoKeys.message()).contains("exactly one key");
        FieldError unknown = only(List.of(Map.of("drop", List.of("id")), Map.of("explode", "x")));
        assertThat(unknown.field()).isEqualTo("transforms[1]");
        assertThat(unknown.message()).contains("unknown step 'explode'").contains("rename");
    }

    @Test
    void syntaxErrorsNameTheStepAndColumn() {
        FieldError e = only(List.of(Map.of("compute", Map.of("x", "name + "))));
        assertThat(e.field()).isEqualTo("transforms[0].x");
        assertThat(e.message()).startsWith("invalid expression");
    }

    @Test
    void unknownColumnsInExpressionsAndSteps() {
        FieldError e = only(List.of(Map.of("drop", List.of("name")), Map.of("compute", Map.of("x", "name + '!'"))));
        assertThat(e.field()).isEqualTo("transforms[1].x");
        assertThat(e.message()).contains("unknown column or name 'name'");
        assertThat(only(List.of(Map.of("drop", List.of("nope")))).field()).isEqualTo("transforms[0].nope");
        assertThat(only(List.of(Map.of("cast", Map.of("nope", "INT")))).message()).contains("unknown column 'nope'");
        assertThat(only(List.of(Map.of("parse_json", "nope"))).field()).isEqualTo("transforms[0].nope");
        assertThat(only(List.of(Map.of("flatten", Map.of("nope", "p_")))).field()).isEqualTo("transforms[0].nope");
        assertThat(only(List.of(Map.of("filter", "nope > 1"))).field()).isEqualTo("transforms[0]");
    }

    @Test
    void typeErrors() {
        FieldError e = only(List.of(Map.of("compute", Map.of("x", "name * 2"))));
        assertThat(e.field()).isEqualTo("transforms[0].x");
        assertThat(e.message()).contains("_*_");
        FieldError f = only(List.of(Map.of("filter", "name")));
        assertThat(f.message()).contains("bool").contains("string");
        FieldError list = only(List.of(Map.of("compute", Map.of("x", "[1, 2]"))));
        assertThat(list.message()).contains("no column type").contains("string(");
        FieldError dur = only(List.of(Map.of("compute", Map.of("x", "duration('1h')"))));
        assertThat(dur.message()).contains("no column type");
        assertThat(only(List.of(Map.of("compute", Map.of("x", "null")))).message()).contains("no column type");
    }

    @Test
    void parsedJsonValuesMustBeConverted() {
        FieldError e = only(List.of(Map.of("parse_json", "doc"), Map.of("compute", Map.of("city", "doc.city"))));
        assertThat(e.field()).isEqualTo("transforms[1].city");
        assertThat(e.message()).contains("dyn").contains("string(");
    }

    @Test
    void renameRules() {
        assertThat(only(List.of(Map.of("rename", Map.of("nope", "x")))).message()).contains("unknown column 'nope'");
        FieldError exists = only(List.of(Map.of("rename", Map.of("name", "age"))));
        assertThat(exists.field()).isEqualTo("transforms[0].name");
        assertThat(exists.message()).contains("exists");
        assertThat(only(List.of(Map.of("rename", Map.of("name", "bad name")))).message()).contains("column name");
        assertThat(only(List.of(Map.of("rename", List.of("x")))).message()).contains("takes an object");
    }

    @Test
    void castRules() {
        FieldError type = only(List.of(Map.of("cast", Map.of("age", "WIDGET"))));
        assertThat(type.field()).isEqualTo("transforms[0].age");
        assertThat(type.message()).contains("'WIDGET' is not a supported SQL type");
        FieldError senseless = only(List.of(Map.of("cast", Map.of("at", "BOOLEAN"))));
        assertThat(senseless.message()).isEqualTo("cannot cast TIMESTAMP to BOOLEAN");
    }

    @Test
    void sensibleCastsCompile() {
        Pipeline p = Pipeline.compile(List.of(Map.of("cast", mapOf("age", "BOOLEAN", "ok", "INT", "at", "DATE",
                "name", "UUID", "id", "VARCHAR"))), IN);
        assertThat(p.outputColumns()).containsEntry("age", SqlType.BOOLEAN).containsEntry("ok", SqlType.INT)
                .containsEntry("at", SqlType.DATE).containsEntry("name", SqlType.UUID)
                .containsEntry("id", SqlType.VARCHAR);
    }

    @Test
    void defaultRules() {
        FieldError misfit = only(List.of(Map.of("default", Map.of("age", "lots"))));
        assertThat(misfit.field()).isEqualTo("transforms[0].age");
        assertThat(misfit.message()).contains("does not fit INT");
        assertThat(only(List.of(Map.of("default", Map.of("x", List.of(1))))).message())
                .contains("a number, a string or a boolean");
        Pipeline p = Pipeline.compile(List.of(Map.of("default", Map.of("at", "2024-01-01 00:00:00", "age", "7"))), IN);
        assertThat(p.outputColumns()).containsEntry("at", SqlType.TIMESTAMP).containsEntry("age", SqlType.INT);
    }

    @Test
    void parseJsonAndFlattenTakeText() {
        assertThat(only(List.of(Map.of("parse_json", "age"))).message()).contains("VARCHAR").contains("INT");
        assertThat(only(List.of(Map.of("flatten", Map.of("age", "a_")))).message()).contains("VARCHAR");
        assertThat(only(List.of(Map.of("parse_json", "doc"), Map.of("parse_json", "doc"))).field())
                .isEqualTo("transforms[1].doc");
        assertThat(only(List.of(Map.of("parse_json", "doc"), Map.of("cast", Map.of("doc", "INT")))).message())
                .contains("only be cast to VARCHAR");
        assertThat(only(List.of(Map.of("flatten", Map.of("doc", "bad prefix")))).message()).contains("prefix");
    }

    @Test
    void everyProblemIsReportedOnce() {
        List<FieldError> errors = errors(List.of(Map.of("drop", List.of("nope")),
                Map.of("compute", Map.of("x", "1 +")), Map.of("filter", "age")));
        assertThat(errors).extracting(FieldError::field)
                .containsExactly("transforms[0].nope", "transforms[1].x", "transforms[2]");
        assertThatThrownBy(() -> Pipeline.compile(List.of(Map.of("filter", 1)), IN))
                .isInstanceOf(InvalidSpecException.class).hasMessageContaining("transforms[0]");
    }

    @Test
    void aFailedComputeDoesNotCascade() {
        List<FieldError> errors = errors(List.of(Map.of("compute", Map.of("x", "name *")),
                Map.of("compute", Map.of("y", "x"))));
        assertThat(errors).hasSize(2);
    }
}
