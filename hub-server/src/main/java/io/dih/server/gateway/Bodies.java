package io.dih.server.gateway;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.dih.server.json.Json;
import io.dih.spi.InvalidSpecException;
import io.javalin.http.Context;

/** Reads request bodies with the hub's mapper, so every parse error names the field. */
final class Bodies {
    private Bodies() {
    }

    static <T> T read(Context ctx, Class<T> type) {
        String body = ctx.body();
        if (body.isBlank()) {
            throw new InvalidSpecException("body", "the request body is empty; send a JSON object");
        }
        try {
            T value = Json.MAPPER.readValue(body, type);
            if (value == null) {
                throw new InvalidSpecException("body", "must be a JSON object, got null");
            }
            return value;
        } catch (JsonProcessingException e) {
            throw Json.toInvalidSpec(e, "body");
        }
    }

    static JsonNode tree(Context ctx) {
        return read(ctx, JsonNode.class);
    }

    static void json(Context ctx, int status, Object value) {
        try {
            ctx.status(status).contentType("application/json").result(Json.MAPPER.writeValueAsString(value));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write response", e);
        }
    }

    /** A true/false query parameter, or {@code dflt} when absent; anything else is a 400 naming it. */
    static boolean flag(Context ctx, String name, boolean dflt) {
        String v = ctx.queryParam(name);
        if (v == null) {
            return dflt;
        }
        if (!v.equals("true") && !v.equals("false")) {
            throw new InvalidSpecException(name, "must be true or false, was '" + v + "'");
        }
        return Boolean.parseBoolean(v);
    }

    /** A positive integer query parameter up to {@code max}, or {@code dflt} when absent. */
    static int limit(Context ctx, String name, int dflt, int max) {
        String v = ctx.queryParam(name);
        if (v == null) {
            return dflt;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= 1 && n <= max) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new InvalidSpecException(name, "must be a whole number from 1 to " + max + ", was '" + v + "'");
    }
}
