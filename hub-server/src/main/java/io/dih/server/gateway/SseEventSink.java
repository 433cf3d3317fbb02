package io.dih.server.gateway;

import io.dih.server.subscribe.EventSink;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.server.Request;

/**
 * A subscription's events as Server-Sent Events: {@code id: <position>} and {@code data: <event JSON>} per event, so
 * a reconnecting {@code EventSource} sends the last position back in {@code Last-Event-ID}; a comment line as
 * heartbeat; the end is an {@code event: close} whose data is a problem JSON. Writes block; a client that has not
 * taken a write within the send timeout has its connection aborted by {@link #checkStuck} and is reported too slow.
 */
final class SseEventSink implements EventSink {
    private final long sendTimeoutMillis;
    private final CountDownLatch ready = new CountDownLatch(1);
    private volatile HttpServletRequest request;
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private volatile OutputStream out;
    private volatile boolean open = true;
    private volatile long writingSince;
    private volatile boolean aborted;

    SseEventSink(long sendTimeoutMillis) {
        this.sendTimeoutMillis = sendTimeoutMillis;
    }

    /**
     * Starts the event stream (after the subscription was accepted; events wait until then). The request stays open
     * until {@link #done()} completes: the client went away, or the subscription ended.
     */
    void start(HttpServletRequest req, HttpServletResponse res) throws IOException {
        res.setStatus(200);
        res.setContentType("text/event-stream");
        res.setCharacterEncoding("UTF-8");
        res.setHeader("Cache-Control", "no-cache");
        res.setHeader("X-Accel-Buffering", "no");
        this.request = req;
        this.out = res.getOutputStream();
        out.write(": subscribed\n\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
        ready.countDown();
    }

    /** Completes when the stream ends. */
    CompletableFuture<Void> done() {
        return done;
    }

    private OutputStream stream() throws IOException {
        try {
            if (!ready.await(30, TimeUnit.SECONDS)) {
                throw new IOException("the event stream did not start");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        return out;
    }

    @Override
    public void send(String position, String json) throws IOException {
        write("id: " + position + "\ndata: " + json + "\n\n");
    }

    @Override
    public void heartbeat() throws IOException {
        write(": heartbeat\n\n");
    }

    private void write(String text) throws IOException {
        OutputStream o = stream();
        writingSince = System.nanoTime();
        try {
            o.write(text.getBytes(StandardCharsets.UTF_8));
            o.flush();
        } catch (IOException e) {
            open = false;
            done.complete(null);
            if (aborted) {
                throw new TooSlow("the client did not take an event within " + sendTimeoutMillis + " ms");
            }
            throw e;
        } finally {
            writingSince = 0;
        }
    }

    /** Aborts the connection when a write has been blocked longer than the send timeout (a client that does not read). */
    void checkStuck() {
        long since = writingSince;
        if (since != 0 && System.nanoTime() - since > TimeUnit.MILLISECONDS.toNanos(sendTimeoutMillis) && !aborted) {
            aborted = true;
            HttpServletRequest req = request;
            if (req != null) {
                Request.getBaseRequest(req).getHttpChannel().abort(new TimeoutException("the client does not read"));
            }
        }
    }

    @Override
    public void close(int code, String reason, String problemJson) {
        if (!open) {
            return;
        }
        open = false;
        try {
            if (!aborted && problemJson != null && ready.getCount() == 0) { // an aborted or unstarted stream takes nothing
                OutputStream o = stream();
                o.write(("event: close\ndata: " + problemJson + "\n\n").getBytes(StandardCharsets.UTF_8));
                o.flush();
            }
        } catch (IOException e) {
            // the client is gone already
        } finally {
            done.complete(null);
        }
    }

    @Override
    public boolean isOpen() {
        return open;
    }
}
