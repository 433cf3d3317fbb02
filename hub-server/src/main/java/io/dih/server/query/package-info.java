/**
 * Templated API endpoints: a named, parameterised SELECT over cache regions ({@code POST /api/v1/dih/api-endpoints}),
 * called with {@code POST|GET /api/v1/dih/query/{path}}.
 *
 * <h2>Binding, never substitution</h2>
 * {@link io.dih.server.query.SqlTemplate} tokenizes the template (string literals, quoted identifiers, comments) and
 * turns each {@code {name}} outside literals, and each literal that is exactly {@code '{name}'}, into a JDBC {@code ?};
 * every value is bound by Ignite as a parameter of the declared type. A placeholder anywhere else, a positional
 * {@code ?}, a second statement or anything but a SELECT is refused at registration, where the template is also
 * compiled ({@code EXPLAIN} with sample values of the declared types) and checked to read only its listed regions.
 *
 * <h2>Cached answers</h2>
 * Each node keeps its own answers ({@link io.dih.server.query.ResultCache}, at most 10,000 per endpoint) under the
 * expanded {@code cache_key_pattern} for {@code ttl_seconds}. An answer is served only while none of its regions
 * changed since it was computed: {@link io.dih.server.query.RegionGenerations} keeps a generation per region, bumped
 * by a continuous query (local listener, expiry included) that each node runs on every region some endpoint reads
 * (started when the registry says such an endpoint exists, or at the first call; stopped when none is left). Every
 * write that goes through the cache raises an event there: REST and SDK writes, SQL DML, thin-client and Ignite API
 * operations, CDC changes, read-through, write-behind, expiry, and the data streamer of loads. What raises none — a
 * cache {@code clear()}, as a CDC truncate does — is announced by the node that did it over Ignite messaging, as is
 * the end of every load (belt and braces).
 *
 * <p>Exactness: events reach a node's listener asynchronously after the commit. So that no write of the hub's own
 * calls can be followed by a stale answer, those calls (REST entries and the SDK, transactions, SQL DML over REST,
 * loads) also give the regions they wrote a new {@link io.dih.server.query.RegionVersions version} on every node
 * before they answer (a replicated {@code FULL_SYNC} cache; only regions some caching endpoint reads), and an answer
 * is served only while the versions it was computed at still hold. Writes that bypass the gateway (thin client, JDBC,
 * CDC, expiry) rely on the event: for the milliseconds it takes to arrive (longer under a long GC pause or a slow
 * link) a node may still give the previous answer. Writes that neither go through the cache nor are announced (a raw
 * {@code IgniteCache.clear()} through the thin client or the Ignite API) do not drop answers before their TTL.
 */
package io.dih.server.query;
