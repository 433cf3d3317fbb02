package io.dih.server.query;

import static java.util.Objects.requireNonNull;

import io.dih.spi.NotFoundException;
import io.dih.spi.UnavailableException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * The open cursors of this node, by page token. A token is 24 random bytes (base64url), so it cannot be guessed.
 * A cursor is lent to one request at a time ({@link #take}, then {@link #putBack} or {@link #release}); one left
 * unread longer than the idle limit is closed by {@link #expireIdle}; at most {@code maxOpen} are open at once.
 */
public final class SqlCursors implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Map<String, SqlCursor> idle = new ConcurrentHashMap<>();
    private final AtomicInteger open = new AtomicInteger();
    private final int maxOpen;
    private final long idleNanos;
    private final LongSupplier nanoClock;

    public SqlCursors(int maxOpen, long idleMillis, LongSupplier nanoClock) {
        if (maxOpen < 1 || idleMillis < 1) {
            throw new IllegalArgumentException("maxOpen and idleMillis must be positive");
        }
        this.maxOpen = maxOpen;
        this.idleNanos = idleMillis * 1_000_000L;
        this.nanoClock = requireNonNull(nanoClock, "nanoClock is null");
    }

    public int maxOpen() {
        return maxOpen;
    }

    public long idleMillis() {
        return idleNanos / 1_000_000L;
    }

    /** Cursors open on this node (waiting for their next page or being read). */
    public int open() {
        return open.get();
    }

    /** Reserves room for one more cursor; a 503 when this node holds {@code maxOpen} already. */
    void reserve() {
        if (open.incrementAndGet() > maxOpen) {
            open.decrementAndGet();
            throw new UnavailableException("this node has " + maxOpen + " SQL cursors open, its limit; read them to the end or "
                    + "close them (DELETE /api/v1/dih/sql-query/pages/{token}), or wait " + idleMillis() / 1000
                    + " s for idle ones to expire");
        }
    }

    /** Gives back a reservation that never became a cursor, or closes a cursor that was lent out. */
    void release(SqlCursor cursor) {
        if (cursor != null) {
            cursor.close();
        }
        open.decrementAndGet();
    }

    /** Parks a cursor that has more rows under a fresh token (first page) or its own (later pages). */
    String putBack(String token, SqlCursor cursor) {
        String t = token != null ? token : newToken();
        cursor.touch(nanoClock.getAsLong());
        idle.put(t, cursor);
        return t;
    }

    /**
     * Lends a parked cursor to the caller, who must {@link #putBack} or {@link #release} it; a 404 when unknown, or
     * when it is a tenant's and the caller is not that tenant (the operator may read any).
     */
    SqlCursor take(String token, SqlCaller caller) {
        SqlCursor c = token == null ? null : idle.get(token);
        if (c == null || !caller.operator() && !caller.tenant().equals(c.tenant()) || !idle.remove(token, c)) {
            throw unknown(token);
        }
        return c;
    }

    /** Closes a parked cursor; a 404 when the token is unknown or not the caller's. */
    public void close(String token, SqlCaller caller) {
        release(take(token, caller));
    }

    /** Closes every cursor idle for longer than the limit. @return how many */
    public int expireIdle() {
        long now = nanoClock.getAsLong();
        int n = 0;
        for (Map.Entry<String, SqlCursor> e : idle.entrySet()) {
            if (now - e.getValue().lastUsedNanos() > idleNanos && idle.remove(e.getKey(), e.getValue())) {
                release(e.getValue());
                n++;
            }
        }
        return n;
    }

    private NotFoundException unknown(String token) {
        return new NotFoundException("no open SQL cursor [token=" + token + "]: it was read to the end, closed, idle for more than "
                + idleMillis() / 1000 + " s, is being read by another request, or was opened on another node (a page token "
                + "works only on the node that answered the query)");
    }

    private static String newToken() {
        byte[] b = new byte[24];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    @Override
    public void close() {
        for (String t : idle.keySet()) {
            SqlCursor c = idle.remove(t);
            if (c != null) {
                release(c);
            }
        }
    }
}
