package io.dih.server.sync;

import java.io.Serializable;

/** What every feed publishes of itself: its state, node and last error. A plain class: Ignite marshals it. */
abstract class FeedProgress implements Serializable {
    private static final long serialVersionUID = 1L;

    String state = "STARTING";
    String node;
    String error;
    long errorAtMillis;

    void copyTo(FeedProgress c) {
        c.state = state;
        c.node = node;
        c.error = error;
        c.errorAtMillis = errorAtMillis;
    }
}
