package io.dih.connector.s3;

import io.dih.spi.ConnectionParams;
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
import java.util.function.BinaryOperator;

/**
 * A MinIO / S3 source's {@code connection_params}: {@code endpoint} ({@code http://host:port}, {@code https://…}, or
 * {@code host:port} with {@code secure}), {@code access_key}, {@code secret_key} (a secret: {@code ${ENV}} works),
 * {@code region} (default {@code us-east-1}) and {@code secure} (default: the endpoint's scheme, else false).
 *
 * @param endpoint  the endpoint as a URL, scheme included
 * @param accessKey the access key (not a secret; it names the key)
 * @param secretKey the secret key; never in logs or errors
 * @param region    the bucket region the signatures name
 */
record S3ConnectorConfig(String endpoint, String accessKey, String secretKey, String region) {
    static final Set<String> SECRETS = Set.of("secret_key");
    static final Set<String> KEYS = Set.of("endpoint", "access_key", "secret_key", "region", "secure");

    /** {@code host:port} of the endpoint, for errors. */
    String where() {
        URI u = URI.create(endpoint);
        return u.getHost() + ":" + (u.getPort() > 0 ? u.getPort() : "https".equals(u.getScheme()) ? 443 : 80);
    }

    @Override
    public String toString() {
        return "S3ConnectorConfig[endpoint=" + endpoint + ", accessKey=" + accessKey + ", region=" + region + "]";
    }

    /** Parses, adding one error per bad field; {@code resolve} turns {@code ${ENV}} references into values. */
    static S3ConnectorConfig parse(Map<String, Object> params, BinaryOperator<String> resolve, List<FieldError> errors) {
        for (String k : new TreeSet<>(params.keySet())) {
            if (!KEYS.contains(k)) {
                errors.add(new FieldError(ConnectionParams.field(k), "is not a parameter of a MinIO/S3 source; known: " + new TreeSet<>(KEYS)));
            }
        }
        String endpoint = required(params, "endpoint", resolve, errors);
        String accessKey = required(params, "access_key", resolve, errors);
        String secretKey = required(params, "secret_key", resolve, errors);
        String region = ConnectionParams.text(params, "region", errors);
        region = region == null || region.isBlank() ? "us-east-1" : resolve.apply(ConnectionParams.field("region"), region);
        Boolean secure = null;
        String s = ConnectionParams.text(params, "secure", errors);
        if (s != null) {
            switch (s.toLowerCase(Locale.ROOT)) {
                case "true" -> secure = true;
                case "false" -> secure = false;
                default -> errors.add(new FieldError(ConnectionParams.field("secure"), "must be true or false, was '" + s + "'"));
            }
        }
        String url = null;
        if (endpoint != null) {
            url = endpoint.contains("://") ? endpoint : (Boolean.TRUE.equals(secure) ? "https://" : "http://") + endpoint;
            try {
                URI u = new URI(url);
                if (u.getHost() == null || !("http".equals(u.getScheme()) || "https".equals(u.getScheme()))) {
                    errors.add(new FieldError(ConnectionParams.field("endpoint"), "must be http(s)://host[:port] or host:port, was '" + endpoint + "'"));
                } else if (secure != null && secure != "https".equals(u.getScheme())) {
                    errors.add(new FieldError(ConnectionParams.field("secure"), "is " + secure + " but the endpoint's scheme is " + u.getScheme()));
                }
            } catch (URISyntaxException e) {
                errors.add(new FieldError(ConnectionParams.field("endpoint"), "is not a URL: " + e.getReason()));
            }
        }
        return new S3ConnectorConfig(url, accessKey, secretKey, region);
    }

    static S3ConnectorConfig parseOrThrow(Map<String, Object> params, BinaryOperator<String> resolve) {
        List<FieldError> errors = new ArrayList<>();
        S3ConnectorConfig c = parse(params, resolve, errors);
        if (!errors.isEmpty()) {
            throw new InvalidSpecException(errors);
        }
        return c;
    }

    private static String required(Map<String, Object> params, String key, BinaryOperator<String> resolve, List<FieldError> errors) {
        String v = ConnectionParams.text(params, key, errors);
        if (v == null || v.isBlank()) {
            errors.add(new FieldError(ConnectionParams.field(key), "is required"));
            return null;
        }
        return resolve.apply(ConnectionParams.field(key), v);
    }
}
