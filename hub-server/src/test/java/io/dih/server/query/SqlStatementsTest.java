package io.dih.server.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dih.spi.InvalidSpecException;
import org.junit.jupiter.api.Test;

class SqlStatementsTest {
    @Test
    void queriesAndDml() {
        assertThat(SqlStatements.classify("SELECT 1")).isEqualTo(SqlStatements.Kind.QUERY);
        assertThat(SqlStatements.classify("  -- hi\n /* there */ (select 1)")).isEqualTo(SqlStatements.Kind.QUERY);
        assertThat(SqlStatements.classify("WITH t AS (SELECT 1) SELECT * FROM t;")).isEqualTo(SqlStatements.Kind.QUERY);
        assertThat(SqlStatements.classify("insert into t values (1)")).isEqualTo(SqlStatements.Kind.DML);
        assertThat(SqlStatements.classify("UPDATE t SET a = ';'")).isEqualTo(SqlStatements.Kind.DML);
        assertThat(SqlStatements.classify("DELETE FROM t WHERE a = 'x'';DROP TABLE t'")).isEqualTo(SqlStatements.Kind.DML);
        assertThat(SqlStatements.classify("MERGE INTO t (a) VALUES (1) ; -- done")).isEqualTo(SqlStatements.Kind.DML);
        assertThat(SqlStatements.classify("SELECT \"a;b\" FROM t /* ; DROP TABLE t */")).isEqualTo(SqlStatements.Kind.QUERY);
    }

    @Test
    void ddlIsRefusedNamingTheRegionsApi() {
        for (String ddl : new String[] {"CREATE TABLE t (a INT)", "drop table t", "/* x */ ALTER TABLE t ADD b INT", "TRUNCATE TABLE t",
                "CREATE INDEX i ON t (a)", "DROP INDEX i"}) {
            assertThatThrownBy(() -> SqlStatements.classify(ddl)).as(ddl)
                    .isInstanceOfSatisfying(InvalidSpecException.class, e -> {
                        assertThat(e.field()).isEqualTo("query");
                        assertThat(e.getMessage()).contains("regions API");
                    });
        }
    }

    @Test
    void otherStatementsAreRefused() {
        for (String sql : new String[] {"SET STREAMING ON", "KILL QUERY '1_1'", "CALL 1", "EXPLAIN SELECT 1", "COPY FROM 'x' INTO t", "", "  ", "-- only\n", ";", "42"}) {
            assertThatThrownBy(() -> SqlStatements.classify(sql)).as(sql).isInstanceOf(InvalidSpecException.class);
        }
        assertThatThrownBy(() -> SqlStatements.classify("EXPLAIN SELECT 1")).hasMessageContaining("\"explain\": true");
    }

    @Test
    void oneStatementOnly() {
        for (String sql : new String[] {"SELECT 1; SELECT 2", "SELECT 1;DROP TABLE t", "SELECT 1; 'x'", "SELECT 1; -- c\n DELETE FROM t",
                "SELECT 'a;' ; SELECT 2", "SELECT 1;;DELETE FROM t"}) {
            assertThatThrownBy(() -> SqlStatements.classify(sql)).as(sql).hasMessageContaining("several statements");
        }
    }
}
