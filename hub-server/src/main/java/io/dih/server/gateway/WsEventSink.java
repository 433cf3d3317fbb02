package io.dih.server.gateway;

import io.dih.server.subscribe.EventSink;
import io.javalin.websocket.WsContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.websocket.api.WriteCallback;

/**
 * A subscription's events as WebSocket text messages. Each send waits for Jetty to write the message; a client that
 * does not take one within the node's send timeout is reported as too slow. The end is a last text message holding a
 * problem JSON, then a close frame with a 4xxx code and a short reason.
 */
final class WsEventSink implements EventSink {
    private final WsContext ctx;
    private final long sendTimeoutMillis;
    private volatile boolean open = true;
    private volatile boolean timedOut;

    WsEventSink(WsContext ctx, long sendTimeoutMillis) {
        this.ctx = ctx;
        this.sendTimeoutMillis = sendTimeoutMillis;
    }

    @Override
    public void send(String position, String json) throws IOException {
        CompletableFuture<Void> written = new CompletableFuture<>();
        ctx.session.getRemote().sendString(json, new WriteCallback() {
            @Override
            public void writeFailed(Throwable x) {
                written.completeExceptionally(x);
            }

            @Override
            public void writeSuccess() {
                written.complete(null);
            }
        });
        try {
            written.get(sendTimeoutMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            timedOut = true;
            throw new TooSlow("the client did not take an event within " + sendTimeoutMillis + " ms");
        } catch (ExecutionException e) {
            open = false;
            throw new IOException("the WebSocket write failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while sending", e);
        }
    }

    @Override
    public void heartbeat() throws IOException {
        ctx.session.getRemote().sendPing(java.nio.ByteBuffer.wrap("hb".getBytes(StandardCharsets.US_ASCII)));
    }

    @Override
    public void close(int code, String reason, String problemJson) {
        if (!open) {
            return;
        }
        open = false;
        try {
            if (problemJson != null && !timedOut) { // a client that does not read would not take it either
                ctx.session.getRemote().sendString(problemJson, WriteCallback.NOOP);
            }
            ctx.session.close(code, shortReason(reason));
            if (timedOut) {
                ctx.session.disconnect(); // its close frame would wait behind the unread messages
            }
        } catch (RuntimeException e) {
            ctx.session.disconnect();
        }
    }

    /** A close frame's reason holds at most 123 bytes. */
    static String shortReason(String reason) {
        if (reason == null) {
            return null;
        }
        byte[] b = reason.getBytes(StandardCharsets.UTF_8);
        if (b.length <= 123) {
            return reason;
        }
        String s = reason;
        while (s.getBytes(StandardCharsets.UTF_8).length > 120) {
            s = s.substring(0, s.length() - 1);
        }
        return s + "…";
    }

    @Override
    public boolean isOpen() {
        return open && ctx.session.isOpen();
    }
}
