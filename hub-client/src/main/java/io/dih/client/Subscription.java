package io.dih.client;

import java.time.Duration;

/**
 * An open, resumable subscription to a region's changes ({@link HubClient#subscribe}). It follows the region across
 * node failures until {@link #close()}d or ended by the hub (see {@link SubscriptionListener#onClosed}). Thread-safe.
 */
public interface Subscription extends AutoCloseable {
    /**
     * The last position the listener has been given ({@code <epoch>.<seq>}): of the last change, or of the
     * {@code SUBSCRIBED} or {@code RESYNC} message; {@code null} before the first. A later subscription with
     * {@link SubscribeOptions#withFrom from} this position gets every change after it.
     */
    String position();

    /**
     * Waits until the hub confirmed the subscription (its first {@code SUBSCRIBED} message): every change committed
     * after this returns is delivered.
     *
     * @return true once subscribed, false when {@code timeout} passed first
     * @throws HubClientException when the subscription ended before it was confirmed (e.g. a bad filter; the listener's
     *     {@link SubscriptionListener#onClosed} gets the same)
     */
    boolean awaitSubscribed(Duration timeout) throws InterruptedException;

    /** Whether the subscription still runs (connected, or reconnecting). */
    boolean isOpen();

    /** Ends the subscription; the listener's {@link SubscriptionListener#onClosed} follows with {@code null}. Idempotent. */
    @Override
    void close();
}
