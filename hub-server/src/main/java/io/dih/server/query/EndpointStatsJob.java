package io.dih.server.query;

import org.apache.ignite.Ignite;
import org.apache.ignite.lang.IgniteCallable;
import org.apache.ignite.resources.IgniteInstanceResource;

/** Runs on each server node and reads that node's counters of one endpoint. */
final class EndpointStatsJob implements IgniteCallable<EndpointStats.Local> {
    private static final long serialVersionUID = 1L;

    private final String path;

    @IgniteInstanceResource
    private transient Ignite ignite;

    EndpointStatsJob(String path) {
        this.path = path;
    }

    @Override
    public EndpointStats.Local call() {
        String node = String.valueOf(ignite.cluster().localNode().consistentId());
        Object runner = ignite.cluster().nodeLocalMap().get(EndpointRunner.NODE_LOCAL_KEY);
        return runner instanceof EndpointRunner r ? r.local(node, path) : EndpointStats.Local.none(node);
    }
}
