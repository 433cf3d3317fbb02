package io.dih.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.dih.spi.FieldError;
import io.dih.spi.InvalidSpecException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A templated API endpoint: a named, parameterised SELECT over cache regions whose answers are cached. The JSON shape
 * is seed 004's {@code POST /api/v1/dih/api-endpoints} body plus {@code parameters} and {@code max_rows}.
 *
 * <p>{@code {name}} placeholders in the template (also written {@code '{name}'}, in quotes) are bound as SQL
 * parameters, never substituted into the text. The compact constructor checks the shape of every field; whether the
 * template is one valid SELECT over existing regions is checked by the server at registration.
 *
 * @param path            how the endpoint is called: {@code POST /api/v1/dih/query/{path}}; one or more segments of
 *                        letters, digits, {@code _ . -} separated by {@code /} (leading and trailing slashes are
 *                        dropped; names ignore case)
 * @param cacheRegions    every region the template reads; a change to any of them drops the cached answers
 * @param queryTemplate   one SELECT with {@code {name}} placeholders
 * @param cacheKeyPattern the cache key of one answer, e.g. {@code session:{token}}; it must name every placeholder of
 *                        the template. Omitted: the endpoint's path and every parameter
 * @param ttlSeconds      how long an answer is served from the cache (0: never cached); 60 when omitted
 * @param parameters      type, required and default of each placeholder; a placeholder not listed is a required
 *                        VARCHAR
 * @param maxRows         at most this many rows per answer ({@code truncated: true} beyond); 1000 when omitted
 */
@JsonIgnoreProperties(ignoreUnknown = false)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EndpointSpec(
        @JsonProperty("path") String path,
        @JsonProperty("cache_regions") List<String> cacheRegions,
        @JsonProperty("query_template") String queryTemplate,
        @JsonProperty("cache_key_pattern") String cacheKeyPattern,
        @JsonProperty("ttl_seconds") Long ttlSeconds,
        @JsonProperty("parameters") Map<String, Parameter> parameters,
        @JsonProperty("max_rows") Integer maxRows) {

    public static final long DEFAULT_TTL_SECONDS = 60;
    public static final int DEFAULT_MAX_ROWS = 1000;
    public static final int MAX_MAX_ROWS = 100_000;
    public static final long MAX_TTL_SECONDS = 7L * 24 * 3600;
    public static final int MAX_PATH_LENGTH = 200;
    /** The last segment {@code GET /api-endpoints/{path}/stats} uses; no endpoint path ends with it. */
    public static final String STATS_SEGMENT = "stats";

    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9_.-]*");
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /**
     * One placeholder's declaration.
     *
     * @param type         the SQL type the value is converted to (VARCHAR when omitted)
     * @param required     whether a call must give it (true when omitted and there is no default)
     * @param defaultValue the value bound when a call leaves it out
     */
    @JsonIgnoreProperties(ignoreUnknown = false)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Parameter(
            @JsonProperty("type") SqlType type,
            @JsonProperty("required") Boolean required,
            @JsonProperty("default") Object defaultValue) {

        public Parameter {
            if (Boolean.TRUE.equals(required) && defaultValue != null) {
                throw new InvalidSpecException("required", "a required parameter cannot have a default; drop one of them");
            }
        }

        /** The declaration with its gaps filled: VARCHAR, required unless it has a default. */
        public Parameter normalize() {
            return new Parameter(type == null ? SqlType.VARCHAR : type, required == null ? defaultValue == null : required, defaultValue);
        }
    }

    public EndpointSpec {
        List<FieldError> errors = new ArrayList<>();
        path = checkPath(errors, path);
        if (cacheRegions == null || cacheRegions.isEmpty()) {
            errors.add(new FieldError("cache_regions", "name at least one region the template reads"));
            cacheRegions = List.of();
        } else {
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < cacheRegions.size(); i++) {
                String r = cacheRegions.get(i);
                String p = Names.problem(r);
                if (p != null) {
                    errors.add(new FieldError("cache_regions[" + i + "]", p));
                } else if (!seen.add(r.toLowerCase(Locale.ROOT))) {
                    errors.add(new FieldError("cache_regions[" + i + "]", "'" + r + "' is listed twice"));
                }
            }
            cacheRegions = List.copyOf(cacheRegions);
        }
        if (queryTemplate == null || queryTemplate.isBlank()) {
            errors.add(new FieldError("query_template", "is required: one SELECT with {name} placeholders"));
        }
        if (cacheKeyPattern != null && cacheKeyPattern.isBlank()) {
            errors.add(new FieldError("cache_key_pattern", "must not be blank; omit it to key answers by every parameter"));
        }
        if (ttlSeconds != null && (ttlSeconds < 0 || ttlSeconds > MAX_TTL_SECONDS)) {
            errors.add(new FieldError("ttl_seconds", "must be from 0 (never cached) to " + MAX_TTL_SECONDS + " seconds, was " + ttlSeconds));
        }
        if (maxRows != null && (maxRows < 1 || maxRows > MAX_MAX_ROWS)) {
            errors.add(new FieldError("max_rows", "must be from 1 to " + MAX_MAX_ROWS + ", was " + maxRows));
        }
        if (parameters != null) {
            Set<String> seen = new HashSet<>();
            for (Map.Entry<String, Parameter> e : parameters.entrySet()) {
                if (!IDENTIFIER.matcher(e.getKey()).matches()) {
                    errors.add(new FieldError("parameters." + e.getKey(), "a parameter name is letters, digits and '_', not starting with a digit"));
                } else if (!seen.add(e.getKey().toLowerCase(Locale.ROOT))) {
                    errors.add(new FieldError("parameters." + e.getKey(), "is declared twice (names ignore case)"));
                }
                if (e.getValue() == null) {
                    errors.add(new FieldError("parameters." + e.getKey(), "must be an object: {\"type\": ..., \"required\": ..., \"default\": ...}"));
                }
            }
            parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
        }
        if (!errors.isEmpty()) {
            throw new InvalidSpecException(errors);
        }
    }

    private static String checkPath(List<FieldError> errors, String path) {
        if (path == null || path.isBlank()) {
            errors.add(new FieldError("path", "is required, e.g. session/validate"));
            return path;
        }
        String p = path.trim();
        while (p.startsWith("/")) {
            p = p.substring(1);
        }
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        if (p.isEmpty() || p.length() > MAX_PATH_LENGTH) {
            errors.add(new FieldError("path", "must have 1 to " + MAX_PATH_LENGTH + " characters besides slashes"));
            return p;
        }
        String[] segments = p.split("/", -1);
        for (String s : segments) {
            if (!SEGMENT.matcher(s).matches()) {
                errors.add(new FieldError("path", "'" + path + "': each segment is letters, digits, '_', '.' or '-' (not starting with '.'), "
                        + "separated by single slashes; parameters go in the body or the query string, not in the path"));
                return p;
            }
        }
        if (segments[segments.length - 1].equalsIgnoreCase(STATS_SEGMENT)) {
            errors.add(new FieldError("path", "must not end with /" + STATS_SEGMENT + " (GET /api-endpoints/{path}/stats uses it)"));
        }
        return p;
    }

    /** The spec with defaults filled in: ttl 60 s, max_rows 1000, each parameter's type and required. */
    public EndpointSpec normalize() {
        Map<String, Parameter> params = new LinkedHashMap<>();
        if (parameters != null) {
            parameters.forEach((k, v) -> params.put(k, v.normalize()));
        }
        return new EndpointSpec(path, cacheRegions, queryTemplate, cacheKeyPattern,
                ttlSeconds == null ? DEFAULT_TTL_SECONDS : ttlSeconds, params.isEmpty() ? null : params,
                maxRows == null ? DEFAULT_MAX_ROWS : maxRows);
    }

    /** The declaration of a placeholder (names ignore case), or {@code null}. */
    public Parameter parameter(String name) {
        if (parameters != null) {
            for (Map.Entry<String, Parameter> e : parameters.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name)) {
                    return e.getValue();
                }
            }
        }
        return null;
    }
}
