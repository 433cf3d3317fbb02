/**
 * Subscriptions: clients that follow a region's changes as they happen ({@code /api/v1/dih/subscriptions/{region}}
 * over WebSocket or server-sent events). For now the package holds what narrows what a subscriber receives:
 * {@link io.dih.server.subscribe.RowFilter}, a SQL-like condition on a row evaluated in Java (never compiled or sent
 * to SQL), and {@link io.dih.server.subscribe.RowProjection}, the columns a subscriber keeps. The subscriptions
 * themselves arrive later.
 */
package io.dih.server.subscribe;
