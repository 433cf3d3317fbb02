package io.dih.client;

import java.time.Instant;
import java.util.Map;

/**
 * One change of a region as a {@link Subscription} delivers it: a row stored ({@link Op#PUT}) or removed
 * ({@link Op#DELETE}), or, with {@link SubscribeOptions#withSnapshot snapshot}, one of the rows the region held when
 * the subscription started ({@link #snapshot()} true, always a PUT).
 *
 * @param op        PUT or DELETE (a row that stops matching the subscription's filter arrives as a DELETE)
 * @param region    the region's name
 * @param key       the entry's key as text, as REST paths take it
 * @param value     the row after the change (projected to the subscription's columns; key columns always come), or
 *                  {@code null} for a DELETE
 * @param oldValue  the row before the change, or {@code null} (a new row, a snapshot row)
 * @param position  the change's place in the region's stream ({@code <epoch>.<seq>}); resuming from it gives the changes
 *                  after it. Snapshot rows all carry the position the snapshot was taken at
 * @param ts        when the hub journaled the change, or {@code null} (snapshot rows)
 * @param snapshot  true for a row of the initial snapshot
 */
public record ChangeEvent(Op op, String region, String key, Map<String, Object> value, Map<String, Object> oldValue, String position,
                          Instant ts, boolean snapshot) {
    /** The kinds of change. */
    public enum Op {
        /** A row was stored (created or replaced), or entered the subscription's filter. */
        PUT,
        /** A row was removed, or left the subscription's filter. */
        DELETE
    }
}
