package io.dih.connector.pulsar;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dih.spi.InvalidSpecException;
import io.dih.spi.UnavailableException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The few calls of the broker's admin REST API the connector needs ({@code admin_url}), over {@code java.net.http}. It
 * sends the {@code token} as a bearer token, or {@code user}/{@code password} as basic authentication; an
 * {@code auth_plugin_class_name} cannot be replayed over plain HTTP, so such a source gets no admin calls' credentials.
 */
final class PulsarAdminClient {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final String adminUrl;
    private final String authorization;
    private final HttpClient http;

    PulsarAdminClient(String adminUrl, String token, String user, String password) {
        this.adminUrl = adminUrl;
        this.authorization = token != null ? "Bearer " + token
                : user != null ? "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)) : null;
        this.http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    }

    /** Checks the web service answers (and takes our credentials), naming host and port when it does not. */
    void check() {
        get("/admin/v2/clusters");
    }

    /** The partition names of a topic (the topic itself when it is not partitioned); empty when it does not exist. */
    List<String> partitions(String topic) {
        TopicName t = TopicName.of(topic);
        JsonNode metadata = get(t.path() + "/partitions").orElse(null);
        int n = metadata == null ? 0 : metadata.path("partitions").asInt(0);
        if (n > 0) {
            List<String> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                out.add(topic + "-partition-" + i);
            }
            return out;
        }
        return topicsOf(t.domain(), t.namespace()).contains(topic) ? List.of(topic) : List.of();
    }

    /** The topics (partitions included) of a namespace matching a pattern over full names. */
    List<String> matching(Pattern pattern) {
        TopicName t = TopicName.ofPattern(pattern.pattern());
        return topicsOf(t.domain(), t.namespace()).stream().filter(n -> pattern.matcher(n).matches()
                || pattern.matcher(n.replaceFirst("-partition-\\d+$", "")).matches()).toList();
    }

    /**
     * A topic's (or partition's) backlog in one subscription, Pulsar's precise {@code msgBacklog}; empty when the
     * subscription or topic does not exist.
     */
    Optional<Long> backlog(String topic, String subscription) {
        return get(TopicName.of(topic).path() + "/stats?getPreciseBacklog=true").map(stats -> stats.path("subscriptions").path(subscription))
                .filter(JsonNode::isObject).map(s -> s.path("msgBacklog").asLong(0));
    }

    private List<String> topicsOf(String domain, String namespace) {
        JsonNode list = get("/admin/v2/" + domain + "/" + namespace).orElseThrow(() -> new InvalidSpecException("topic",
                "namespace " + namespace + " does not exist on " + where()));
        List<String> names = new ArrayList<>();
        list.forEach(n -> names.add(n.asText()));
        return names;
    }

    /** GET a JSON document; empty on 404. */
    private Optional<JsonNode> get(String path) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(adminUrl + path)).timeout(TIMEOUT).header("Accept", "application/json");
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UnavailableException("cannot reach Pulsar's web service at " + where() + ": "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted while calling Pulsar's web service at " + where(), e);
        }
        int status = response.statusCode();
        if (status == 404) {
            return Optional.empty();
        }
        if (status == 401 || status == 403) {
            throw new InvalidSpecException(authorization == null ? "connection_params.token" : authorization.startsWith("Bearer")
                    ? "connection_params.token" : "connection_params.password", "Pulsar's web service at " + where() + " refused us ("
                    + status + "); give a token (or user and password) it accepts");
        }
        if (status / 100 != 2) {
            throw new UnavailableException("Pulsar's web service at " + where() + " answered " + status + " to GET " + path, null);
        }
        try {
            return Optional.of(MAPPER.readTree(response.body()));
        } catch (IOException e) {
            throw new UnavailableException("Pulsar's web service at " + where() + " answered GET " + path + " with no JSON", null);
        }
    }

    /** {@code host:port} of the web service, for messages. */
    String where() {
        URI uri = URI.create(adminUrl);
        int port = uri.getPort() > 0 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
        return uri.getHost() + ":" + port;
    }

    /** A full topic name's parts: {@code persistent://tenant/ns/name}. */
    record TopicName(String domain, String namespace, String local) {
        static TopicName of(String fullName) {
            int scheme = fullName.indexOf("://");
            String[] parts = fullName.substring(scheme + 3).split("/", 3);
            return new TopicName(fullName.substring(0, scheme), parts[0] + "/" + parts[1], parts.length > 2 ? parts[2] : "");
        }

        /** The namespace a pattern over full names lives in (patterns are namespace-wide in Pulsar). */
        static TopicName ofPattern(String pattern) {
            return of(pattern.replace("\\", ""));
        }

        String path() {
            return "/admin/v2/" + domain + "/" + namespace + "/" + local;
        }
    }
}
