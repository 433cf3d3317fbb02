package io.dih.server.query;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dih.api.CacheStrategy;
import io.dih.server.region.EntryCodec;
import io.dih.server.region.EntryService;
import io.dih.server.region.KeyOrder;
import io.dih.server.region.Region;
import io.dih.server.region.RegionService;
import io.dih.server.region.RegionWrites;
import io.dih.server.region.WriteQueue;
import io.dih.spi.ConflictException;
import io.dih.spi.HubException;
import io.dih.spi.TimedOutException;
import io.dih.spi.UnavailableException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import org.apache.ignite.Ignite;
import org.apache.ignite.binary.BinaryObject;
import org.apache.ignite.transactions.Transaction;

/**
 * Runs a transaction request, all or nothing, as one Ignite transaction across its regions and keys. Every key is
 * read first, in one global order (region name, then {@link KeyOrder}), under a lock where the isolation asks for one
 * (see {@link Isolation}); the operations then run one after another on those rows, each seeing the ones before it;
 * the rows that changed are written (through the cache store for WRITE_THROUGH regions, into the durable queue for
 * WRITE_BEHIND ones, via {@link RegionWrites}) and the transaction commits. A failed operation or guard, a refusal
 * by a source, a timeout or a topology change rolls everything back.
 */
public final class TransactionService {
    /** How many times a SERIALIZABLE transaction is tried when another one changed what it read. */
    static final int OPTIMISTIC_ATTEMPTS = 20;

    private final Ignite ignite;
    private final RegionWrites writes;
    private final TransactionParser parser;

    public TransactionService(Ignite ignite, RegionService regions, RegionWrites writes, int maxOperations) {
        this.ignite = requireNonNull(ignite, "ignite is null");
        this.writes = requireNonNull(writes, "writes is null");
        this.parser = new TransactionParser(regions, ignite.binary(), maxOperations);
    }

    public TransactionResult execute(JsonNode body) {
        return execute(body, region -> true);
    }

    /** Runs a transaction whose caller sees only the regions {@code visible} accepts (the others answer as missing). */
    public TransactionResult execute(JsonNode body, Predicate<String> visible) {
        TransactionPlan plan = parser.parse(body, visible);
        TreeMap<Slot, Boolean> slots = slots(plan);
        Map<String, WriteQueue> queueing = new HashMap<>();
        Map<String, Region> stored = new LinkedHashMap<>();
        for (TxOperation op : plan.operations()) {
            Region r = op.region();
            if (!queueing.containsKey(r.name())) {
                queueing.put(r.name(), writes.queueing(r)); // outside the transaction: it may create the queue cache
            }
            if (r.spec().cacheStrategy() != CacheStrategy.NONE) {
                stored.put(r.name(), r);
            }
        }
        readThrough(slots, stored);
        checkCapacity(plan);
        Set<String> written = new TreeSet<>();
        boolean session = false;
        for (TxOperation op : plan.operations()) {
            if (op.kind().writes() && written.add(op.region().name())) {
                session |= writes.sessionConsistent(op.region());
            }
        }
        TransactionResult done;
        try {
            done = run(plan, slots, queueing, stored);
        } finally {
            if (!written.isEmpty()) {
                writes.written(written); // before the answer (never throws): cached endpoint answers over these regions end here
            }
        }
        return session ? new TransactionResult(done.status(), done.isolation(), done.attempts(), done.results(), true) : done;
    }

    private TransactionResult run(TransactionPlan plan, TreeMap<Slot, Boolean> slots, Map<String, WriteQueue> queueing,
                                  Map<String, Region> stored) {
        Isolation isolation = plan.isolation().effective();
        long deadline = System.nanoTime() + plan.timeoutMs() * 1_000_000L;
        for (int attempt = 1; ; attempt++) {
            long left = (deadline - System.nanoTime()) / 1_000_000L;
            if (left <= 0) {
                throw timedOut(plan);
            }
            try {
                List<TransactionResult.Operation> results = attempt(plan, isolation, left, slots, queueing);
                return new TransactionResult("COMMITTED", isolation.name(), attempt, results, false);
            } catch (HubException e) {
                throw e; // a failed operation or guard: the transaction rolled back
            } catch (RuntimeException e) {
                if (TxFailures.timedOut(e) || (TxFailures.optimisticConflict(e) && System.nanoTime() >= deadline)) {
                    throw timedOut(plan);
                }
                if (!TxFailures.optimisticConflict(e)) {
                    throw EntryService.translate(blamed(plan, stored), e);
                }
                if (attempt >= OPTIMISTIC_ATTEMPTS) {
                    throw new ConflictException("the transaction kept conflicting with others that changed the same rows ("
                            + attempt + " SERIALIZABLE attempts); nothing was applied, try again");
                }
                backOff(attempt);
            }
        }
    }

    private List<TransactionResult.Operation> attempt(TransactionPlan plan, Isolation isolation, long timeoutMs,
                                                      TreeMap<Slot, Boolean> slots, Map<String, WriteQueue> queueing) {
        try (Transaction tx = ignite.transactions().txStart(isolation.concurrency(), isolation.igniteIsolation(), timeoutMs, slots.size())) {
            Map<Slot, Object> rows = new TreeMap<>();
            for (Map.Entry<Slot, Boolean> s : slots.entrySet()) {
                rows.put(s.getKey(), TxReads.read(s.getKey().region(), s.getKey().key(), isolation, s.getValue()));
            }
            Map<Slot, Object> initial = new TreeMap<>(rows);
            List<TransactionResult.Operation> results = new ArrayList<>();
            for (TxOperation op : plan.operations()) {
                Slot slot = new Slot(op.region(), op.key());
                Object before = rows.get(slot);
                Object after = TxApply.apply(op, before, ignite.binary());
                rows.put(slot, after);
                for (RowGuard g : op.guards()) {
                    String failure = g.failure(op.region(), op.key(), after);
                    if (failure != null) {
                        throw new ConflictException(op.describe() + ": " + failure + "; nothing was applied");
                    }
                }
                results.add(new TransactionResult.Operation(op.index(), op.region().name(), op.kind().wire(), op.keyText(),
                        row(op, before), row(op, after)));
            }
            for (Map.Entry<Slot, Boolean> s : slots.entrySet()) {
                Slot slot = s.getKey();
                Object now = rows.get(slot);
                if (s.getValue() && !(now == null && initial.get(slot) == null) && now != initial.get(slot)) {
                    WriteQueue wb = queueing.get(slot.region().name());
                    if (TxReads.lockedByProcessor(isolation, true)) {
                        RegionWrites.writeByProcessor(slot.region(), wb, slot.key(), (BinaryObject) now);
                    } else {
                        RegionWrites.write(slot.region(), wb, slot.key(), (BinaryObject) now);
                    }
                }
            }
            tx.commit();
            return results;
        }
    }

    private static ObjectNode row(TxOperation op, Object value) {
        return value == null ? null : EntryCodec.toJson(op.region(), op.key(), value);
    }

    /**
     * Rows that live only in a source (read-through regions) are brought into the hub before the transaction: the
     * cache store must not be called inside it (a WRITE_BEHIND region's queue lookup would join the transaction).
     */
    private static void readThrough(TreeMap<Slot, Boolean> slots, Map<String, Region> stored) {
        for (Region r : stored.values()) {
            List<Object> keys = new ArrayList<>();
            slots.keySet().forEach(s -> {
                if (s.region().name().equals(r.name())) {
                    keys.add(s.key());
                }
            });
            EntryService.guard(r, () -> r.cache().getAll(KeyOrder.sortedSet(keys)));
        }
    }

    /** Regions with an {@code eviction_max_size} refuse transactions that would add keys past it, as entry writes do. */
    private static void checkCapacity(TransactionPlan plan) {
        Map<String, Set<Object>> added = new LinkedHashMap<>();
        Map<String, Region> byName = new HashMap<>();
        for (TxOperation op : plan.operations()) {
            if (op.region().spec().evictionMaxSize() != null && (op.kind() == TxOperation.Kind.PUT || op.kind() == TxOperation.Kind.INSERT)) {
                added.computeIfAbsent(op.region().name(), k -> KeyOrder.sortedSet(List.of())).add(op.key());
                byName.put(op.region().name(), op.region());
            }
        }
        added.forEach((name, keys) -> EntryService.guard(byName.get(name), () -> {
            EntryService.checkCapacity(byName.get(name), keys);
            return null;
        }));
    }

    /** Every key the plan touches, in lock order, and whether any operation writes it. */
    private static TreeMap<Slot, Boolean> slots(TransactionPlan plan) {
        TreeMap<Slot, Boolean> out = new TreeMap<>();
        for (TxOperation op : plan.operations()) {
            out.merge(new Slot(op.region(), op.key()), op.kind().writes(), Boolean::logicalOr);
        }
        return out;
    }

    /** The region a failure of the whole transaction is reported against: the first with a source, else the first. */
    private static Region blamed(TransactionPlan plan, Map<String, Region> stored) {
        return stored.isEmpty() ? plan.operations().get(0).region() : stored.values().iterator().next();
    }

    private static TimedOutException timedOut(TransactionPlan plan) {
        return new TimedOutException("the transaction did not complete within its timeout of " + plan.timeoutMs()
                + " ms (a row it needs is locked by another transaction, or the cluster is slow); nothing was applied");
    }

    private static void backOff(int attempt) {
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(1, 2L + Math.min(100, 1L << Math.min(attempt, 7))));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted while retrying the transaction");
        }
    }

    /** One key of one region: what a transaction locks. Ordered by region name, then by {@link KeyOrder}. */
    record Slot(Region region, Object key) implements Comparable<Slot> {
        @Override
        public int compareTo(Slot o) {
            int c = region.name().compareTo(o.region.name());
            return c != 0 ? c : KeyOrder.INSTANCE.compare(key, o.key);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Slot s && s.region.name().equals(region.name()) && KeyOrder.INSTANCE.compare(key, s.key) == 0;
        }

        @Override
        public int hashCode() {
            return region.name().hashCode() * 31 + key.hashCode();
        }
    }
}
