package io.dih.server.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.dih.spi.InvalidSpecException;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class HiddenNamesTest {
    private static final Predicate<String> HIDDEN = Set.of("GLOBEX_ORDERS", "SYS")::contains;

    @Test
    void replacesNamesInEverySpellingWithWordsOfTheSameLength() {
        String sql = "SELECT * FROM globex_orders g JOIN \"GLOBEX_ORDERS\" h ON 1=1 JOIN Sys.tables t ON 1=1";
        HiddenNames h = HiddenNames.of(sql, HIDDEN);
        assertThat(h.any()).isTrue();
        assertThat(h.sql()).hasSameSizeAs(sql).doesNotContainIgnoringCase("globex").doesNotContainIgnoringCase("sys.");
        assertThat(h.first()).isEqualTo("GLOBEX_ORDERS");
    }

    @Test
    void leavesStringsCommentsAndOtherNamesAlone() {
        String sql = "SELECT 'globex_orders', $$sys$$ /* globex_orders */ FROM acme_orders -- sys\n WHERE \"globex_orders\" = 1 AND systems = 2";
        HiddenNames h = HiddenNames.of(sql, HIDDEN);
        assertThat(h.any()).as("a quoted identifier is compared as written: \"globex_orders\" is not GLOBEX_ORDERS").isFalse();
        assertThat(h.sql()).isEqualTo(sql);
    }

    @Test
    void tellsTheParsersWordsBackAsTheyWouldHaveBeen() {
        String sql = "select * from globex_orders where";
        HiddenNames h = HiddenNames.of(sql, HIDDEN);
        String replacement = h.sql().substring(14, 27);
        InvalidSpecException told = h.tellBack(new InvalidSpecException("query", "Table \"" + replacement + "\" not found"));
        assertThat(told).isInstanceOf(HiddenObjectException.class);
        assertThat(told.errors().get(0).message()).isEqualTo("Table \"GLOBEX_ORDERS\" not found");
        assertThat(h.tellBack("Syntax error in SQL statement \"" + h.sql() + "[*]\"; expected \"identifier\""))
                .isEqualTo("Syntax error in SQL statement \"" + sql + "[*]\"; expected \"identifier\"");
        assertThat(h.tellBack("Syntax error in SQL statement \"" + h.sql().toUpperCase() + "[*]\""))
                .isEqualTo("Syntax error in SQL statement \"" + sql.toUpperCase() + "[*]\"");
    }

    @Test
    void aReplacementIsNoWordOfTheText() {
        String sql = "SELECT _0ZZ, _1ZZ FROM sys.x JOIN \"SYS\".y";
        HiddenNames h = HiddenNames.of(sql, HIDDEN);
        assertThat(h.sql()).as("words of the text and earlier replacements are skipped").isEqualTo("SELECT _0ZZ, _1ZZ FROM _2Z.x JOIN _0ZZZ.y");
    }
}
