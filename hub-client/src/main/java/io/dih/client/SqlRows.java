package io.dih.client;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The rows of one SQL query over REST ({@code POST /api/v1/dih/sql-query}), read page by page as the caller iterates:
 * the next page is fetched only when the rows already read run out. Each row is a list of values in column order:
 * strings, {@code Integer}/{@code Long} for whole numbers, {@code BigDecimal} for the others (exact, scale kept),
 * booleans, nulls; timestamps come as ISO-8601 strings, dates as {@code yyyy-MM-dd}, binary as base64, UUIDs as
 * strings. DML statements have no rows: see {@link #updated()}.
 *
 * <p>Iterate once. Close it (try-with-resources) when you stop before the end: that closes the server's cursor at
 * once instead of after its idle timeout. Reading to the end closes it by itself. Not thread-safe.
 */
public final class SqlRows implements Iterable<List<Object>>, AutoCloseable {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();
    private static final String PATH = "/api/v1/dih/sql-query";

    private final HubHttp rest;
    private final List<Map<String, String>> columns;
    private final Long updated;
    private List<List<Object>> page;
    private String next;
    private boolean iterated;
    private boolean closed;

    /** Runs the query: the first page is read here, so a bad query fails at once with its {@link HubClientException}. */
    SqlRows(HubHttp rest, Map<String, Object> body) {
        this.rest = requireNonNull(rest, "rest is null").with(JSON);
        JsonNode first = this.rest.send("POST", PATH, body);
        if (first.has("updated")) {
            this.updated = first.get("updated").asLong();
            this.columns = List.of();
            this.page = List.of();
            return;
        }
        this.updated = null;
        List<Map<String, String>> cols = new ArrayList<>();
        for (JsonNode c : first.path("columns")) {
            Map<String, String> col = new LinkedHashMap<>();
            col.put("name", c.path("name").asText());
            col.put("type", c.path("type").asText());
            cols.add(Collections.unmodifiableMap(col));
        }
        this.columns = List.copyOf(cols);
        accept(first);
    }

    /** The result's columns in order, each {@code name} and SQL {@code type} (VARCHAR, BIGINT, DECIMAL…); empty for DML. */
    public List<Map<String, String>> columns() {
        return columns;
    }

    /** For INSERT, UPDATE, DELETE and MERGE, how many rows changed; -1 for a query. */
    public long updated() {
        return updated == null ? -1 : updated;
    }

    /** Every row, read page by page as the stream is consumed; closing the stream closes the cursor. */
    public Stream<List<Object>> stream() {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(iterator(), Spliterator.ORDERED | Spliterator.NONNULL), false)
                .onClose(this::close);
    }

    /** Reads every remaining row into a list (for results known to be small). */
    public List<List<Object>> toList() {
        List<List<Object>> out = new ArrayList<>();
        forEach(out::add);
        return out;
    }

    @Override
    public Iterator<List<Object>> iterator() {
        if (iterated) {
            throw new IllegalStateException("the rows of a query can be iterated once; run the query again to read them again");
        }
        iterated = true;
        return new Iterator<>() {
            private int at;

            @Override
            public boolean hasNext() {
                while (at >= page.size()) {
                    if (next == null || closed) {
                        return false;
                    }
                    accept(rest.send("GET", PATH + "/pages/" + next, null));
                    at = 0;
                }
                return true;
            }

            @Override
            public List<Object> next() {
                if (!hasNext()) {
                    throw new NoSuchElementException("no more rows");
                }
                return page.get(at++);
            }
        };
    }

    /** Closes the server's cursor if pages remain unread; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        String token = next;
        next = null;
        if (token != null) {
            try {
                rest.send("DELETE", PATH + "/pages/" + token, null);
            } catch (HubClientException e) {
                if (e.status() != 404) { // already gone (expired): nothing to close
                    throw e;
                }
            }
        }
    }

    private void accept(JsonNode answer) {
        List<List<Object>> rows = new ArrayList<>();
        for (JsonNode r : answer.path("rows")) {
            List<Object> row = new ArrayList<>(r.size());
            for (JsonNode v : r) {
                row.add(JSON.convertValue(v, Object.class));
            }
            rows.add(Collections.unmodifiableList(row));
        }
        page = rows;
        next = answer.path("next_page").isTextual() ? answer.get("next_page").asText() : null;
    }

}
