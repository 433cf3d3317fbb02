package io.dih.client;

/**
 * Receives a {@link Subscription}'s events. The methods are called one at a time, on one thread of the subscription,
 * in the order the hub sent the events; a slow listener slows the stream down (the hub closes a subscriber that falls
 * too far behind, and the subscription then resumes where it was). An exception thrown by a method ends the
 * subscription: {@link #onClosed} gets it, and {@link Subscription#position()} is still the position before the event
 * that failed, so a new subscription from it gets that event again.
 */
public interface SubscriptionListener {
    /** A change (or, flagged {@link ChangeEvent#snapshot()}, a row of the initial snapshot). */
    void onChange(ChangeEvent event);

    /**
     * The stream could not go on from where the client was: the position is older than the region's journal keeps,
     * or of a journal that has since started again (the region was re-created), or the connection failed during the
     * snapshot and the snapshot starts over (its rows follow: drop what the failed one gave). Otherwise changes were
     * missed: re-read the region (e.g. a new subscription with a snapshot). The changes after {@code position} follow.
     */
    void onResync(String position, String reason);

    /** The initial snapshot is complete: {@code rows} rows were sent, taken at {@code position}; changes follow. */
    default void onSnapshotEnd(int rows, String position) {
    }

    /**
     * The subscription lost its node and resumed on {@code node} (a gateway base URL) after {@code position}; no
     * change is missed or repeated. Informational.
     */
    default void onReconnect(String node, String position) {
    }

    /**
     * The subscription ended: {@code null} when {@link Subscription#close()} closed it, otherwise why (a
     * {@link HubClientException}, e.g. status 400 with {@link HubClientException#field()} naming a bad parameter, 404 for
     * an unknown region, 410 when the region was deleted; or what the listener threw). Called once, last.
     */
    void onClosed(Throwable errorOrNull);
}
