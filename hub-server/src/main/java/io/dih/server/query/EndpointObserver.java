package io.dih.server.query;

/** Told of every endpoint call on this node (the metrics listen); called on the request thread, so it must be quick. */
@FunctionalInterface
public interface EndpointObserver {
    /** How a call ended: answered from the cache, computed, or failed (bad parameters included). */
    enum Outcome { HIT, MISS, ERROR }

    void called(String path, Outcome outcome, long nanos);
}
