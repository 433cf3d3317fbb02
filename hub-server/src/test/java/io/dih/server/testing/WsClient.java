package io.dih.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dih.testing.HubCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A plain {@code java.net.http} WebSocket client for tests of subscriptions: collects text messages (parsed as JSON)
 * and the close code and reason. {@link #reading(boolean) reading=false} makes it a client that never reads.
 */
public final class WsClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final LinkedBlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
    private final CompletableFuture<int[]> closed = new CompletableFuture<>();
    private volatile String closeReason;
    private volatile String startPosition;
    private final WebSocket ws;

    private WsClient(String url, boolean reading) {
        try {
            this.ws = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5))
                    .header("Authorization", "Bearer " + HubCredentials.ADMIN_KEY).buildAsync(URI.create(url), new WebSocket.Listener() {
                private final StringBuilder part = new StringBuilder();

                @Override
                public void onOpen(WebSocket webSocket) {
                    if (reading) {
                        webSocket.request(1);
                    }
                }

                @Override
                public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                    part.append(data);
                    if (last) {
                        try {
                            messages.add(JSON.readTree(part.toString()));
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                        part.setLength(0);
                    }
                    webSocket.request(1);
                    return null;
                }

                @Override
                public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                    closeReason = reason;
                    closed.complete(new int[] {statusCode});
                    return null;
                }

                @Override
                public void onError(WebSocket webSocket, Throwable error) {
                    closeReason = String.valueOf(error);
                    closed.complete(new int[] {-1});
                }
            }).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot open " + url + ": " + e, e);
        }
    }

    /** Opens {@code ws://host:port/api/v1/dih/subscriptions/<pathAndQuery>} on the node at {@code baseUrl}. */
    public static WsClient open(String baseUrl, String pathAndQuery) {
        return new WsClient(baseUrl.replaceFirst("^http", "ws") + "/api/v1/dih/subscriptions/" + pathAndQuery, true);
    }

    /**
     * As {@link #open}, then waits for the {@code SUBSCRIBED} message that says the subscription is live (changes from
     * then on are delivered) and returns the client; {@link #startPosition()} is that message's position.
     */
    public static WsClient subscribe(String baseUrl, String pathAndQuery) {
        WsClient c = open(baseUrl, pathAndQuery);
        JsonNode first = c.take(1, Duration.ofSeconds(30)).get(0);
        if (!"SUBSCRIBED".equals(first.path("op").asText())) {
            c.close();
            throw new AssertionError("expected SUBSCRIBED first, got " + first);
        }
        c.startPosition = first.path("position").asText();
        return c;
    }

    public String startPosition() {
        return startPosition;
    }

    /** As {@link #open}, a client that never asks for a message. */
    public static WsClient openNotReading(String baseUrl, String pathAndQuery) {
        return new WsClient(baseUrl.replaceFirst("^http", "ws") + "/api/v1/dih/subscriptions/" + pathAndQuery, false);
    }

    /** The next message, or {@code null} after {@code timeout}. */
    public JsonNode next(Duration timeout) {
        try {
            return messages.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** The next {@code n} messages; fails when they do not all come within {@code timeout}. */
    public List<JsonNode> take(int n, Duration timeout) {
        List<JsonNode> out = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (out.size() < n) {
            long left = deadline - System.nanoTime();
            JsonNode m = left <= 0 ? null : next(Duration.ofNanos(left));
            if (m == null) {
                throw new AssertionError("got " + out.size() + " of " + n + " messages within " + timeout + ": " + out
                        + (closed.isDone() ? " (closed: " + closeCode() + " " + closeReason + ")" : ""));
            }
            out.add(m);
        }
        return out;
    }

    /** The close code once the server closed (-1: an error), waiting up to {@code timeout}; 0 if still open. */
    public int awaitClose(Duration timeout) {
        try {
            return closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS)[0];
        } catch (TimeoutException e) {
            return 0;
        } catch (InterruptedException | ExecutionException e) {
            return -1;
        }
    }

    public int closeCode() {
        return closed.isDone() ? closed.join()[0] : 0;
    }

    public String closeReason() {
        return closeReason;
    }

    @Override
    public void close() {
        try {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(2, TimeUnit.SECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            ws.abort();
        }
    }
}
