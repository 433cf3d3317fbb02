package io.dih.server.gateway;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.dih.server.json.Json;
import io.dih.server.security.Principal;
import io.dih.server.security.SubscriptionSlots;
import io.dih.server.subscribe.EventSink;
import io.dih.server.subscribe.JournalStatus;
import io.dih.server.subscribe.Subscriptions;
import io.dih.spi.HubException;
import io.dih.spi.InvalidSpecException;
import io.dih.spi.NotFoundException;
import io.dih.spi.TooManyRequestsException;
import io.javalin.http.Context;
import io.javalin.openapi.HttpMethod;
import io.javalin.openapi.OpenApi;
import io.javalin.openapi.OpenApiContent;
import io.javalin.openapi.OpenApiParam;
import io.javalin.openapi.OpenApiRequestBody;
import io.javalin.openapi.OpenApiResponse;
import io.javalin.websocket.WsCloseContext;
import io.javalin.websocket.WsConfig;
import io.javalin.websocket.WsConnectContext;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /api/v1/dih/subscriptions/{region}}: a region's change stream over a WebSocket (the same path, upgraded) or
 * Server-Sent Events ({@code GET} with {@code Accept: text/event-stream}), and its journal's settings and state.
 */
final class SubscriptionController implements AutoCloseable {
    static final String BASE = GatewayApp.API + "/subscriptions";
    private static final Logger LOG = LoggerFactory.getLogger(SubscriptionController.class);
    private static final String PARAMS_DOC = "filter (a predicate over the region's columns: = <> < <= > >= IN, IS NULL, AND, OR, NOT), "
            + "columns (a projection: a,b,c; key columns always come), snapshot=true (the matching rows first), "
            + "from=<position> (resume after it), ops=put,delete";

    private final Subscriptions subscriptions;
    private final long sendTimeoutMillis;
    private final SubscriptionSlots slots;
    private final Set<SseEventSink> streams = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService watchdog;

    /** The WebSocket attribute holding a subscription's quota slot. */
    private static final String SLOT = "dih.slot";

    SubscriptionController(Subscriptions subscriptions, long sendTimeoutMillis, SubscriptionSlots slots) {
        this.slots = requireNonNull(slots, "slots is null");
        this.subscriptions = requireNonNull(subscriptions, "subscriptions is null");
        this.sendTimeoutMillis = sendTimeoutMillis;
        this.watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "dih-sse-watchdog");
            t.setDaemon(true);
            return t;
        });
        watchdog.scheduleWithFixedDelay(() -> streams.forEach(SseEventSink::checkStuck), 500, 500, TimeUnit.MILLISECONDS);
    }

    /** The WebSocket handlers of {@code ws://…/subscriptions/{region}}. */
    void websocket(WsConfig ws) {
        ws.onConnect(this::connect);
        ws.onClose(this::closed);
        ws.onError(ctx -> {
            Long id = ctx.attribute("subscription");
            if (id != null) {
                subscriptions.cancel(id);
            }
            SubscriptionSlots.Slot slot = ctx.attribute(SLOT);
            if (slot != null) {
                slot.release();
            }
        });
    }

    private void connect(WsConnectContext ctx) {
        WsEventSink sink = new WsEventSink(ctx, sendTimeoutMillis);
        SubscriptionSlots.Slot slot = null;
        try {
            Principal p = ctx.attribute(AccessGuard.PRINCIPAL);
            if (p == null) {
                throw new IllegalStateException("no principal on the WebSocket of " + ctx.pathParam("region") + ": the upgrade is not guarded");
            }
            slot = slots.acquire(p);
            long id = subscriptions.open(ctx.pathParam("region"), firstValues(ctx.queryParamMap()), null, sink);
            ctx.attribute("subscription", id);
            ctx.attribute(SLOT, slot);
        } catch (HubException e) {
            if (slot != null) {
                slot.release();
            }
            int code = e instanceof InvalidSpecException ? EventSink.BAD_REQUEST : e instanceof NotFoundException ? EventSink.NOT_FOUND
                    : e instanceof TooManyRequestsException ? EventSink.TOO_MANY : 4503;
            String field = e instanceof InvalidSpecException ise ? ise.field() : null;
            sink.close(code, (field == null ? "" : field + ": ") + e.getMessage(), problemJson(code, e, field, ctx.pathParam("region")));
        } catch (RuntimeException e) {
            if (slot != null) {
                slot.release();
            }
            LOG.warn("Opening a subscription to {} failed", ctx.pathParam("region"), e);
            sink.close(1011, "internal error", null);
        }
    }

    private void closed(WsCloseContext ctx) {
        Long id = ctx.attribute("subscription");
        if (id != null) {
            subscriptions.cancel(id);
        }
        SubscriptionSlots.Slot slot = ctx.attribute(SLOT);
        if (slot != null) {
            slot.release();
        }
    }

    @OpenApi(path = BASE + "/{region}", methods = HttpMethod.GET, tags = "Subscriptions", operationId = "subscribe",
            summary = "A region's changes as Server-Sent Events (send Accept: text/event-stream); the same URL upgraded is the WebSocket stream",
            description = "Every change to the region after the start, in order per key, each once: data {\"op\": \"PUT|DELETE|RESYNC\", "
                    + "\"region\", \"key\", \"value\", \"old_value\", \"position\", \"ts\"}, id = its position. Parameters: " + PARAMS_DOC
                    + ". A reconnecting EventSource resumes through Last-Event-ID. A position older than the journal keeps gets a "
                    + "RESYNC event. A row that stops matching the filter arrives as a DELETE. The stream ends with an "
                    + "`event: close` whose data is a problem JSON (too slow, region deleted, node stopping).",
            pathParams = @OpenApiParam(name = "region", required = true),
            queryParams = {@OpenApiParam(name = "filter"), @OpenApiParam(name = "columns"), @OpenApiParam(name = "snapshot", type = Boolean.class),
                @OpenApiParam(name = "from"), @OpenApiParam(name = "ops")},
            headers = @OpenApiParam(name = "Last-Event-ID", description = "a position to resume after (when from is absent)"),
            responses = {
                @OpenApiResponse(status = "200", description = "text/event-stream"),
                @OpenApiResponse(status = "400", description = "A bad filter, projection, position or parameter; field names it",
                        content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE)),
                @OpenApiResponse(status = "404", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE)),
                @OpenApiResponse(status = "406", description = "The request does not accept text/event-stream",
                        content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE)),
                @OpenApiResponse(status = "429", description = "This node serves as many subscriptions as it may",
                        content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE))})
    void sse(Context ctx) throws IOException {
        String accept = ctx.header("Accept");
        if (accept == null || !accept.contains("text/event-stream")) {
            Problems.write(ctx, Problems.problem(406, "Not acceptable", "send Accept: text/event-stream for Server-Sent Events, or "
                    + "open a WebSocket on this URL", ctx, "Accept", null));
            return;
        }
        SseEventSink sink = new SseEventSink(sendTimeoutMillis);
        SubscriptionSlots.Slot slot = slots.acquire(AccessGuard.principal(ctx));
        long id;
        try {
            id = subscriptions.open(ctx.pathParam("region"), firstValues(ctx.queryParamMap()), ctx.header("Last-Event-ID"), sink);
        } catch (RuntimeException e) {
            slot.release();
            throw e;
        }
        streams.add(sink);
        sink.done().whenComplete((v, e) -> {
            streams.remove(sink);
            subscriptions.cancel(id);
            slot.release();
        });
        try {
            sink.start(ctx.req(), ctx.res());
        } catch (IOException | RuntimeException e) {
            sink.close(1011, "the stream could not start", null);
            throw e;
        }
        ctx.future(sink::done); // the request stays open until the stream ends
    }

    /** A journal's retention, as {@code PUT /subscriptions/{region}/journal} takes it. */
    record JournalSettings(@JsonProperty("max_events") Integer maxEvents, @JsonProperty("max_age_seconds") Long maxAgeSeconds,
                           @JsonProperty("keep") Boolean keep) {
    }

    @OpenApi(path = BASE + "/{region}/journal", methods = HttpMethod.PUT, tags = "Subscriptions", operationId = "configureJournal",
            summary = "Start a region's change journal now, or change its retention",
            description = "Body {\"max_events\", \"max_age_seconds\", \"keep\"} (each optional; defaults from the node's subscriptions "
                    + "settings; keep defaults to true here). A journal otherwise starts with the region's first subscription, unkept: it "
                    + "records while some node has had a subscriber within max_age_seconds, so clients can resume after being away, "
                    + "and is dropped after that; a kept journal records while the region exists. Positions older than the retention "
                    + "get a RESYNC.",
            pathParams = @OpenApiParam(name = "region", required = true),
            requestBody = @OpenApiRequestBody(content = @OpenApiContent(from = JournalSettings.class)),
            responses = {
                @OpenApiResponse(status = "200", description = "Reconfigured", content = @OpenApiContent(from = JournalStatus.class)),
                @OpenApiResponse(status = "201", description = "Started", content = @OpenApiContent(from = JournalStatus.class)),
                @OpenApiResponse(status = "400", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE)),
                @OpenApiResponse(status = "404", content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE))})
    void configure(Context ctx) {
        JournalSettings body = ctx.body().isBlank() ? new JournalSettings(null, null, null) : Bodies.read(ctx, JournalSettings.class);
        boolean created = subscriptions.configureJournal(ctx.pathParam("region"), body.maxEvents(), body.maxAgeSeconds(), body.keep());
        Bodies.json(ctx, created ? 201 : 200, subscriptions.awaitJournalStatus(ctx.pathParam("region")));
    }

    @OpenApi(path = BASE + "/{region}/journal", methods = HttpMethod.GET, tags = "Subscriptions", operationId = "getJournal",
            summary = "A region journal's positions, size, retention and this node's subscribers",
            pathParams = @OpenApiParam(name = "region", required = true),
            responses = {
                @OpenApiResponse(status = "200", content = @OpenApiContent(from = JournalStatus.class)),
                @OpenApiResponse(status = "404", description = "No such region, or it has no journal yet",
                        content = @OpenApiContent(from = Problem.class, type = Problems.CONTENT_TYPE))})
    void journal(Context ctx) {
        Bodies.json(ctx, 200, subscriptions.journalStatus(ctx.pathParam("region")));
    }

    private static Map<String, String> firstValues(Map<String, List<String>> params) {
        Map<String, String> out = new LinkedHashMap<>();
        params.forEach((k, v) -> out.put(k, v.isEmpty() ? "" : v.get(0)));
        return out;
    }

    private static String problemJson(int code, HubException e, String field, String region) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("type", "about:blank");
        p.put("title", e.title());
        p.put("status", code);
        p.put("detail", e.getMessage());
        p.put("instance", BASE + "/" + region);
        if (field != null) {
            p.put("field", field);
        }
        if (e instanceof InvalidSpecException ise) {
            p.put("errors", ise.errors());
        }
        try {
            return Json.MAPPER.writeValueAsString(p);
        } catch (JsonProcessingException ex) {
            return "{\"status\":" + code + "}";
        }
    }

    @Override
    public void close() {
        watchdog.shutdownNow();
    }
}
