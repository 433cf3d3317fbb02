package io.dih.server.subscribe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dih.api.SqlType;
import io.dih.spi.InvalidSpecException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RowProjectionTest {
    private static final Map<String, SqlType> COLUMNS = new LinkedHashMap<>();

    static {
        COLUMNS.put("id", SqlType.BIGINT);
        COLUMNS.put("region", SqlType.VARCHAR);
        COLUMNS.put("name", SqlType.VARCHAR);
        COLUMNS.put("price", SqlType.DECIMAL);
        COLUMNS.put("created_at", SqlType.TIMESTAMP);
        COLUMNS.put("Mixed", SqlType.INT);
    }

    private static RowProjection p(String text) {
        return RowProjection.parse(text, COLUMNS, List.of("id"));
    }

    private static void refused(String text, String message) {
        assertThatThrownBy(() -> p(text)).as(text).isInstanceOfSatisfying(InvalidSpecException.class, e -> {
            assertThat(e.field()).isEqualTo("columns");
            assertThat(e.getMessage()).contains(message);
        });
    }

    @Test
    void keepsListedColumnsInRequestOrderWithKeysFirst() {
        RowProjection p = p("price, name");
        assertThat(p.columns()).containsExactly("id", "price", "name");
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("name", "a");
        row.put("id", 1L);
        row.put("price", null);
        row.put("created_at", "x");
        Map<String, Object> out = p.apply(row);
        assertThat(out).isInstanceOf(LinkedHashMap.class).isNotSameAs(row);
        assertThat(out.keySet()).containsExactly("id", "price", "name");
        assertThat(out).containsEntry("price", null).containsEntry("name", "a").containsEntry("id", 1L);
        assertThat(row).hasSize(4); // the row itself is untouched
    }

    @Test
    void listedKeyKeepsItsPlaceAndCompositeKeysAreAllKept() {
        assertThat(p("name,ID").columns()).containsExactly("name", "id");
        RowProjection p = RowProjection.parse(" NAME ,\tprice ", COLUMNS, List.of("region", "id"));
        assertThat(p.columns()).containsExactly("region", "id", "name", "price");
        assertThat(RowProjection.parse("id", COLUMNS, List.of("region", "id")).columns()).containsExactly("region", "id");
        assertThat(p("mixed").columns()).containsExactly("id", "Mixed");
        assertThat(p("Mixed")).hasToString("id,Mixed");
    }

    @Test
    void aColumnTheRowLacksStaysAbsent() {
        Map<String, Object> row = new HashMap<>();
        row.put("id", 7L);
        assertThat(p("name").apply(row)).containsExactly(Map.entry("id", 7L));
    }

    @Test
    void allKeepsTheRowAsIs() {
        Map<String, Object> row = new HashMap<>();
        row.put("id", 7L);
        assertThat(RowProjection.ALL.apply(row)).isSameAs(row);
        assertThat(RowProjection.ALL.columns()).isEmpty();
    }

    @Test
    void refusals() {
        refused("name, nope", "unknown column 'nope'; known columns: Mixed, created_at, id, name, price, region");
        refused("name,NAME", "names column 'name' twice");
        refused("id, id", "names column 'id' twice");
        refused("", "is empty");
        refused("   ", "is empty");
        refused(null, "is empty");
        refused("name,,price", "empty name");
        refused("name,", "empty name");
        refused(",", "empty name");
        refused("name".repeat(251), "the limit is 1000 characters");
        refused("'; DROP TABLE x;--", "unknown column");
        refused("na\u0000me", "unknown column 'na?me'");
        refused("\"name\"", "unknown column '\"name\"'");
    }
}
