package io.dih.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dih.testing.HubCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A small HTTP client for tests of the gateway. */
public final class Rest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String base;
    private final java.util.Map<String, String> headers;

    /** A client that sends the test hubs' operator key ({@link HubCredentials#ADMIN_KEY}). */
    public Rest(String base) {
        this(base, java.util.Map.of("Authorization", "Bearer " + HubCredentials.ADMIN_KEY));
    }

    /** A client that sends no credential at all. */
    public static Rest anonymous(String base) {
        return new Rest(base, java.util.Map.of());
    }

    /** A client that sends this credential as {@code Authorization: Bearer <credential>}. */
    public static Rest withKey(String base, String credential) {
        return new Rest(base, java.util.Map.of("Authorization", "Bearer " + credential));
    }

    private Rest(String base, java.util.Map<String, String> headers) {
        this.base = base;
        this.headers = headers;
    }

    /** A client that sends this header with every request. */
    public Rest withHeader(String name, String value) {
        java.util.Map<String, String> h = new java.util.LinkedHashMap<>(headers);
        h.put(name, value);
        return new Rest(base, java.util.Map.copyOf(h));
    }

    public record Response(int status, String contentType, String body, java.net.http.HttpHeaders headers) {
        public Response(int status, String contentType, String body) {
            this(status, contentType, body, java.net.http.HttpHeaders.of(java.util.Map.of(), (a, b) -> true));
        }

        /** A response header, or {@code null}. */
        public String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (" + status + "): " + body, e);
            }
        }

        @Override
        public String toString() {
            return status + " " + contentType + " " + body;
        }
    }

    public Response get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    public Response delete(String path) {
        return send(HttpRequest.newBuilder(uri(path)).DELETE());
    }

    public Response post(String path, String body) {
        return send(HttpRequest.newBuilder(uri(path)).POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json"));
    }

    public Response put(String path, String body) {
        return send(HttpRequest.newBuilder(uri(path)).PUT(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json"));
    }

    /** A request with any method (PATCH, OPTIONS…) and an optional body. */
    public Response send(String method, String path, String body) {
        HttpRequest.BodyPublisher p = body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body);
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).method(method, p);
        return send(body == null ? b : b.header("Content-Type", "application/json"));
    }

    public Response patch(String path, String body) {
        return send("PATCH", path, body);
    }

    private URI uri(String path) {
        return URI.create(base + path);
    }

    private Response send(HttpRequest.Builder b) {
        headers.forEach(b::header);
        try {
            HttpResponse<String> r = HTTP.send(b.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body(), r.headers());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
