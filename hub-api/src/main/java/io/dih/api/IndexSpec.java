package io.dih.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.ArrayList;
import java.util.List;

/**
 * A secondary index on one column, written as {@code ["field", "TYPE"]} (seed 004) or {@code ["field"]} when the
 * type comes from {@code fields}.
 *
 * @param field the indexed column
 * @param type  the column's type, or {@code null} to take it from the region's fields
 */
public record IndexSpec(String field, SqlType type) {

    @JsonCreator
    public static IndexSpec fromJson(List<String> parts) {
        if (parts == null || parts.isEmpty() || parts.size() > 2) {
            throw new IllegalArgumentException("an index is [\"field\", \"TYPE\"] or [\"field\"]");
        }
        String field = parts.get(0);
        String problem = Names.problem(field);
        if (problem != null) {
            throw new IllegalArgumentException("index field " + problem);
        }
        return new IndexSpec(field, parts.size() == 2 ? SqlType.of(parts.get(1)) : null);
    }

    @JsonValue
    public List<String> toJson() {
        List<String> out = new ArrayList<>(2);
        out.add(field);
        if (type != null) {
            out.add(type.name());
        }
        return out;
    }
}
