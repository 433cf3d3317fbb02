/**
 * The registered sources: {@link io.dih.server.source.SourceRegistry} registers (checks the spec, connects, plans each
 * binding with the {@link io.dih.server.source.Planner}, adds the source's columns to its regions; nothing stored when
 * a step fails), validates, lists without secrets and deletes them, and names each region's primary source.
 * {@link io.dih.server.source.SourceConnectors} keeps this node's connector per source. What happens to data when a
 * source comes or goes is the {@link io.dih.server.source.SourceLifecycle}'s business (the sync package), installed by
 * the node: this package uses regions and the registry, never the data path.
 */
package io.dih.server.source;
