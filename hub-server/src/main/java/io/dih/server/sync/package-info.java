/**
 * The data path between regions and their sources, put together by {@link io.dih.server.sync.SyncEngine}.
 *
 * <ul>
 *   <li>{@link io.dih.server.sync.Applier}: the one way rows from sources enter regions (loads, change feeds, streams,
 *       read-through): conversion to the region's types, the key, per-key source positions
 *       ({@link io.dih.server.sync.SourcePositions}: a late or repeated change never overwrites a newer one), the
 *       pending-write rule (a key with a write-behind write on its way keeps it).</li>
 *   <li>{@link io.dih.server.sync.Loads}: bulk loads and their scheduler; {@link io.dih.server.sync.CdcFeeds} and
 *       {@link io.dih.server.sync.CdcService}: change feeds in cluster singletons.</li>
 *   <li>{@link io.dih.server.sync.SourceAccess}: read/write-through for the regions' cache stores (a
 *       {@link io.dih.server.region.RegionStore}), with fallback sources.</li>
 *   <li>Durable write-behind ({@link io.dih.server.sync.WriteBehindQueue}, flushers in
 *       {@link io.dih.server.sync.WriteBehindService}, {@link io.dih.server.sync.DeadLetters}) and refresh-ahead.</li>
 * </ul>
 *
 * Regions call out to this package through {@link io.dih.server.region.DataPath} and
 * {@link io.dih.server.region.RegionStore}; sources through {@link io.dih.server.source.SourceLifecycle}. It depends on
 * {@code region} and {@code source}, and nothing depends on it but the node (which wires it) and the gateway.
 */
package io.dih.server.sync;
