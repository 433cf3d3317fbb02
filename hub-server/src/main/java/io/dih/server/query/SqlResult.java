package io.dih.server.query;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.List;

/** What a SQL request answers: a page of rows, or how many rows a DML statement changed. */
public sealed interface SqlResult {
    /**
     * A page: {@code columns} (name, SQL type), {@code rows} (arrays of values in column order) and {@code next_page},
     * the token of the next page while rows remain, else null (the cursor is closed).
     */
    record Page(@JsonProperty("columns") List<SqlColumn> columns,
                @JsonProperty("rows") ArrayNode rows,
                @JsonProperty("next_page") String nextPage) implements SqlResult {
    }

    /** INSERT, UPDATE, DELETE or MERGE: the number of rows changed. */
    record Update(@JsonProperty("updated") long updated) implements SqlResult {
    }
}
