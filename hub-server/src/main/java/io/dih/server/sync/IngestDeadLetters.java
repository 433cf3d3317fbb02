package io.dih.server.sync;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import io.dih.server.json.Json;
import io.dih.spi.ChangeEvent;
import io.dih.spi.NotFoundException;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.binary.BinaryObject;
import org.apache.ignite.binary.BinaryObjectBuilder;
import org.apache.ignite.cache.query.SqlFieldsQuery;

/**
 * Rows, changes and messages a region could not take (not JSON, a value that does not fit its column, no key, a field
 * the region lacks): kept in {@code dih_dead_letters} (kind {@code INGEST}) with source, region, position, the payload
 * as the source sent it, the error and the time, while the feed goes on. A letter's id is derived from where it came
 * from, so the same message delivered again is the same letter (never a second one). The change itself is kept too,
 * so a retry can apply it once the region can take it (a column added, a mapping fixed).
 */
public final class IngestDeadLetters {
    static final String KIND = "INGEST";
    private static final int MAX_TEXT = 64 * 1024;

    private final Ignite ignite;
    private final IgniteCache<String, BinaryObject> cache;

    IngestDeadLetters(Ignite ignite) {
        this.ignite = requireNonNull(ignite, "ignite is null");
        this.cache = ignite.getOrCreateCache(DeadLetters.configuration(ignite)).withKeepBinary();
    }

    /** An ingest dead letter as the API shows it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record IngestLetter(@JsonProperty("id") String id, @JsonProperty("source") String source,
                               @JsonProperty("region") String region, @JsonProperty("op") String op,
                               @JsonProperty("key") String key, @JsonProperty("position") String position,
                               @JsonProperty("payload") String payload, @JsonProperty("error") String error,
                               @JsonProperty("failed_at") String failedAt) {
    }

    /** A stored letter: the change to apply again on a retry, and where it goes. */
    record Stored(String id, String region, ChangeEvent change, boolean fromLoad) {
    }

    /** Where a change came from, as people read it: {@code orders-3@1234}, or the log position. */
    static String position(ChangeEvent e) {
        String pos = e.stream() == null ? Long.toUnsignedString(e.position()) + (e.sequence() != 0 ? "." + e.sequence() : "")
                : e.stream() + "@" + e.position();
        return e.snapshot() ? "snapshot" : pos;
    }

    /**
     * Keeps a change the region could not take, in the caller's transaction if there is one.
     *
     * @param keyText the region key as text when it could be worked out, else {@code null}
     */
    String add(String source, String region, ChangeEvent e, String keyText, String error) {
        String where = e.snapshot() ? "snapshot/" + e.table() + "/" + e.key() + "/" + e.row() : e.stream() + "/" + e.position() + "/" + e.sequence();
        String id = id(source, region, where);
        String payload = e.raw() != null ? e.raw() : rowText(e.row() != null ? e.row() : e.key());
        put(id, source, region, e.kind().name(), keyText, e.snapshot() ? null : position(e), payload, error, change(e));
        return id;
    }

    /** Keeps a loaded row its region could not take. */
    String addRow(String source, String region, Map<String, Object> row, String keyText, String error) {
        String payload = rowText(row);
        String id = id(source, region, "load/" + payload);
        ChangeEvent e = new ChangeEvent(ChangeEvent.Kind.UPSERT, region, Map.of(), row, 0, 0, System.currentTimeMillis(), true);
        put(id, source, region, "LOAD", keyText, null, payload, error, change(e));
        return id;
    }

    /** Keeps what a load's source could not read as a row (a malformed CSV line); it cannot be retried, only dropped. */
    String addUnreadable(String source, String region, String position, String raw, String error) {
        String id = id(source, region, "unreadable/" + position + "/" + raw);
        ChangeEvent e = new ChangeEvent(ChangeEvent.Kind.UNREADABLE, region, Map.of(), null, 0, 0, System.currentTimeMillis(), true, null, raw,
                error);
        put(id, source, region, "LOAD", null, position, raw, error, change(e));
        return id;
    }

    private void put(String id, String source, String region, String op, String keyText, String position, String payload, String error,
                     String change) {
        BinaryObjectBuilder b = ignite.binary().builder(DeadLetters.TYPE);
        b.setField("id", id, String.class);
        b.setField("kind", KIND, String.class);
        b.setField("source", source.toLowerCase(Locale.ROOT), String.class);
        b.setField("region", region.toLowerCase(Locale.ROOT), String.class);
        b.setField("op", op, String.class);
        b.setField("entry_key", keyText, String.class);
        b.setField("position", position, String.class);
        b.setField("payload", cut(payload), String.class);
        b.setField("error", cut(error), String.class);
        b.setField("failed_at", new Timestamp(System.currentTimeMillis()), Timestamp.class);
        b.setField("change", change, String.class);
        cache.put(id, b.build());
    }

    private static String id(String source, String region, String where) {
        return UUID.nameUUIDFromBytes((source.toLowerCase(Locale.ROOT) + "/" + region.toLowerCase(Locale.ROOT) + "/" + where)
                .getBytes(StandardCharsets.UTF_8)).toString();
    }

    private static String cut(String s) {
        return s == null || s.length() <= MAX_TEXT ? s : s.substring(0, MAX_TEXT) + "…";
    }

    private static String rowText(Map<String, Object> row) {
        if (row == null) {
            return null;
        }
        try {
            return Json.MAPPER.writeValueAsString(row);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            return String.valueOf(row);
        }
    }

    private static String change(ChangeEvent e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", e.kind().name());
        m.put("table", e.table());
        m.put("key", e.key());
        m.put("row", e.row());
        m.put("position", e.position());
        m.put("sequence", e.sequence());
        m.put("commit_ms", e.commitMillis());
        m.put("snapshot", e.snapshot());
        m.put("stream", e.stream());
        m.put("raw", e.raw());
        m.put("error", e.error());
        return rowText(m);
    }

    private static ChangeEvent change(String json) {
        try {
            JsonNode n = Json.MAPPER.readTree(json);
            TypeReference<Map<String, Object>> map = new TypeReference<>() {
            };
            Map<String, Object> key = n.hasNonNull("key") ? Json.MAPPER.convertValue(n.get("key"), map) : Map.of();
            Map<String, Object> row = n.hasNonNull("row") ? Json.MAPPER.convertValue(n.get("row"), map) : null;
            return new ChangeEvent(ChangeEvent.Kind.valueOf(n.get("kind").asText()), n.get("table").asText(), key, row,
                    n.get("position").asLong(), n.get("sequence").asLong(), n.get("commit_ms").asLong(), n.get("snapshot").asBoolean(),
                    n.hasNonNull("stream") ? n.get("stream").asText() : null, n.hasNonNull("raw") ? n.get("raw").asText() : null,
                    n.hasNonNull("error") ? n.get("error").asText() : null);
        } catch (JsonProcessingException | RuntimeException e) {
            throw new IllegalStateException("a stored dead letter cannot be read back: " + e.getMessage(), e);
        }
    }

    /** A source's letters, oldest first. */
    public List<IngestLetter> list(String source, int limit) {
        List<IngestLetter> out = new ArrayList<>();
        SqlFieldsQuery q = new SqlFieldsQuery("SELECT id, source, region, op, entry_key, position, payload, error, failed_at FROM dead_letters "
                + "WHERE source = ? AND kind = '" + KIND + "' ORDER BY failed_at LIMIT ?").setSchema(DeadLetters.SQL_SCHEMA)
                .setArgs(source.toLowerCase(Locale.ROOT), limit);
        for (List<?> row : cache.query(q).getAll()) {
            out.add(new IngestLetter((String) row.get(0), (String) row.get(1), (String) row.get(2), (String) row.get(3), (String) row.get(4),
                    (String) row.get(5), (String) row.get(6), (String) row.get(7), ((Timestamp) row.get(8)).toInstant().toString()));
        }
        return out;
    }

    /** How many letters a source has. */
    public long count(String source) {
        SqlFieldsQuery q = new SqlFieldsQuery("SELECT COUNT(*) FROM dead_letters WHERE source = ? AND kind = '" + KIND + "'")
                .setSchema(DeadLetters.SQL_SCHEMA).setArgs(source.toLowerCase(Locale.ROOT));
        return ((Number) cache.query(q).getAll().get(0).get(0)).longValue();
    }

    Stored get(String source, String id) {
        BinaryObject dl = cache.get(id);
        if (dl == null || !KIND.equals(dl.field("kind")) || !source.equalsIgnoreCase(dl.field("source"))) {
            throw new NotFoundException("source '" + source + "' has no dead letter '" + id + "'");
        }
        return new Stored(id, dl.field("region"), change((String) dl.field("change")), "LOAD".equals(dl.field("op")));
    }

    /** Removes a letter: it is given up. */
    public void drop(String source, String id) {
        get(source, id);
        cache.remove(id);
    }

    /** Removes a letter a retry applied (in the retry's transaction). */
    void remove(String id) {
        cache.remove(id);
    }

    /** Drops every letter of a source (with the source). */
    void dropAll(String source) {
        SqlFieldsQuery q = new SqlFieldsQuery("DELETE FROM dead_letters WHERE source = ? AND kind = '" + KIND + "'")
                .setSchema(DeadLetters.SQL_SCHEMA).setArgs(source.toLowerCase(Locale.ROOT));
        cache.query(q).getAll();
    }
}
