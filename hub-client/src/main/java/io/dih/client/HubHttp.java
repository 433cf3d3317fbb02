package io.dih.client;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** One JSON call to the gateway: the request, and its answer or its problem as a {@link HubClientException}. */
final class HubHttp {
    private final HttpClient http;
    private final String base;
    private final Duration timeout;
    private final ObjectMapper json;
    /** Sent as {@code Authorization: Bearer <key>}; {@code null}: none (a hub with security off). */
    private final String apiKey;

    HubHttp(HttpClient http, String base, Duration timeout, ObjectMapper json, String apiKey) {
        this.http = requireNonNull(http, "http is null");
        this.base = requireNonNull(base, "base is null");
        this.timeout = requireNonNull(timeout, "timeout is null");
        this.json = requireNonNull(json, "json is null");
        this.apiKey = apiKey;
    }

    /** The same connection, reading and writing JSON with {@code mapper} (e.g. one that keeps decimals exact). */
    HubHttp with(ObjectMapper mapper) {
        return new HubHttp(http, base, timeout, mapper, apiKey);
    }

    String base() {
        return base;
    }

    /** The JSON answer (an empty object for an empty body); any status of 400 or more is a {@link HubClientException}. */
    JsonNode send(String method, String path, Object body) {
        return exchange(method, path, body, false);
    }

    /** As {@link #send}, but {@code null} for a 404. */
    JsonNode sendOrNull(String method, String path, Object body) {
        return exchange(method, path, body, true);
    }

    private JsonNode exchange(String method, String path, Object body, boolean nullOn404) {
        HttpRequest.Builder rb = HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout);
        try {
            rb.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)));
            if (body != null) {
                rb.header("Content-Type", "application/json");
            }
            if (apiKey != null) {
                rb.header("Authorization", "Bearer " + apiKey);
            }
            HttpResponse<String> r = http.send(rb.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 404 && nullOn404) {
                return null;
            }
            if (r.statusCode() >= 400) {
                JsonNode p = parse(r.body());
                throw new HubClientException(r.statusCode(), p.path("title").asText("Error"),
                        p.path("detail").asText(r.body()), p.hasNonNull("field") ? p.get("field").asText() : null);
            }
            return r.body().isEmpty() ? json.createObjectNode() : parse(r.body());
        } catch (IOException e) {
            throw new HubClientException("cannot reach the hub at " + base + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HubClientException("interrupted while calling the hub", e);
        }
    }

    private JsonNode parse(String body) {
        try {
            return json.readTree(body);
        } catch (JsonProcessingException e) {
            return json.createObjectNode().put("detail", body);
        }
    }
}
