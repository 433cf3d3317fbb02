package io.dih.server.query;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.dih.api.EndpointSpec;
import io.dih.server.json.Json;
import io.dih.server.region.ColumnValues;
import io.dih.spi.FieldError;
import io.dih.spi.InvalidSpecException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An endpoint ready to run: its normalized spec, its template as SQL with {@code ?}, and each placeholder's
 * declaration. Checks everything about the spec that needs no cluster (placeholders, declarations, defaults, the
 * cache key pattern); {@link #bind} turns a call's parameters into the SQL arguments and the answer's cache key.
 */
public final class CompiledEndpoint {
    private static final Pattern KEY_PLACEHOLDER = Pattern.compile("\\{([^{}]*)}");

    private final EndpointSpec spec;
    private final SqlTemplate template;
    /** Lower-case placeholder name to its declaration (normalized) and converted default. */
    private final Map<String, Declared> params;

    private record Declared(String name, EndpointSpec.Parameter parameter, Object defaultValue) {
    }

    /** One call's SQL arguments (in placeholder order) and the cache key of its answer. */
    public record Bound(Object[] args, String cacheKey) {
    }

    public CompiledEndpoint(EndpointSpec spec) {
        this.spec = requireNonNull(spec, "spec is null").normalize();
        this.template = SqlTemplate.parse(this.spec.queryTemplate());
        List<FieldError> errors = new ArrayList<>();
        Map<String, Declared> declared = new LinkedHashMap<>();
        for (String name : template.names()) {
            String key = name.toLowerCase(Locale.ROOT);
            if (declared.containsKey(key)) {
                continue;
            }
            EndpointSpec.Parameter p = this.spec.parameter(name);
            p = p == null ? new EndpointSpec.Parameter(null, null, null).normalize() : p;
            Object dflt = null;
            if (p.defaultValue() != null) {
                try {
                    dflt = ColumnValues.convert("parameters." + name + ".default", p.type(), Json.MAPPER.valueToTree(p.defaultValue()));
                } catch (InvalidSpecException e) {
                    errors.addAll(e.errors());
                }
            }
            declared.put(key, new Declared(name, p, dflt));
        }
        if (this.spec.parameters() != null) {
            for (String name : this.spec.parameters().keySet()) {
                if (!declared.containsKey(name.toLowerCase(Locale.ROOT))) {
                    errors.add(new FieldError("parameters." + name, "is not used by the template; its placeholders are " + template.names()));
                }
            }
        }
        if (this.spec.cacheKeyPattern() != null) {
            Set<String> inKey = new java.util.HashSet<>();
            Matcher m = KEY_PLACEHOLDER.matcher(this.spec.cacheKeyPattern());
            while (m.find()) {
                String name = m.group(1).toLowerCase(Locale.ROOT);
                if (!declared.containsKey(name)) {
                    errors.add(new FieldError("cache_key_pattern", "{" + m.group(1) + "} is not a placeholder of the template; they are " + template.names()));
                }
                inKey.add(name);
            }
            for (Declared d : declared.values()) {
                if (!inKey.contains(d.name().toLowerCase(Locale.ROOT))) {
                    errors.add(new FieldError("cache_key_pattern", "must name {" + d.name() + "}: else calls with different "
                            + d.name() + " values would share one cached answer"));
                }
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidSpecException(errors);
        }
        this.params = declared;
    }

    public EndpointSpec spec() {
        return spec;
    }

    public SqlTemplate template() {
        return template;
    }

    /**
     * A harmless value of its declared type for every placeholder: enough to compile the template (Ignite refuses
     * nulls where it derives partitions from a key).
     */
    public Object[] sampleArgs() {
        Object[] args = new Object[template.placeholders().size()];
        for (int i = 0; i < args.length; i++) {
            args[i] = sample(params.get(template.placeholders().get(i).toLowerCase(Locale.ROOT)).parameter().type());
        }
        return args;
    }

    private static Object sample(io.dih.api.SqlType type) {
        return switch (type) {
            case VARCHAR -> "0";
            case BOOLEAN -> Boolean.FALSE;
            case TINYINT -> (byte) 0;
            case SMALLINT -> (short) 0;
            case INT -> 0;
            case BIGINT -> 0L;
            case REAL -> 0f;
            case DOUBLE -> 0d;
            case DECIMAL -> java.math.BigDecimal.ZERO;
            case DATE -> java.sql.Date.valueOf("1970-01-01");
            case TIME -> java.sql.Time.valueOf("00:00:00");
            case TIMESTAMP -> new java.sql.Timestamp(0);
            case UUID -> new java.util.UUID(0, 0);
            case BINARY -> new byte[0];
        };
    }

    /**
     * Converts a call's parameters (JSON values; a query string's are text) to the placeholders' types. A missing
     * required parameter, a value that does not convert and a parameter the template does not have are each a 400
     * naming it.
     */
    public Bound bind(Map<String, JsonNode> given) {
        List<FieldError> errors = new ArrayList<>();
        Map<String, Object> values = new TreeMap<>();
        Map<String, String> seen = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : given.entrySet()) {
            String key = e.getKey().toLowerCase(Locale.ROOT);
            Declared d = params.get(key);
            if (d == null) {
                errors.add(new FieldError(e.getKey(), "is not a parameter of endpoint '" + spec.path() + "'; it takes "
                        + params.values().stream().map(Declared::name).toList()));
                continue;
            }
            if (seen.put(key, e.getKey()) != null) {
                errors.add(new FieldError(e.getKey(), "is given twice"));
                continue;
            }
            JsonNode v = e.getValue();
            if (v == null || v.isNull()) {
                continue;
            }
            try {
                values.put(key, ColumnValues.convert(d.name(), d.parameter().type(), v));
            } catch (InvalidSpecException ex) {
                errors.addAll(ex.errors());
            }
        }
        for (Map.Entry<String, Declared> e : params.entrySet()) {
            Declared d = e.getValue();
            if (!values.containsKey(e.getKey()) && !errors.stream().anyMatch(fe -> fe.field().equalsIgnoreCase(d.name()))) {
                if (d.defaultValue() != null) {
                    values.put(e.getKey(), d.defaultValue());
                } else if (Boolean.TRUE.equals(d.parameter().required())) {
                    errors.add(new FieldError(d.name(), "is required (" + d.parameter().type() + ")"));
                }
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidSpecException(errors);
        }
        Object[] args = new Object[template.placeholders().size()];
        for (int i = 0; i < args.length; i++) {
            args[i] = values.get(template.placeholders().get(i).toLowerCase(Locale.ROOT));
        }
        return new Bound(args, cacheKey(values));
    }

    /** Bound values from a query string: each value as JSON text, converted by its declared type. */
    public static Map<String, JsonNode> fromQueryString(Map<String, List<String>> query) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> e : query.entrySet()) {
            if (e.getValue().size() != 1) {
                throw new InvalidSpecException(e.getKey(), "is given " + e.getValue().size() + " times; give it once");
            }
            out.put(e.getKey(), JsonNodeFactory.instance.textNode(e.getValue().get(0)));
        }
        return out;
    }

    private String cacheKey(Map<String, Object> values) {
        if (spec.cacheKeyPattern() == null) {
            StringBuilder sb = new StringBuilder(spec.path());
            values.forEach((k, v) -> sb.append(':').append(k).append('=').append(encode(v)));
            return sb.toString();
        }
        Matcher m = KEY_PLACEHOLDER.matcher(spec.cacheKeyPattern());
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(sb, Matcher.quoteReplacement(encode(values.get(m.group(1).toLowerCase(Locale.ROOT)))));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    /** A value as it appears in a cache key: percent-encoded, so no value can look like another key's separators. */
    private static String encode(Object v) {
        if (v == null) {
            return "\u2205"; // null, distinct from every encoded text
        }
        String text = v instanceof byte[] b ? java.util.Base64.getEncoder().encodeToString(b) : v.toString();
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}
