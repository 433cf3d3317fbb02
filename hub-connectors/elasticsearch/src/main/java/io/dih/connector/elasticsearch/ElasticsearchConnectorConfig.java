package io.dih.connector.elasticsearch;

import static io.dih.spi.ConnectionParams.field;
import static io.dih.spi.ConnectionParams.integer;
import static io.dih.spi.ConnectionParams.text;

import io.dih.spi.FieldError;
import io.dih.spi.InvalidSpecException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The connection parameters of an Elasticsearch source, checked field by field.
 *
 * @param hosts                 the nodes, {@code http(s)://host:port} each (port 9200 when not given)
 * @param username              basic authentication (with {@code password}), or {@code null}
 * @param password              a secret: never in {@link #toString()}, logs or errors
 * @param apiKey                a secret: an encoded API key ({@code Authorization: ApiKey ...}), instead of a password
 * @param caFingerprint         the SHA-256 fingerprint (hex) of the CA that signed the nodes' HTTPS certificates
 * @param connectTimeoutSeconds how long to wait for a connection
 * @param socketTimeoutSeconds  how long to wait for an answer
 * @param pageSize              documents per page of a load (point-in-time + search_after)
 * @param refresh               the bulk {@code refresh} of writes: {@code false} (the default: visible within the
 *                              index's refresh interval), {@code wait_for} or {@code true}
 */
record ElasticsearchConnectorConfig(List<URI> hosts, String username, String password, String apiKey, String caFingerprint,
                                    int connectTimeoutSeconds, int socketTimeoutSeconds, int pageSize, String refresh) {

    static final Set<String> KEYS = Set.of("url", "hosts", "username", "password", "api_key", "ca_fingerprint",
            "connect_timeout_seconds", "socket_timeout_seconds", "page_size", "refresh");
    static final Set<String> SECRETS = Set.of("password", "api_key");
    private static final Set<String> REFRESH = Set.of("false", "true", "wait_for");

    ElasticsearchConnectorConfig {
        hosts = List.copyOf(hosts);
    }

    /** {@code host:port,host:port}: what an error may name (never a secret). */
    String where() {
        return hosts.stream().map(u -> u.getHost() + ":" + u.getPort()).collect(Collectors.joining(","));
    }

    @Override
    public String toString() {
        return "ElasticsearchConnectorConfig[hosts=" + hosts + ", username=" + username + ", password=" + (password == null ? null : "****")
                + ", apiKey=" + (apiKey == null ? null : "****") + "]";
    }

    /** Resolves a secret's {@code ${ENV}} reference. */
    @FunctionalInterface
    interface Resolver {
        String resolve(String field, String value);
    }

    static ElasticsearchConnectorConfig parseOrThrow(Map<String, Object> p, Resolver resolve) {
        List<FieldError> errors = new ArrayList<>();
        ElasticsearchConnectorConfig c = parse(p, resolve, errors);
        if (!errors.isEmpty()) {
            throw new InvalidSpecException(errors);
        }
        return c;
    }

    /** Parses parameters; collects every problem instead of stopping at the first. */
    static ElasticsearchConnectorConfig parse(Map<String, Object> p, Resolver resolve, List<FieldError> errors) {
        for (String k : p.keySet()) {
            if (!KEYS.contains(k)) {
                errors.add(new FieldError(field(k), "is not an Elasticsearch parameter; known: " + new TreeSet<>(KEYS)));
            }
        }
        List<URI> hosts = hosts(p, errors);
        String user = text(p, "username", errors);
        String password = text(p, "password", errors);
        String apiKey = text(p, "api_key", errors);
        if ((user == null) != (password == null)) {
            errors.add(new FieldError(field(user == null ? "username" : "password"), "is required with " + (user == null ? "password" : "username")));
        }
        if (apiKey != null && user != null) {
            errors.add(new FieldError(field("api_key"), "give either api_key or username and password, not both"));
        }
        if (password != null) {
            password = resolve.resolve(field("password"), password);
        }
        if (apiKey != null) {
            apiKey = resolve.resolve(field("api_key"), apiKey);
            if (apiKey.isBlank()) {
                errors.add(new FieldError(field("api_key"), "must not be blank"));
            }
        }
        String fingerprint = text(p, "ca_fingerprint", errors);
        if (fingerprint != null) {
            fingerprint = fingerprint.replace(":", "").trim().toLowerCase(Locale.ROOT);
            if (!fingerprint.matches("[0-9a-f]{64}")) {
                errors.add(new FieldError(field("ca_fingerprint"), "must be a SHA-256 fingerprint: 64 hex digits (colons allowed)"));
            }
            if (hosts.stream().anyMatch(u -> !"https".equals(u.getScheme()))) {
                errors.add(new FieldError(field("ca_fingerprint"), "needs https:// hosts"));
            }
        }
        int connect = integer(p, "connect_timeout_seconds", 5, 1, 300, errors);
        int socket = integer(p, "socket_timeout_seconds", 30, 1, 3600, errors);
        int pageSize = integer(p, "page_size", 1000, 1, 10_000, errors);
        String refresh = text(p, "refresh", errors);
        refresh = refresh == null ? "false" : refresh.trim().toLowerCase(Locale.ROOT);
        if (!REFRESH.contains(refresh)) {
            errors.add(new FieldError(field("refresh"), "must be false, true or wait_for, was '" + refresh + "'"));
        }
        return new ElasticsearchConnectorConfig(hosts, user, password, apiKey, fingerprint, connect, socket, pageSize, refresh);
    }

    private static List<URI> hosts(Map<String, Object> p, List<FieldError> errors) {
        Object url = p.get("url");
        Object hosts = p.get("hosts");
        if (url != null && hosts != null) {
            errors.add(new FieldError(field("hosts"), "give either url or hosts, not both"));
            return List.of();
        }
        if (url == null && hosts == null) {
            errors.add(new FieldError(field("url"), "is required: http(s)://host:port (or hosts: a list of them)"));
            return List.of();
        }
        String key = url != null ? "url" : "hosts";
        List<String> raw = new ArrayList<>();
        Object v = url != null ? url : hosts;
        if (v instanceof List<?> list) {
            list.forEach(x -> raw.add(String.valueOf(x)));
        } else if (v instanceof Map) {
            errors.add(new FieldError(field(key), "must be http(s)://host:port, a comma-separated list or a list of them"));
            return List.of();
        } else {
            for (String s : v.toString().split(",")) {
                raw.add(s);
            }
        }
        List<URI> out = new ArrayList<>();
        for (String r : raw) {
            URI u = host(r.trim(), key, errors);
            if (u != null) {
                out.add(u);
            }
        }
        if (out.isEmpty() && errors.stream().noneMatch(e -> e.field().equals(field(key)))) {
            errors.add(new FieldError(field(key), "names no host"));
        }
        return out;
    }

    /** {@code http(s)://host[:port]} or {@code host:port} (http), with no path, query or credentials. */
    private static URI host(String given, String key, List<FieldError> errors) {
        String s = given.replaceAll("//[^/@]*@", "//****@"); // what messages show: never credentials written into a URL
        String withScheme = given.contains("://") ? given : "http://" + given;
        try {
            URI u = new URI(withScheme);
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                errors.add(new FieldError(field(key), "'" + s + "' must start with http:// or https://"));
                return null;
            }
            if (u.getRawUserInfo() != null) {
                errors.add(new FieldError(field(key), "must not hold credentials: use username and password (or api_key)"));
                return null;
            }
            if (u.getHost() == null || u.getHost().isBlank()) {
                errors.add(new FieldError(field(key), "'" + s + "' is not http(s)://host:port"));
                return null;
            }
            if (u.getRawPath() != null && !u.getRawPath().isEmpty() && !u.getRawPath().equals("/") || u.getRawQuery() != null) {
                errors.add(new FieldError(field(key), "'" + s + "' must be http(s)://host:port, without a path or query"));
                return null;
            }
            int port = u.getPort() < 0 ? 9200 : u.getPort();
            if (port > 65535) {
                errors.add(new FieldError(field(key), "'" + s + "' has a port outside 1-65535"));
                return null;
            }
            return new URI(scheme, null, u.getHost(), port, null, null, null);
        } catch (URISyntaxException e) {
            errors.add(new FieldError(field(key), "'" + s + "' is not http(s)://host:port"));
            return null;
        }
    }
}
