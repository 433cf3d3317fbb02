package io.dih.server.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.dih.spi.FieldError;
import io.dih.spi.InvalidSpecException;
import java.util.ArrayList;
import java.util.List;

/** The hub's JSON and YAML mappers, and the translation of their errors into field errors. */
public final class Json {
    /**
     * JSON as users write it: {@code #} and {@code //} comments are allowed, so seed 004's annotated bodies
     * ({@code "create": 3600,  # 1 hour}) are accepted verbatim; unknown fields are errors.
     */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_YAML_COMMENTS, JsonReadFeature.ALLOW_JAVA_COMMENTS)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN) // 1500, never 1.5E+3
            .addModule(new JavaTimeModule())
            .build();

    /**
     * JSON the hub stored itself (the registry, its caches): written by this version or by a newer one during a
     * rolling upgrade, so a property this version does not know is skipped rather than making the record unreadable.
     */
    public static final ObjectReader STORED = MAPPER.reader().without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);

    private Json() {
    }

    /** The path of the field a mapping error is about, as the user wrote it: {@code expiry_policy.create}. */
    public static String fieldPath(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                if (sb.length() > 0) {
                    sb.append('.');
                }
                sb.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    /**
     * Turns a parse or mapping error into field errors. An {@link InvalidSpecException} raised inside a record's
     * constructor keeps its own fields, prefixed with where that record sits in the document.
     *
     * @param root the name to use when the error is about the document as a whole, e.g. "body"
     */
    public static InvalidSpecException toInvalidSpec(JsonProcessingException e, String root) {
        if (!(e instanceof JsonMappingException jme)) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            return new InvalidSpecException(root, "malformed JSON" + where + ": " + e.getOriginalMessage());
        }
        String path = fieldPath(jme);
        Throwable cause = jme.getCause();
        while (cause != null && !(cause instanceof InvalidSpecException) && cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        if (cause instanceof InvalidSpecException ise) {
            String prefix = path;
            List<FieldError> errors = new ArrayList<>();
            for (FieldError fe : ise.errors()) {
                errors.add(new FieldError(prefix.isEmpty() || fe.field().startsWith(prefix) ? fe.field() : prefix + "." + fe.field(), fe.message()));
            }
            return new InvalidSpecException(errors);
        }
        String field = path.isEmpty() ? root : path;
        if (jme instanceof UnrecognizedPropertyException upe) {
            return new InvalidSpecException(field, "unknown field '" + upe.getPropertyName() + "'; known fields: " + upe.getKnownPropertyIds());
        }
        if (cause instanceof IllegalArgumentException iae && iae.getMessage() != null) {
            return new InvalidSpecException(field, iae.getMessage());
        }
        String msg = jme.getOriginalMessage();
        if (msg != null && msg.startsWith("Cannot deserialize value of type")) {
            msg = simplifyTypeMessage(msg);
        }
        return new InvalidSpecException(field, msg == null ? "invalid value" : msg);
    }

    private static String simplifyTypeMessage(String msg) {
        // "Cannot deserialize value of type `java.lang.Integer` from String "x": not a valid `java.lang.Integer` value"
        int from = msg.indexOf(" from ");
        String type = msg.substring("Cannot deserialize value of type ".length(), from < 0 ? msg.length() : from).replace("`", "");
        String simple = type.substring(type.lastIndexOf('.') + 1);
        String what = switch (simple) {
            case "Integer", "int", "Long", "long" -> "an integer";
            case "Boolean", "boolean" -> "true or false";
            case "String" -> "a string";
            case "ArrayList", "List" -> "a list";
            case "LinkedHashMap", "Map" -> "an object";
            default -> "a valid " + simple;
        };
        String got = from < 0 ? "" : msg.substring(from + 6).split(":")[0].trim();
        return "must be " + what + (got.isEmpty() ? "" : ", got " + got);
    }
}
