package io.dih.spi;

import io.dih.api.BindingSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A live connection to one source (a database, an index, a bucket, a topic), created by its
 * {@link ConnectorFactory}. The hub creates one per source on each node that needs it and calls it from several
 * threads at once: implementations are thread-safe (pool connections). Optional operations throw
 * {@link UnsupportedOperationException} unless the matching {@link Capability} is declared.
 */
public interface Connector extends AutoCloseable {
    /** What this connector can do; the same set on every call. */
    Set<Capability> capabilities();

    /**
     * The columns and key of what a binding reads. Called when a source is registered, on the registering thread.
     *
     * @throws InvalidSpecException naming the binding's field when the table, query or a column does not exist
     * @throws UnavailableException when the source cannot be reached (the message names host and port, never a password)
     */
    SourceTable describe(BindingSpec binding);

    /**
     * {@link Capability#BULK_LOAD}: streams the binding's rows to {@code sink}, in one pass, on the calling thread.
     *
     * @param after a watermark: only rows whose {@code watermark_column} is greater are read; {@code null} reads all
     * @return the highest watermark value seen (or {@code null} without a watermark column)
     */
    default Object load(BindingSpec binding, Object after, RowSink sink) {
        throw new UnsupportedOperationException("this connector cannot load");
    }

    /**
     * {@link Capability#BULK_LOAD}: how many rows a load would read (past {@code after}), for progress and ETA; empty
     * when counting is not cheap.
     */
    default java.util.OptionalLong count(BindingSpec binding, Object after) {
        return java.util.OptionalLong.empty();
    }

    /**
     * {@link Capability#BULK_LOAD} of a source made of parts that change independently (the objects of a bucket): the
     * parts the binding reads now, each with a version that changes with its content. The hub then reads only the
     * parts whose version changed since its last load (all of them on a full load) with {@link #loadPart}, and removes
     * the rows of parts that are gone. Empty (the default) for a source that is not made of parts: its loads read
     * everything, or what lies past a watermark, with {@link #load}.
     *
     * @throws InvalidSpecException when the binding names what does not exist (a bucket)
     * @throws UnavailableException when the source cannot be reached
     */
    default Optional<LoadParts> parts(BindingSpec binding) {
        return Optional.empty();
    }

    /**
     * {@link Capability#BULK_LOAD}: streams one part's rows to {@code sink} on the calling thread, each row naming the
     * part in {@link LoadParts#column()}. What the source cannot read as a row (a malformed CSV line) goes to
     * {@link RowSink#unreadable} and the part goes on. A part whose version is no longer {@code part.version()} is
     * read as it is now (the next load sees the new version and reads it again).
     */
    default void loadPart(BindingSpec binding, LoadPart part, RowSink sink) {
        throw new UnsupportedOperationException("this connector cannot load parts");
    }

    /** {@link Capability#READ_THROUGH}: the row with the given key values, if any. */
    default Optional<Map<String, Object>> read(BindingSpec binding, Map<String, Object> key) {
        throw new UnsupportedOperationException("this connector cannot read through");
    }

    /**
     * {@link Capability#READ_THROUGH} of many keys at once (a batch get that missed): the rows that exist, in any order,
     * each with its key columns. The default reads the keys one by one; a connector whose source can look up many
     * keys in one request (an {@code IN} list, a multi-get) should.
     */
    default List<Map<String, Object>> readAll(BindingSpec binding, List<Map<String, Object>> keys) {
        List<Map<String, Object>> rows = new ArrayList<>(keys.size());
        for (Map<String, Object> key : keys) {
            read(binding, key).ifPresent(rows::add);
        }
        return rows;
    }

    /**
     * {@link Capability#WRITE_THROUGH} / {@link Capability#WRITE_BEHIND}: applies upserts and deletes (by key) in one
     * source transaction, all or none.
     *
     * @throws SourceRejectedException when the source refuses the data (constraint, type); retrying will not help
     * @throws UnavailableException when the source cannot be reached; retrying later may work
     */
    default void write(BindingSpec binding, List<Map<String, Object>> upserts, List<Map<String, Object>> deletes) {
        throw new UnsupportedOperationException("this connector cannot write");
    }

    /**
     * {@link #write}, and where the write sits in the source's change log: a position at or after every change the
     * write made, as this connector's change feed numbers positions ({@link ChangeEvent#position()}), so the hub can
     * recognise the write's own changes when the feed delivers them and never let them undo a newer write. {@code -1}
     * when the source cannot tell (the default).
     */
    default long writeAt(BindingSpec binding, List<Map<String, Object>> upserts, List<Map<String, Object>> deletes) {
        write(binding, upserts, deletes);
        return -1;
    }

    /**
     * {@link Capability#CHANGE_FEED}: a feed of the bindings' row changes, named {@code feedName} (stable per source: it
     * names the replication slot or similar). It starts from {@code offsets} (a snapshot of the bindings first when
     * there are none) and hands changes to {@code sink} in source commit order; an offset is saved only after the
     * sink returned for every change before it, so delivery is at-least-once.
     */
    default ChangeFeed changeFeed(String feedName, List<BindingSpec> bindings, OffsetStore offsets, ChangeSink sink) {
        throw new UnsupportedOperationException("this connector has no change feed");
    }

    /**
     * {@link Capability#CHANGE_FEED}: what keeps a feed of these bindings from running (the source's settings, the
     * user's rights, tables it cannot follow), each naming the field to fix; empty when it can run. Called when a CDC
     * source is registered, so a mistake is a 400 then rather than a feed that keeps failing.
     *
     * @throws ConflictException when another reader holds the feed's replication slot
     */
    default List<FieldError> checkChangeFeed(String feedName, List<BindingSpec> bindings) {
        return List.of();
    }

    /**
     * {@link Capability#CHANGE_FEED}: removes what a feed left in the source (a replication slot holds the database's
     * log until it is dropped). Idempotent.
     */
    default void dropChangeFeed(String feedName) {
    }

    /**
     * {@link Capability#STREAM}: one member of the consumer group {@code groupName} for these bindings' topics, run by
     * {@link ChangeFeed#run()} on the calling thread until closed. The hub runs one on every server node, so the group
     * spreads the topics' partitions over the nodes and moves them when a node leaves (a connector parameter such as
     * {@code group_id} may name the group instead). Messages reach {@code sink} in partition order, in batches; a
     * message is committed (Kafka) or acknowledged (Pulsar) only after {@link ChangeSink#apply} returned for it, so
     * delivery is at-least-once and a member that dies leaves its messages to the next one.
     *
     * <p>Each message is a {@link ChangeEvent} with {@code table} = the binding's {@link SourceTable#name()},
     * {@code stream} = its partition, {@code position} = its offset there, {@code raw} = its payload as text: UPSERT
     * with the message's fields as the row, DELETE with only the key (a tombstone, an empty payload, a delete marker),
     * or UNREADABLE with the reason (not JSON, no key, an unknown envelope operation) for the dead letters.
     */
    default ChangeFeed stream(String groupName, List<BindingSpec> bindings, ChangeSink sink) {
        throw new UnsupportedOperationException("this connector consumes no stream");
    }

    /**
     * {@link Capability#STREAM}: per partition ({@code orders-3}), how many messages the group has not consumed yet
     * (Kafka: end offset minus committed offset; Pulsar: the subscription's backlog). Empty when the source cannot tell.
     *
     * @throws UnavailableException when the source cannot be reached
     */
    default Map<String, Long> backlog(String groupName, List<BindingSpec> bindings) {
        return Map.of();
    }

    /**
     * {@link Capability#STREAM}: whether each stream (partition) is consumed by one member of the group at a time, in
     * position order (Kafka's consumer groups; Pulsar's Failover and Exclusive subscriptions). The hub then remembers
     * how far it applied each partition instead of each key: a message at or below that position, delivered again
     * after a failure, is skipped. {@code false} (the default) when members share a partition (Pulsar Shared,
     * Key_Shared): the hub keeps a position per key.
     */
    default boolean partitionOrdered() {
        return false;
    }

    /** Releases connections and threads. Idempotent. */
    @Override
    void close();
}
