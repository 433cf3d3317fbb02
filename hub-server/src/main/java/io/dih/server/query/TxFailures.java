package io.dih.server.query;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.ignite.internal.transactions.IgniteTxOptimisticCheckedException;
import org.apache.ignite.internal.transactions.IgniteTxTimeoutCheckedException;
import org.apache.ignite.transactions.TransactionDeadlockException;
import org.apache.ignite.transactions.TransactionOptimisticException;
import org.apache.ignite.transactions.TransactionTimeoutException;

/** Reads Ignite's transaction failures, which arrive wrapped in cache exceptions to any depth. */
final class TxFailures {
    private TxFailures() {
    }

    /** The transaction ran past its timeout (waiting for a lock, or a deadlock Ignite found while waiting). */
    static boolean timedOut(Throwable e) {
        return any(e, c -> c instanceof TransactionTimeoutException || c instanceof IgniteTxTimeoutCheckedException
                || c instanceof TransactionDeadlockException);
    }

    /** An optimistic (SERIALIZABLE) transaction found a row it read changed by another: it may be tried again. */
    static boolean optimisticConflict(Throwable e) {
        return any(e, c -> c instanceof TransactionOptimisticException || c instanceof IgniteTxOptimisticCheckedException);
    }

    private static boolean any(Throwable e, Predicate<Throwable> test) {
        Deque<Throwable> todo = new ArrayDeque<>();
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        todo.add(e);
        while (!todo.isEmpty()) {
            Throwable c = todo.poll();
            if (c == null || !seen.add(c)) {
                continue;
            }
            if (test.test(c)) {
                return true;
            }
            if (c.getCause() != null) {
                todo.add(c.getCause());
            }
            todo.addAll(java.util.Arrays.asList(c.getSuppressed()));
        }
        return false;
    }
}
