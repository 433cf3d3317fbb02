/**
 * Subscriptions: clients that follow a region's changes as they happen ({@code /api/v1/dih/subscriptions/{region}}
 * over WebSocket or Server-Sent Events), and can resume where they left off.
 *
 * <h2>The journal</h2>
 * A subscribed region gets a change journal: a backed-up, transactional cache of its changes by sequence number
 * ({@link io.dih.server.subscribe.JournalCaches}). Every node runs a continuous query on each journaled region and
 * keeps what it receives in a {@link io.dih.server.subscribe.ShadowBuffer} until it sees it journaled; one node — the
 * cluster singleton {@link io.dih.server.subscribe.JournalService} — numbers the changes and writes them
 * ({@link io.dih.server.subscribe.Sequencer}), with the journal's {@link io.dih.server.subscribe.JournalMeta}, in one
 * transaction per batch. So numbers have no holes, a change is journaled once (per partition, update counters at or
 * below the highest journaled are skipped), and when the writing node dies another takes over from its own buffer.
 * Where a change may have been missed (buffer overflow, a node that joined too late), a RESYNC event says so.
 * Retention by count and age bounds it; a {@link io.dih.server.subscribe.Position} is the journal's epoch and a
 * sequence number.
 *
 * <h2>Subscribers</h2>
 * A {@link io.dih.server.subscribe.Subscriber} pulls from the journal — from its node's
 * {@link io.dih.server.subscribe.JournalTail} ring while it keeps up, from the cache when behind — filters
 * ({@link io.dih.server.subscribe.RowFilter}, a SQL-like condition evaluated in Java, never compiled or sent to SQL),
 * projects ({@link io.dih.server.subscribe.RowProjection}) and sends through an
 * {@link io.dih.server.subscribe.EventSink}. Pulling means no queue grows per subscriber and no writer waits; a
 * subscriber too far behind, or one whose client does not read, is closed with the position to resume from.
 */
package io.dih.server.subscribe;
