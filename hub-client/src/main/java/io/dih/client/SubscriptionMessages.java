package io.dih.client;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;

/**
 * The hub's messages on a {@link ResumableSubscription} turned into listener calls, and its position bookkeeping: the
 * last position delivered (where a resumed stream starts after), the events a resumed stream sends again (dropped), and
 * how far a snapshot got. Only the subscription's thread calls it, but for {@link #position()}.
 */
final class SubscriptionMessages {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> ROW = new TypeReference<>() { };

    private final String region;
    private final SubscriptionListener listener;
    /** Called on the subscription's thread each time a connection is subscribed (after its position is taken). */
    private final Runnable onSubscribed;
    private volatile String position;

    // the subscription thread's own state
    private String epoch;
    private long seq = -1;
    private boolean snapshotDone;
    private int snapshotRowsSeen;
    private long duplicatesDropped;

    /** A listener method threw: the subscription ends with it. */
    static final class ListenerFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ListenerFailed(Throwable cause) {
            super(cause);
        }
    }

    SubscriptionMessages(String region, SubscriptionListener listener, Runnable onSubscribed) {
        this.region = region;
        this.listener = listener;
        this.onSubscribed = onSubscribed;
    }

    /** The last position delivered: where a resumed stream starts after ({@code null} before the first). */
    String position() {
        return position;
    }

    /** Whether the snapshot has been delivered to its end. */
    boolean snapshotDone() {
        return snapshotDone;
    }

    /**
     * The snapshot did not finish and starts over on the next connection: the listener hears a RESYNC when it had rows
     * of the broken one.
     */
    void snapshotStartsAgain() {
        if (snapshotRowsSeen > 0) {
            String at = position;
            call(() -> listener.onResync(at, "the connection failed during the snapshot; the snapshot starts again"));
            snapshotRowsSeen = 0;
        }
    }

    void handle(JsonNode n) {
        String op = n.path("op").asText();
        String pos = text(n, "position");
        switch (op) {
            case "SUBSCRIBED" -> {
                accept(pos);
                onSubscribed.run();
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

    /** Runs a listener call; when it throws, the subscription ends with it ({@link ListenerFailed}). */
    static void call(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException | Error e) {
            throw new ListenerFailed(e);
        }
    }

    static JsonNode parse(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            return JSON.createObjectNode().put("detail", text);
        }
    }

    static JsonNode problem(Object body) {
        if (body instanceof String s) {
            return parse(s);
        }
        if (body instanceof byte[] b) {
            return parse(new String(b, StandardCharsets.UTF_8));
        }
        return JSON.createObjectNode();
    }

    static String text(JsonNode n, String field) {
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
}
