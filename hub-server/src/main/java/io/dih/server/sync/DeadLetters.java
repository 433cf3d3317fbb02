package io.dih.server.sync;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dih.server.json.Json;
import io.dih.server.region.EntryCodec;
import io.dih.server.region.Region;
import io.dih.spi.NotFoundException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.binary.BinaryObject;
import org.apache.ignite.binary.BinaryObjectBuilder;
import org.apache.ignite.cache.CacheAtomicityMode;
import org.apache.ignite.cache.CacheWriteSynchronizationMode;
import org.apache.ignite.cache.QueryEntity;
import org.apache.ignite.cache.QueryIndex;
import org.apache.ignite.cache.QueryIndexType;
import org.apache.ignite.cache.query.SqlFieldsQuery;
import org.apache.ignite.configuration.CacheConfiguration;
import org.apache.ignite.transactions.Transaction;
import org.apache.ignite.transactions.TransactionConcurrency;
import org.apache.ignite.transactions.TransactionIsolation;

/**
 * Writes a source refused for good (a constraint, a type): kept with their key, value, error and time in the
 * {@code dih_dead_letters} cache (SQL: {@code SELECT * FROM dih.dead_letters WHERE kind = 'WRITE'}) instead of blocking
 * the queue behind them. They can be listed, retried (queued again as they were) and dropped. The same cache holds
 * ingest's dead letters ({@link IngestDeadLetters}: rows, changes and messages a region could not take).
 */
public final class DeadLetters {
    public static final String CACHE = "dih_dead_letters";
    /** The {@code kind} of a write-behind dead letter (ingest's are {@link IngestDeadLetters#KIND}). */
    static final String KIND = "WRITE";
    static final String TYPE = "dih.sync.DeadLetter";
    static final String SQL_SCHEMA = "DIH";

    private final Ignite ignite;
    private final WriteBehindQueue queue;
    private final IgniteCache<String, BinaryObject> cache;

    public DeadLetters(Ignite ignite, WriteBehindQueue queue) {
        this.ignite = requireNonNull(ignite, "ignite is null");
        this.queue = requireNonNull(queue, "queue is null");
        this.cache = ignite.getOrCreateCache(configuration(ignite)).withKeepBinary();
    }

    static CacheConfiguration<String, Object> configuration(Ignite ignite) {
        CacheConfiguration<String, Object> cc = new CacheConfiguration<>(CACHE);
        cc.setBackups(1);
        cc.setAtomicityMode(CacheAtomicityMode.TRANSACTIONAL);
        cc.setWriteSynchronizationMode(CacheWriteSynchronizationMode.FULL_SYNC);
        cc.setSqlSchema(SQL_SCHEMA);
        if (WriteBehindQueue.syncDataRegion(ignite) != null) {
            cc.setDataRegionName(WriteBehindQueue.DATA_REGION);
        }
        QueryEntity qe = new QueryEntity(String.class.getName(), TYPE);
        qe.setTableName("dead_letters");
        qe.setKeyFieldName("id");
        LinkedHashMap<String, String> fields = new LinkedHashMap<>();
        fields.put("id", String.class.getName());
        fields.put("region", String.class.getName());
        fields.put("source", String.class.getName());
        fields.put("op", String.class.getName());
        fields.put("entry_key", String.class.getName());
        fields.put("entry_value", String.class.getName());
        fields.put("error", String.class.getName());
        fields.put("failed_at", Timestamp.class.getName());
        fields.put("kind", String.class.getName());
        fields.put("position", String.class.getName());
        fields.put("payload", String.class.getName());
        qe.setFields(fields);
        QueryIndex byRegion = new QueryIndex("region", QueryIndexType.SORTED);
        byRegion.setName("dead_letters_region_idx");
        QueryIndex bySource = new QueryIndex("source", QueryIndexType.SORTED);
        bySource.setName("dead_letters_source_idx");
        qe.setIndexes(List.of(byRegion, bySource));
        cc.setQueryEntities(List.of(qe));
        return cc;
    }

    /** A dead letter as the API shows it. */
    public record DeadLetter(@JsonProperty("id") String id, @JsonProperty("region") String region, @JsonProperty("source") String source,
                             @JsonProperty("op") String op, @JsonProperty("key") String key,
                             @JsonProperty("value") com.fasterxml.jackson.databind.JsonNode value,
                             @JsonProperty("error") String error, @JsonProperty("failed_at") String failedAt) {
    }

    /**
     * Moves a pending write the source rejected into the dead letters, and out of the queue unless the key was
     * written again meanwhile (the newer write stays queued).
     */
    public DeadLetter add(Region r, String source, WriteBehindQueue.Pending p, String error) {
        String id = p.deadLetterId() != null ? p.deadLetterId() : UUID.randomUUID().toString(); // a retried letter keeps its id
        BinaryObjectBuilder b = ignite.binary().builder(TYPE);
        String keyText = EntryCodec.keyText(r, p.key());
        String valueText = p.value() == null ? null : EntryCodec.toJson(r, p.key(), p.value()).toString();
        Timestamp now = new Timestamp(System.currentTimeMillis());
        b.setField("id", id, String.class);
        b.setField("kind", KIND, String.class);
        b.setField("region", r.name().toLowerCase(Locale.ROOT), String.class);
        b.setField("source", source, String.class);
        b.setField("op", p.delete() ? "DELETE" : "PUT", String.class);
        b.setField("entry_key", keyText, String.class);
        b.setField("entry_value", valueText, String.class);
        b.setField("error", error, String.class);
        b.setField("failed_at", now, Timestamp.class);
        b.setField("key", p.key(), Object.class);
        if (p.value() != null) {
            b.setField("value", p.value(), Object.class);
        }
        try (Transaction tx = ignite.transactions().txStart(TransactionConcurrency.PESSIMISTIC, TransactionIsolation.REPEATABLE_READ)) {
            cache.put(id, b.build());
            queue.acknowledge(r, List.of(p));
            tx.commit();
        }
        return new DeadLetter(id, r.name(), source, p.delete() ? "DELETE" : "PUT", keyText, json(valueText), error, now.toInstant().toString());
    }

    public List<DeadLetter> list(Region r, int limit) {
        List<DeadLetter> out = new ArrayList<>();
        SqlFieldsQuery q = new SqlFieldsQuery("SELECT id, region, source, op, entry_key, entry_value, error, failed_at FROM dead_letters "
                + "WHERE region = ? AND kind = '" + KIND + "' ORDER BY failed_at LIMIT ?").setSchema(SQL_SCHEMA).setArgs(r.name().toLowerCase(Locale.ROOT), limit);
        for (List<?> row : cache.query(q).getAll()) {
            out.add(new DeadLetter((String) row.get(0), r.name(), (String) row.get(2), (String) row.get(3), (String) row.get(4),
                    json((String) row.get(5)), (String) row.get(6), ((Timestamp) row.get(7)).toInstant().toString()));
        }
        return out;
    }

    /** The stored JSON text of a dead letter's value as JSON again (null for a delete). */
    static com.fasterxml.jackson.databind.JsonNode json(String text) {
        if (text == null) {
            return null;
        }
        try {
            return Json.MAPPER.readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return com.fasterxml.jackson.databind.node.TextNode.valueOf(text);
        }
    }

    public long count(Region r) {
        SqlFieldsQuery q = new SqlFieldsQuery("SELECT COUNT(*) FROM dead_letters WHERE region = ? AND kind = '" + KIND + "'").setSchema(SQL_SCHEMA)
                .setArgs(r.name().toLowerCase(Locale.ROOT));
        return ((Number) cache.query(q).getAll().get(0).get(0)).longValue();
    }

    private BinaryObject require(Region r, String id) {
        BinaryObject dl = cache.get(id);
        if (dl == null || !r.name().equalsIgnoreCase(dl.field("region")) || !KIND.equals(dl.field("kind"))) {
            throw new NotFoundException("region '" + r.name() + "' has no dead letter '" + id + "'");
        }
        return dl;
    }

    /** What a retry did: the write is {@code QUEUED} again, or {@code SUPERSEDED} by a newer pending write of its key. */
    public enum RetryState { QUEUED, SUPERSEDED }

    /**
     * Queues a dead letter's write again, as it was recorded, and removes the dead letter; if the source refuses the
     * write again, it comes back as a dead letter with the same id. When a newer write of the key is already pending,
     * that one wins and the dead letter is just removed.
     */
    public RetryState retry(Region r, String id) {
        try (Transaction tx = ignite.transactions().txStart(TransactionConcurrency.PESSIMISTIC, TransactionIsolation.REPEATABLE_READ)) {
            BinaryObject dl = require(r, id);
            Object key = WriteBehindQueue.detached(dl.field("key"));
            boolean requeue = queue.pending(r, key).isEmpty();
            if (requeue) {
                queue.requeue(r, key, "DELETE".equals(dl.field("op")) ? null : WriteBehindQueue.detached(dl.field("value")), id);
            }
            cache.remove(id);
            tx.commit();
            return requeue ? RetryState.QUEUED : RetryState.SUPERSEDED;
        }
    }

    public void drop(Region r, String id) {
        try (Transaction tx = ignite.transactions().txStart(TransactionConcurrency.PESSIMISTIC, TransactionIsolation.REPEATABLE_READ)) {
            require(r, id);
            cache.remove(id);
            tx.commit();
        }
    }

    /** Drops every dead letter of a region, written or ingested (with the region). */
    public void dropAll(String region) {
        SqlFieldsQuery q = new SqlFieldsQuery("DELETE FROM dead_letters WHERE region = ?").setSchema(SQL_SCHEMA)
                .setArgs(region.toLowerCase(Locale.ROOT));
        cache.query(q).getAll();
    }
}
