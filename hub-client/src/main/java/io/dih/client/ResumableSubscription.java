package io.dih.client;

import static io.dih.client.SubscriptionMessages.call;

import io.dih.client.SubscriptionConnection.Fatal;
import io.dih.client.SubscriptionConnection.Outcome;
import io.dih.client.SubscriptionMessages.ListenerFailed;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A {@link Subscription} over the hub's WebSocket change stream that survives its node: one thread connects, reads
 * the messages (asking the socket for more only as the listener takes them), calls the listener, and on a lost
 * connection resumes on the next node from the last position it delivered, dropping anything it has already delivered.
 */
final class ResumableSubscription implements Subscription {
    private static final long BACKOFF_MIN_MILLIS = 100;
    private static final long BACKOFF_MAX_MILLIS = 2_000;

    private final List<String> nodes;
    private final String region;
    private final SubscribeOptions options;
    private final SubscriptionListener listener;
    private final Consumer<ResumableSubscription> onEnd;
    private final CountDownLatch subscribedOrEnded = new CountDownLatch(1);
    private final Thread thread;
    /** The decoding of the hub's messages into listener calls, and the position delivered. */
    private final SubscriptionMessages messages;
    /** The WebSocket of the moment and the queue its callbacks fill. */
    private final SubscriptionConnection connection;
    private volatile boolean closing;
    private volatile boolean ended;
    private volatile boolean subscribed;
    private volatile Throwable failure;

    // the subscription thread's own state
    private boolean subscribedHere;

    private ResumableSubscription(HttpClient http, String apiKey, List<String> nodes, String region, SubscribeOptions options,
                                  SubscriptionListener listener, Consumer<ResumableSubscription> onEnd) {
        this.nodes = List.copyOf(nodes);
        this.region = region;
        this.options = options;
        this.listener = listener;
        this.onEnd = onEnd;
        this.messages = new SubscriptionMessages(region, listener, this::onSubscribed);
        this.connection = new SubscriptionConnection(http, apiKey, region, messages, () -> closing);
        this.thread = new Thread(this::run, "dih-subscription-" + region);
        thread.setDaemon(true);
    }

    /**
     * Starts a subscription on its own thread.
     *
     * @param apiKey sent as {@code Authorization: Bearer <key>}, or {@code null}
     * @param nodes gateway base URLs ({@code http://host:port}), the first tried first
     * @param onEnd called (on the subscription's thread) once it has ended
     */
    static ResumableSubscription start(HttpClient http, String apiKey, List<String> nodes, String region, SubscribeOptions options,
                                       SubscriptionListener listener, Consumer<ResumableSubscription> onEnd) {
        ResumableSubscription s = new ResumableSubscription(http, apiKey, nodes, region, options, listener, onEnd);
        s.thread.start();
        return s;
    }

    @Override
    public String position() {
        return messages.position();
    }

    @Override
    public boolean awaitSubscribed(Duration timeout) throws InterruptedException {
        if (!subscribedOrEnded.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            return false;
        }
        if (subscribed) {
            return true;
        }
        Throwable f = failure;
        if (f instanceof HubClientException e) {
            throw e;
        }
        if (f != null) {
            throw new HubClientException("the subscription to " + region + " ended: " + f, f);
        }
        return false; // closed by the caller first
    }

    @Override
    public boolean isOpen() {
        return !ended && !closing;
    }

    @Override
    public void close() {
        closing = true;
        connection.wakeup();
    }

    // ---- the subscription's thread

    private void run() {
        Throwable end = null;
        try {
            long backoff = BACKOFF_MIN_MILLIS;
            int index = 0;
            boolean reconnect = false;
            while (!closing) {
                String node = nodes.get(index);
                String resumeAt = messages.position();
                SubscribeOptions o = connectionOptions(reconnect);
                WebSocket ws = connection.open(node, o);
                if (ws != null) {
                    if (reconnect && resumeAt != null) {
                        call(() -> listener.onReconnect(node, resumeAt));
                    }
                    subscribedHere = false;
                    if (connection.read(ws) == Outcome.CLOSED) {
                        break;
                    }
                    if (subscribedHere) {
                        backoff = BACKOFF_MIN_MILLIS; // the connection worked: the next failure is a new one
                    }
                }
                if (closing) {
                    break;
                }
                reconnect = true;
                index = (index + 1) % nodes.size();
                pause(backoff);
                backoff = Math.min(backoff * 2, BACKOFF_MAX_MILLIS);
            }
        } catch (Fatal e) {
            end = e.getCause();
        } catch (ListenerFailed e) {
            end = e.getCause();
        } catch (InterruptedException e) {
            end = new HubClientException("the subscription's thread was interrupted", e);
        } catch (RuntimeException | Error e) {
            end = e;
        } finally {
            connection.closeCurrent();
            failure = end;
            ended = true;
            closing = true;
            subscribedOrEnded.countDown();
            try {
                listener.onClosed(end);
            } catch (RuntimeException e) {
                // the listener's own affair; nothing is left to tell
            } finally {
                onEnd.accept(this);
            }
        }
    }

    /**
     * The options of the next connection: the caller's for the first; after a failure, from the last position
     * delivered and without the snapshot — unless the snapshot did not finish, then it starts over (and the listener
     * hears a RESYNC when it had rows of the broken one).
     */
    private SubscribeOptions connectionOptions(boolean reconnect) {
        String position = messages.position();
        if (!reconnect || position == null) {
            return options;
        }
        if (options.snapshot() && !messages.snapshotDone()) {
            messages.snapshotStartsAgain();
            return options;
        }
        return options.withSnapshot(false).withFrom(position);
    }

    /**
     * 4400 (bad request), 4404 (no such region), 4410 (region deleted) and other 44xx codes end the subscription;
     * 4408 (too slow), 4429 (node full), 4503 (node stopping), 1006 (connection lost), 1011 and the rest resume.
     */
    static boolean isFatal(int code) {
        return code >= 4400 && code < 4500 && code != 4408 && code != 4429;
    }

    /** A connection is subscribed (on the subscription's thread, once the position is taken): {@link #awaitSubscribed} returns. */
    private void onSubscribed() {
        subscribedHere = true;
        if (!subscribed) {
            subscribed = true;
            subscribedOrEnded.countDown();
        }
    }

    private void pause(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        long left;
        while (!closing && (left = deadline - System.nanoTime()) > 0) {
            connection.awaitWakeup(left);
        }
    }

    /** Events already delivered that a resumed stream sent again, and were dropped (for tests and diagnosis). */
    long duplicatesDropped() {
        return messages.duplicatesDropped();
    }
}
