package io.dih.spi;

import java.util.Map;

/** What the hub gives a connector when it creates one. */
public interface ConnectorContext {
    /**
     * Resolves {@code ${NAME}} references in a connection parameter against the node's environment, so secrets can
     * stay out of the registry. A reference to an unset variable is an {@link InvalidSpecException} naming the field.
     */
    String resolve(String field, String value);

    /** A context over the given environment. */
    static ConnectorContext of(Map<String, String> env) {
        return (field, value) -> {
            if (value == null || !value.startsWith("${") || !value.endsWith("}")) {
                return value;
            }
            String name = value.substring(2, value.length() - 1);
            String resolved = env.get(name);
            if (resolved == null) {
                throw new InvalidSpecException(field, "refers to environment variable " + name + ", which is not set on this node");
            }
            return resolved;
        };
    }
}
