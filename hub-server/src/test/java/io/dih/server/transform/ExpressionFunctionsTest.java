package io.dih.server.transform;

import static io.dih.server.transform.PipelineStepsTest.columns;
import static io.dih.server.transform.PipelineStepsTest.row;
import static io.dih.server.transform.PipelineStepsTest.rowOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.dih.api.SqlType;
import java.sql.Timestamp;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The functions the README's expression reference lists, each evaluated once. */
class ExpressionFunctionsTest {
    private static final Map<String, SqlType> IN = columns("s", SqlType.VARCHAR, "n", SqlType.BIGINT,
            "x", SqlType.DOUBLE, "t", SqlType.TIMESTAMP, "status", SqlType.VARCHAR);
    private static final Map<String, Object> ROW = row("s", " Hello World ", "n", -7L, "x", 2.5,
            "t", Timestamp.valueOf("2024-03-04 05:06:07.089"), "status", "open");

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "s.lowerAscii()                          | ` hello world `",
        "s.upperAscii().trim()                   | `HELLO WORLD`",
        "s.trim().substring(0, 5)                | `Hello`",
        "s.trim().substring(6)                   | `World`",
        "s.charAt(1)                             | `H`",
        "string(s.indexOf('o'))                  | `5`",
        "string(s.lastIndexOf('o'))              | `8`",
        "s.trim().split(' ').join('-')           | `Hello-World`",
        "s.trim().reverse()                      | `dlroW olleH`",
        "strings.quote('a')                      | `\"a\"`",
        "string(s.contains('World'))             | `true`",
        "string(s.trim().startsWith('He') && s.endsWith(' '))  | `true`",
        "string(s.matches('W[a-z]+'))            | `true`",
        "string(size(s))                         | `13`",
        "string(math.greatest(n, 3))             | `3`",
        "string(math.least(1, 2, n))             | `-7`",
        "string(math.abs(n))                     | `7`",
        "string(math.ceil(x))                    | `3.0`",
        "string(math.floor(x))                   | `2.0`",
        "string(math.round(x))                   | `3.0`",
        "string(math.trunc(x))                   | `2.0`",
        "string(math.sign(n))                    | `-1`",
        "string(!math.isNaN(x) && !math.isInf(x))  | `true`",
        "string(math.bitAnd(6, 3))               | `2`",
        "string(t.getFullYear())                 | `2024`",
        "string(t.getMonth())                    | `2`",
        "string(t.getDate())                     | `4`",
        "string(t.getDayOfMonth())               | `3`",
        "string(t.getDayOfWeek())                | `1`",
        "string(t.getDayOfYear())                | `63`",
        "string(t.getHours())                    | `5`",
        "string(t.getHours('Europe/Paris'))      | `6`",
        "string(t.getMinutes())                  | `6`",
        "string(t.getSeconds())                  | `7`",
        "string(t.getMilliseconds())             | `89`",
        "string(t + duration('1h30m'))           | `2024-03-04T06:36:07.089Z`",
        "string((t - timestamp('2024-03-04T00:00:00Z')).getHours())  | `5`",
        "string(status in ['new', 'open'])       | `true`",
        "string({'a': 1}['a'] + [1, 2][1])       | `3`",
        "string([1, 2, 3].filter(i, i > 1).map(i, i * 2) == [4, 6])  | `true`",
        "string([1, 2, 3].exists_one(i, i == 2) && [1].all(i, i > 0))  | `true`",
        "string(int('42') + int(x) + int(uint(3)))  | `47`",
        "string(double(n) / 2.0)                 | `-3.5`",
        "string(x > 2)                           | `true`",
        "string(bool('true'))                    | `true`",
        "string(bytes('a'))                      | `a`",
    })
    void listedFunctionsWork(String expression, String expected) {
        Pipeline p = Pipeline.compile(List.of(Map.of("compute", Map.of("r", expression))), IN);
        assertThat(rowOf(p.apply(ROW))).containsEntry("r", expected);
    }
}
