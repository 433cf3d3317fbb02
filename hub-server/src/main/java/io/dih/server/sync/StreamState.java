package io.dih.server.sync;

import java.util.HashMap;
import java.util.Map;

/**
 * One node's consumer of a STREAM source, as it last published itself (once a second) to {@code dih_sync_status}
 * under {@code stream/<source>/<node>}; its state is STARTING, RUNNING, RETRYING (the broker is unreachable or a batch
 * failed) or STOPPED. A plain class: Ignite marshals it.
 */
final class StreamState extends FeedProgress {
    private static final long serialVersionUID = 1L;

    long messages;
    long skippedStale;
    long deadLetters;
    double messagesPerSecond;
    long lastMessageAtMillis;
    /** Message timestamp → visible in the region, of the last message applied. */
    long lastLagMillis;
    long lagP50Millis;
    long lagP99Millis;
    long maxLagMillis;
    long publishedAtMillis;
    /** Per target region (lower-case name): messages applied. */
    HashMap<String, Long> regions = new HashMap<>();

    void count(Map<String, AppliedChanges.Counts> applied) {
        applied.forEach((region, c) -> regions.merge(region, c.events() + c.snapshotRows(), Long::sum));
    }

    StreamState copy() {
        StreamState c = new StreamState();
        copyTo(c);
        c.messages = messages;
        c.skippedStale = skippedStale;
        c.deadLetters = deadLetters;
        c.messagesPerSecond = messagesPerSecond;
        c.lastMessageAtMillis = lastMessageAtMillis;
        c.lastLagMillis = lastLagMillis;
        c.lagP50Millis = lagP50Millis;
        c.lagP99Millis = lagP99Millis;
        c.maxLagMillis = maxLagMillis;
        c.publishedAtMillis = publishedAtMillis;
        c.regions = new HashMap<>(regions);
        return c;
    }
}
