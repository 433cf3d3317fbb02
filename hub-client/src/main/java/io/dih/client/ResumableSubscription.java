package io.dih.client;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * A {@link Subscription} over the hub's WebSocket change stream that survives its node: one thread connects, reads
 * the messages (asking the socket for more only as the listener takes them), calls the listener, and on a lost
 * connection resumes on the next node from the last position it delivered, dropping anything it has already delivered.
 */
final class ResumableSubscription implements Subscription {
    static final String PATH = "/api/v1/dih/subscriptions/";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> ROW = new TypeReference<>() { };
    /** The hub sends a ping to an idle subscription every 15 s (by default); four missed ones mean the node is gone. */
    private static final long IDLE_TIMEOUT_MILLIS = 60_000;
    private static final long CONNECT_TIMEOUT_MILLIS = 10_000;
    private static final long BACKOFF_MIN_MILLIS = 100;
    private static final long BACKOFF_MAX_MILLIS = 2_000;
    /** Messages the socket may read ahead of the listener. */
    private static final int WINDOW = 32;

    private final HttpClient http;
    private final List<String> nodes;
    private final String region;
    private final SubscribeOptions options;
    private final SubscriptionListener listener;
    private final Consumer<ResumableSubscription> onEnd;
    private final BlockingQueue<Msg> inbox = new LinkedBlockingQueue<>();
    private final CountDownLatch subscribedOrEnded = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean closing;
    private volatile boolean ended;
    private volatile boolean subscribed;
    private volatile Throwable failure;
    private volatile String position;
    private volatile WebSocket socket;
    private volatile long lastActivity = System.nanoTime();

    // the subscription thread's own state
    private String epoch;
    private long seq = -1;
    private boolean snapshotDone;
    private int snapshotRowsSeen;
    private int generation;
    private boolean subscribedHere;
    private long duplicatesDropped;

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
    private enum Outcome { CLOSED, RETRY }

    /** A listener method threw: the subscription ends with it. */
    private static final class ListenerFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ListenerFailed(Throwable cause) {
            super(cause);
        }
    }

    /** The hub ended the subscription for good. */
    private static final class Fatal extends Exception {
        private static final long serialVersionUID = 1L;

        Fatal(SubscriptionClosedException cause) {
            super(cause);
        }
    }

    private ResumableSubscription(HttpClient http, List<String> nodes, String region, SubscribeOptions options,
                                  SubscriptionListener listener, Consumer<ResumableSubscription> onEnd) {
        this.http = http;
        this.nodes = List.copyOf(nodes);
        this.region = region;
        this.options = options;
        this.listener = listener;
        this.onEnd = onEnd;
        this.thread = new Thread(this::run, "dih-subscription-" + region);
        thread.setDaemon(true);
    }

    /**
     * Starts a subscription on its own thread.
     *
     * @param nodes gateway base URLs ({@code http://host:port}), the first tried first
     * @param onEnd called (on the subscription's thread) once it has ended
     */
    static ResumableSubscription start(HttpClient http, List<String> nodes, String region, SubscribeOptions options,
                                       SubscriptionListener listener, Consumer<ResumableSubscription> onEnd) {
        ResumableSubscription s = new ResumableSubscription(http, nodes, region, options, listener, onEnd);
        s.thread.start();
        return s;
    }

    @Override
    public String position() {
        return position;
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
        inbox.add(new Wakeup());
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
                String resumeAt = position;
                SubscribeOptions o = connectionOptions(reconnect);
                WebSocket ws = open(node, o);
                if (ws != null) {
                    if (reconnect && resumeAt != null) {
                        call(() -> listener.onReconnect(node, resumeAt));
                    }
                    subscribedHere = false;
                    if (read(ws) == Outcome.CLOSED) {
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
            WebSocket ws = socket;
            if (ws != null) {
                goodbye(ws);
            }
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
        if (!reconnect || position == null) {
            return options;
        }
        if (options.snapshot() && !snapshotDone) {
            if (snapshotRowsSeen > 0) {
                String at = position;
                call(() -> listener.onResync(at, "the connection failed during the snapshot; the snapshot starts again"));
                snapshotRowsSeen = 0;
            }
            return options;
        }
        return options.withSnapshot(false).withFrom(position);
    }

    /** Opens a WebSocket, or returns {@code null} when the node cannot be reached or refuses for now. */
    private WebSocket open(String node, SubscribeOptions o) throws Fatal, InterruptedException {
        int gen = ++generation;
        URI uri = URI.create(node.replaceFirst("^(?i)http", "ws") + PATH + URLEncoder.encode(region, StandardCharsets.UTF_8).replace("+", "%20")
                + o.query());
        try {
            WebSocket ws = http.newWebSocketBuilder().connectTimeout(Duration.ofMillis(CONNECT_TIMEOUT_MILLIS))
                    .buildAsync(uri, new SocketListener(gen)).get(CONNECT_TIMEOUT_MILLIS + 1000, TimeUnit.MILLISECONDS);
            socket = ws;
            lastActivity = System.nanoTime();
            return ws;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException h) {
                int status = h.getResponse().statusCode();
                if (status >= 400 && status < 500 && status != 408 && status != 429) {
                    JsonNode p = problem(h.getResponse().body());
                    throw new Fatal(new SubscriptionClosedException(0, status, p.path("title").asText("Refused"),
                            p.path("detail").asText("the upgrade to a WebSocket was refused with HTTP " + status), text(p, "field"), position));
                }
            }
            return null;
        } catch (TimeoutException e) {
            return null;
        }
    }

    /** Reads one connection's messages until it ends. */
    private Outcome read(WebSocket ws) throws Fatal, InterruptedException {
        int gen = generation;
        JsonNode problem = null;
        while (true) {
            if (closing) {
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
                    handle(n);
                } else if (n.has("status")) {
                    problem = n; // the problem that precedes the close frame
                }
                ws.request(1);
            } else if (m instanceof Closed c && c.gen() == gen) {
                socket = null;
                if (closing) {
                    return Outcome.CLOSED;
                }
                if (isFatal(c.code())) {
                    JsonNode p = problem == null ? JSON.createObjectNode() : problem;
                    String reason = c.reason() == null || c.reason().isEmpty() ? "closed with code " + c.code() : c.reason();
                    throw new Fatal(new SubscriptionClosedException(c.code(), c.code() - 4000, p.path("title").asText(title(c.code())),
                            p.path("detail").asText(reason), text(p, "field"), position));
                }
                return Outcome.RETRY;
            } else if (m instanceof Failed f && f.gen() == gen) {
                socket = null;
                ws.abort();
                return closing ? Outcome.CLOSED : Outcome.RETRY;
            }
            // a Wakeup, or a message of an older connection: ignored
        }
    }

    /**
     * 4400 (bad request), 4404 (no such region), 4410 (region deleted) and other 44xx codes end the subscription;
     * 4408 (too slow), 4429 (node full), 4503 (node stopping), 1006 (connection lost), 1011 and the rest resume.
     */
    static boolean isFatal(int code) {
        return code >= 4400 && code < 4500 && code != 4408 && code != 4429;
    }

    private static String title(int code) {
        return switch (code) {
            case 4400 -> "Bad request";
            case 4404 -> "Not found";
            case 4410 -> "Gone";
            default -> "Subscription closed";
        };
    }

    private void handle(JsonNode n) {
        String op = n.path("op").asText();
        String pos = text(n, "position");
        switch (op) {
            case "SUBSCRIBED" -> {
                accept(pos);
                subscribedHere = true;
                if (!subscribed) {
                    subscribed = true;
                    subscribedOrEnded.countDown();
                }
            }
            case "RESYNC" -> {
                call(() -> listener.onResync(pos, n.path("reason").asText()));
                accept(pos);
            }
            case "PUT", "DELETE" -> {
                boolean snap = n.path("snapshot").asBoolean(false);
                if (!snap && isDuplicate(pos)) {
                    duplicatesDropped++;
                    return;
                }
                ChangeEvent e = new ChangeEvent(ChangeEvent.Op.valueOf(op), n.path("region").asText(region), text(n, "key"),
                        row(n.get("value")), row(n.get("old_value")), pos, instant(text(n, "ts")), snap);
                call(() -> listener.onChange(e));
                if (snap) {
                    snapshotRowsSeen++;
                } else {
                    accept(pos);
                }
            }
            case "SNAPSHOT_END" -> {
                snapshotDone = true;
                call(() -> listener.onSnapshotEnd(n.path("rows").asInt(), pos));
            }
            default -> { } // a newer hub's message: not for this client
        }
    }

    /** Whether a change's position is at or before the last one delivered (of the same journal epoch). */
    private boolean isDuplicate(String pos) {
        int dot = pos == null ? -1 : pos.lastIndexOf('.');
        if (dot < 0 || epoch == null || !epoch.equals(pos.substring(0, dot))) {
            return false;
        }
        try {
            return Long.parseLong(pos.substring(dot + 1)) <= seq;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** The listener has been given {@code pos}: it is the position to resume after (a new epoch replaces the old one). */
    private void accept(String pos) {
        if (pos == null) {
            return;
        }
        position = pos;
        int dot = pos.lastIndexOf('.');
        try {
            seq = Long.parseLong(pos.substring(dot + 1));
            epoch = pos.substring(0, dot);
        } catch (NumberFormatException | IndexOutOfBoundsException e) {
            epoch = null;
            seq = -1;
        }
    }

    private static void call(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException | Error e) {
            throw new ListenerFailed(e);
        }
    }

    private void pause(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        long left;
        while (!closing && (left = deadline - System.nanoTime()) > 0) {
            inbox.poll(left, TimeUnit.NANOSECONDS);
        }
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

    private static JsonNode parse(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            return JSON.createObjectNode().put("detail", text);
        }
    }

    private static JsonNode problem(Object body) {
        if (body instanceof String s) {
            return parse(s);
        }
        if (body instanceof byte[] b) {
            return parse(new String(b, StandardCharsets.UTF_8));
        }
        return JSON.createObjectNode();
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static Map<String, Object> row(JsonNode n) {
        return n == null || n.isNull() ? null : JSON.convertValue(n, ROW);
    }

    private static Instant instant(String ts) {
        try {
            return ts == null ? null : Instant.parse(ts);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** Events already delivered that a resumed stream sent again, and were dropped (for tests and diagnosis). */
    long duplicatesDropped() {
        return duplicatesDropped;
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
