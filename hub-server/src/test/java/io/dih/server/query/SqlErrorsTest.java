package io.dih.server.query;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SqlErrorsTest {
    @Test
    void positionOfH2sMarkerInTheQueryAsSent() {
        String msg = "Failed to parse query. Syntax error in SQL statement \"SELECT ID FROM T WHERE ID = =[*] 1 \"; expected \"ALL\"";
        assertThat(SqlErrors.position(msg, "select id from t where id = = 1"))
                .isEqualTo("syntax error: the parser stopped at position 30 (line 1, column 30, [*] below)");
        assertThat(SqlErrors.position(msg, "\n  select id from t where id = = 1")).contains("position 33 (line 2, column 32,");
        assertThat(SqlErrors.position("Syntax error in SQL statement \"EXPLAIN SELECT FROM[*] T\"", "SELECT FROM T")).contains("position 12 ");
        assertThat(SqlErrors.position("Table \"T\" not found", "SELECT 1 FROM t")).isNull();
    }

    @Test
    void cleanKeepsTheParsersWords() {
        assertThat(SqlErrors.clean("Failed to parse query. Table \"NOPE\" not found; SQL statement:\nSELECT * FROM nope [42102-197]"))
                .isEqualTo("Table \"NOPE\" not found");
        assertThat(SqlErrors.clean("Column \"X\" not found [42122-197]")).isEqualTo("Column \"X\" not found");
    }
}
