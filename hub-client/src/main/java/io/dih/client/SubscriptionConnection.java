package io.dih.client;

import static io.dih.client.ResumableSubscription.isFatal;
import static io.dih.client.SubscriptionMessages.JSON;
import static io.dih.client.SubscriptionMessages.parse;
import static io.dih.client.SubscriptionMessages.problem;
import static io.dih.client.SubscriptionMessages.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * The WebSocket connections of a {@link ResumableSubscription}, one after the other: opens one to a node, reads its
 * messages on the subscription's thread (asking the socket for more only as the listener takes them) and hands them to
 * {@link SubscriptionMessages}, and tells how the connection ended. The socket's callbacks only queue what arrives.
 */
final class SubscriptionConnection {
    static final String PATH = "/api/v1/dih/subscriptions/";
    /** The hub sends a ping to an idle subscription every 15 s (by default); four missed ones mean the node is gone. */
    private static final long IDLE_TIMEOUT_MILLIS = 60_000;
    private static final long CONNECT_TIMEOUT_MILLIS = 10_000;
    /** Messages the socket may read ahead of the listener. */
    private static final int WINDOW = 32;

    private final HttpClient http;
    private final String apiKey;
    private final String region;
    private final SubscriptionMessages messages;
    /** Whether the subscription is closing (its own volatile flag). */
    private final BooleanSupplier closing;
    private final BlockingQueue<Msg> inbox = new LinkedBlockingQueue<>();
    private volatile WebSocket socket;
    private volatile long lastActivity = System.nanoTime();

    // the subscription thread's own state
    private int generation;

    /** What the socket's callbacks hand to the subscription thread; {@code gen} tells an old connection's from the current's. */
    private sealed interface Msg permits Text, Closed, Failed, Wakeup {
    }

    private record Text(int gen, String text) implements Msg {
    }

    private record Closed(int gen, int code, String reason) implements Msg {
    }

    private record Failed(int gen, Throwable error) implements Msg {
    }

    private record Wakeup() implements Msg {
    }

    /** How a connection ended. */
    enum Outcome { CLOSED, RETRY }

    /** The hub ended the subscription for good. */
    static final class Fatal extends Exception {
        private static final long serialVersionUID = 1L;

        Fatal(SubscriptionClosedException cause) {
            super(cause);
        }
    }

    SubscriptionConnection(HttpClient http, String apiKey, String region, SubscriptionMessages messages, BooleanSupplier closing) {
        this.http = http;
        this.apiKey = apiKey;
        this.region = region;
        this.messages = messages;
        this.closing = closing;
    }

    /** Wakes the subscription's thread (from any thread) when it waits on a connection or between two. */
    void wakeup() {
        inbox.add(new Wakeup());
    }

    /** Waits up to {@code nanos} for a message, which is dropped: a wakeup, or one of a connection no longer read. */
    void awaitWakeup(long nanos) throws InterruptedException {
        inbox.poll(nanos, TimeUnit.NANOSECONDS);
    }

    /** Closes the current socket, if any, politely, then for sure. */
    void closeCurrent() {
        WebSocket ws = socket;
        if (ws != null) {
            goodbye(ws);
        }
    }

    /** Opens a WebSocket, or returns {@code null} when the node cannot be reached or refuses for now. */
    WebSocket open(String node, SubscribeOptions o) throws Fatal, InterruptedException {
        int gen = ++generation;
        URI uri = URI.create(node.replaceFirst("^(?i)http", "ws") + PATH + URLEncoder.encode(region, StandardCharsets.UTF_8).replace("+", "%20")
                + o.query());
        try {
            WebSocket.Builder wb = http.newWebSocketBuilder().connectTimeout(Duration.ofMillis(CONNECT_TIMEOUT_MILLIS));
            if (apiKey != null) {
                wb.header("Authorization", "Bearer " + apiKey);
            }
            WebSocket ws = wb.buildAsync(uri, new SocketListener(gen)).get(CONNECT_TIMEOUT_MILLIS + 1000, TimeUnit.MILLISECONDS);
            socket = ws;
            lastActivity = System.nanoTime();
            return ws;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException h) {
                int status = h.getResponse().statusCode();
                if (status >= 400 && status < 500 && status != 408 && status != 429) {
                    JsonNode p = problem(h.getResponse().body());
                    throw new Fatal(new SubscriptionClosedException(0, status, p.path("title").asText("Refused"),
                            p.path("detail").asText("the upgrade to a WebSocket was refused with HTTP " + status), text(p, "field"),
                            messages.position()));
                }
            }
            return null;
        } catch (TimeoutException e) {
            return null;
        }
    }

    /** Reads one connection's messages until it ends. */
    Outcome read(WebSocket ws) throws Fatal, InterruptedException {
        int gen = generation;
        JsonNode problem = null;
        while (true) {
            if (closing.getAsBoolean()) {
                goodbye(ws);
                return Outcome.CLOSED;
            }
            Msg m = inbox.poll(1, TimeUnit.SECONDS);
            if (m == null) {
                if (System.nanoTime() - lastActivity > IDLE_TIMEOUT_MILLIS * 1_000_000L) {
                    ws.abort(); // nothing, not even a heartbeat: the node is gone or cut off
                    return Outcome.RETRY;
                }
                continue;
            }
            if (m instanceof Text t && t.gen() == gen) {
                JsonNode n = parse(t.text());
                if (n.has("op")) {
                    messages.handle(n);
                } else if (n.has("status")) {
                    problem = n; // the problem that precedes the close frame
                }
                ws.request(1);
            } else if (m instanceof Closed c && c.gen() == gen) {
                socket = null;
                if (closing.getAsBoolean()) {
                    return Outcome.CLOSED;
                }
                if (isFatal(c.code())) {
                    JsonNode p = problem == null ? JSON.createObjectNode() : problem;
                    String reason = c.reason() == null || c.reason().isEmpty() ? "closed with code " + c.code() : c.reason();
                    throw new Fatal(new SubscriptionClosedException(c.code(), c.code() - 4000, p.path("title").asText(title(c.code())),
                            p.path("detail").asText(reason), text(p, "field"), messages.position()));
                }
                return Outcome.RETRY;
            } else if (m instanceof Failed f && f.gen() == gen) {
                socket = null;
                ws.abort();
                return closing.getAsBoolean() ? Outcome.CLOSED : Outcome.RETRY;
            }
            // a Wakeup, or a message of an older connection: ignored
        }
    }

    private static String title(int code) {
        return switch (code) {
            case 4400 -> "Bad request";
            case 4404 -> "Not found";
            case 4410 -> "Gone";
            default -> "Subscription closed";
        };
    }

    /** Closes a socket politely, then for sure. */
    private void goodbye(WebSocket ws) {
        try {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "closed by the client").get(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            // going anyway
        } finally {
            ws.abort();
            socket = null;
        }
    }

    /** One connection's callbacks: they only hand messages over; the subscription's thread does the rest. */
    private final class SocketListener implements WebSocket.Listener {
        private final int gen;
        private final StringBuilder part = new StringBuilder();

        SocketListener(int gen) {
            this.gen = gen;
        }

        @Override
        public void onOpen(WebSocket ws) {
            lastActivity = System.nanoTime();
            ws.request(WINDOW);
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            lastActivity = System.nanoTime();
            part.append(data);
            if (last) {
                inbox.add(new Text(gen, part.toString()));
                part.setLength(0); // the subscription's thread asks for the next message once it took this one
            } else {
                ws.request(1);
            }
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPing(WebSocket ws, ByteBuffer message) {
            lastActivity = System.nanoTime(); // the hub's heartbeat; the pong goes out by itself
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPong(WebSocket ws, ByteBuffer message) {
            lastActivity = System.nanoTime();
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            inbox.add(new Closed(gen, statusCode, reason));
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            inbox.add(new Failed(gen, error));
        }
    }
}
