package io.dih.server.query;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import org.apache.ignite.transactions.TransactionConcurrency;
import org.apache.ignite.transactions.TransactionIsolation;

/**
 * The isolation levels a transaction may ask for, and the Ignite transaction each runs as.
 * <ul>
 * <li>{@code READ_COMMITTED}: PESSIMISTIC / READ_COMMITTED. Every key the transaction writes is locked (in one
 * global order) and read under its lock before any operation runs, so read-modify-write operations (update,
 * increment, guards) never lose an update; keys it only reads ({@code get}) take no lock and see the latest committed
 * row.</li>
 * <li>{@code REPEATABLE_READ} (the default): PESSIMISTIC / REPEATABLE_READ. Every key the transaction touches, read or
 * written, is locked in one global order before any operation runs and held until the end.</li>
 * <li>{@code SERIALIZABLE}: OPTIMISTIC / SERIALIZABLE. No locks while the operations run; the commit fails if any key
 * read changed meanwhile, and the whole transaction is tried again (a bounded number of times, then a 409).</li>
 * <li>{@code READ_UNCOMMITTED} is accepted and runs as {@code READ_COMMITTED}: the hub never shows uncommitted rows.</li>
 * </ul>
 */
public enum Isolation {
    READ_UNCOMMITTED(TransactionConcurrency.PESSIMISTIC, TransactionIsolation.READ_COMMITTED),
    READ_COMMITTED(TransactionConcurrency.PESSIMISTIC, TransactionIsolation.READ_COMMITTED),
    REPEATABLE_READ(TransactionConcurrency.PESSIMISTIC, TransactionIsolation.REPEATABLE_READ),
    SERIALIZABLE(TransactionConcurrency.OPTIMISTIC, TransactionIsolation.SERIALIZABLE);

    public static final Isolation DEFAULT = REPEATABLE_READ;

    private final TransactionConcurrency concurrency;
    private final TransactionIsolation isolation;

    Isolation(TransactionConcurrency concurrency, TransactionIsolation isolation) {
        this.concurrency = concurrency;
        this.isolation = isolation;
    }

    public TransactionConcurrency concurrency() {
        return concurrency;
    }

    public TransactionIsolation igniteIsolation() {
        return isolation;
    }

    /** The level the transaction actually runs at (READ_UNCOMMITTED runs as READ_COMMITTED). */
    public Isolation effective() {
        return this == READ_UNCOMMITTED ? READ_COMMITTED : this;
    }

    /** Parses a level name, case-insensitively; {@code null} for an unknown name. */
    static Isolation parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT).replace(' ', '_'));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    static String names() {
        return Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "));
    }
}
