package io.dih.server.query;

import io.dih.server.region.Region;
import javax.cache.processor.MutableEntry;
import org.apache.ignite.cache.CacheEntryProcessor;

/** How a transaction reads a key before its operations run, so that its locks are taken in one order. */
final class TxReads {
    private TxReads() {
    }

    /**
     * The stored row of {@code key} ({@code null}: none), read in the running transaction. Under REPEATABLE_READ the
     * read locks the key; under SERIALIZABLE it records the version the commit checks; under READ_COMMITTED a key the
     * transaction writes is locked by a read-only entry processor (a plain read takes no lock there), other keys are
     * read unlocked. The store is skipped: rows only in a source were read through before the transaction.
     */
    static Object read(Region r, Object key, Isolation isolation, boolean written) {
        if (lockedByProcessor(isolation, written)) {
            return r.cache().withSkipStore().invoke(key, ReadUnderLock.INSTANCE);
        }
        return r.cache().withSkipStore().get(key);
    }

    /** Whether {@link #read} locks the key with an entry processor (its writes must then be processors too). */
    static boolean lockedByProcessor(Isolation isolation, boolean written) {
        return isolation == Isolation.READ_COMMITTED && written;
    }

    /** Returns the entry's value and changes nothing: in a pessimistic transaction, invoking it locks the key. */
    static final class ReadUnderLock implements CacheEntryProcessor<Object, Object, Object> {
        private static final long serialVersionUID = 1L;
        static final ReadUnderLock INSTANCE = new ReadUnderLock();

        @Override
        public Object process(MutableEntry<Object, Object> entry, Object... arguments) {
            return entry.getValue();
        }
    }
}
