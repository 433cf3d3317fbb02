package io.dih.server.subscribe;

import java.io.IOException;

/** Where a subscriber's events go: a WebSocket session or a Server-Sent Events response. Called from one thread. */
public interface EventSink {
    /** Close codes (WebSocket; an SSE stream ends with an event carrying the same code). */
    int BAD_REQUEST = 4400;
    int NOT_FOUND = 4404;
    int TOO_SLOW = 4408;
    int GONE = 4410;
    int TOO_MANY = 4429;
    int SHUTTING_DOWN = 4503;

    /** Sends one event; returns once it is written, or throws (the client went away, or it did not read in time). */
    void send(String position, String json) throws IOException;

    /** Keeps an idle connection alive (a WebSocket ping, an SSE comment). */
    void heartbeat() throws IOException;

    /** Ends the subscription: a last problem message (JSON) and a close code with a short reason. Idempotent. */
    void close(int code, String reason, String problemJson);

    boolean isOpen();

    /** Thrown by {@link #send} when the client did not take the event in time. */
    final class TooSlow extends IOException {
        private static final long serialVersionUID = 1L;

        public TooSlow(String message) {
            super(message);
        }
    }
}
