package io.dih.server.sync;

import static java.util.Objects.requireNonNull;

import io.dih.api.SourceSpec;
import io.dih.server.region.EntryCodec;
import io.dih.server.region.Region;
import io.dih.server.transform.Pipeline;
import io.dih.server.source.SourceRegistry;
import io.dih.spi.ChangeEvent;
import io.dih.spi.ConflictException;
import io.dih.spi.InvalidSpecException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.ignite.Ignite;
import org.apache.ignite.transactions.Transaction;
import org.apache.ignite.transactions.TransactionConcurrency;
import org.apache.ignite.transactions.TransactionIsolation;

/** Retries of ingest dead letters: the row or change applied again through the {@link Applier}. */
public final class IngestRetry {
    private final Ignite ignite;
    private final SourceRegistry sources;
    private final Applier applier;
    private final IngestDeadLetters deadLetters;

    IngestRetry(Ignite ignite, SourceRegistry sources, Applier applier) {
        this.ignite = requireNonNull(ignite, "ignite is null");
        this.sources = requireNonNull(sources, "sources is null");
        this.applier = requireNonNull(applier, "applier is null");
        this.deadLetters = applier.deadLetters();
    }

    /** What a retry of an ingest dead letter did. */
    public enum RetryState { APPLIED, SUPERSEDED }

    /**
     * Applies a dead letter's row or change again (the region may take it now: a column added, a mapping fixed) and
     * removes the letter, in one transaction. A change older than what its key has now is {@code SUPERSEDED} (the
     * letter goes). One that still does not fit keeps its letter: a {@link ConflictException} says why.
     */
    public RetryState retry(String sourceName, String id) {
        IngestDeadLetters.Stored letter = deadLetters.get(sourceName, id);
        ChangeEvent change = letter.change();
        if (change.kind() == ChangeEvent.Kind.UNREADABLE) {
            throw new ConflictException("dead letter '" + id + "' is a message the connector could not read (" + change.error()
                    + "); it cannot be applied as it is: drop it (and fix its producer)");
        }
        SourceSpec spec = sources.spec(sourceName);
        Applier.Target target = null;
        for (Applier.Target t : applier.targets(spec, false).values()) {
            if (t.region().name().equalsIgnoreCase(letter.region())) {
                target = t;
            }
        }
        if (target == null) {
            throw new ConflictException("source '" + spec.sourceName() + "' no longer feeds region '" + letter.region() + "'; drop the letter");
        }
        try (Transaction tx = ignite.transactions().txStart(TransactionConcurrency.PESSIMISTIC, TransactionIsolation.REPEATABLE_READ, 30_000, 2)) {
            RetryState state;
            if (letter.fromLoad()) {
                state = retryRow(target, change.row());
            } else {
                AppliedChanges batch = new AppliedChanges();
                // a partition read in order keeps one position for all its keys, which is past the letter by now: the
                // letter is then checked against its own key's position (none, unless retried before) and applied
                String stream = target.ordered() ? null : change.stream();
                ChangeEvent again = new ChangeEvent(change.kind(), target.plan().table().name(), change.key(), change.row(), change.position(),
                        change.sequence(), change.commitMillis(), change.snapshot(), stream, change.raw(), null);
                applier.applyBatch(spec.sourceName(), List.of(again), Map.of(again.table().toLowerCase(Locale.ROOT), target), batch);
                if (batch.deadLetteredCount() > 0) {
                    throw new ConflictException("dead letter '" + id + "' still cannot be applied: " + batch.lastError());
                }
                state = batch.skippedCount() > 0 ? RetryState.SUPERSEDED : RetryState.APPLIED;
            }
            deadLetters.remove(id);
            tx.commit();
            return state;
        }
    }

    private RetryState retryRow(Applier.Target t, Map<String, Object> sourceRow) {
        Region region = t.region();
        Map<String, Object> transformed = sourceRow;
        if (!t.plan().transforms().isEmpty()) {
            Pipeline.Outcome o = t.plan().transforms().apply(sourceRow);
            if (o instanceof Pipeline.Failed f) {
                throw new ConflictException("the row still fails its binding's transforms: " + TransformedRows.error(f));
            }
            if (o instanceof Pipeline.Filtered) {
                return RetryState.SUPERSEDED; // the binding's filter leaves it out now
            }
            transformed = ((Pipeline.Row) o).row();
        }
        Map<String, Object> row = Applier.regionRow(t.plan(), transformed);
        Object k;
        Object v;
        try {
            k = EntryCodec.keyOf(region, ignite.binary(), row);
            v = EntryCodec.valueOf(region, ignite.binary(), row);
        } catch (InvalidSpecException e) {
            throw new ConflictException("the row still does not fit region '" + region.name() + "': " + e.getMessage());
        }
        if (applier.hasPendingWriteInTransaction(region, k)) {
            return RetryState.SUPERSEDED; // the hub's own newer write is on its way to the source
        }
        region.cache().withSkipStore().put(k, v);
        return RetryState.APPLIED;
    }
}
