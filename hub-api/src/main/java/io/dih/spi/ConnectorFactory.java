package io.dih.spi;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Makes connectors of one source type. Registered in {@code META-INF/services/io.dih.spi.ConnectorFactory} and
 * found by the hub through {@link java.util.ServiceLoader}; the hub never imports a connector class.
 */
public interface ConnectorFactory {
    /** The {@code source_type} this factory serves, lower case: {@code postgresql}. */
    String type();

    /** Other accepted spellings of the type ({@code s3} for {@code minio}). */
    default Set<String> aliases() {
        return Set.of();
    }

    /** What every connector of this type can do. */
    Set<Capability> capabilities();

    /** Connection parameters that are secrets: never returned, logged or shown in errors. */
    Set<String> secretKeys();

    /**
     * Checks connection parameters without connecting and without throwing: one error per offending field, named
     * {@code connection_params.<key>}. An empty list means the parameters are well-formed.
     */
    List<FieldError> validate(Map<String, Object> connectionParams);

    /**
     * Creates a connector; may connect eagerly. Called by the hub when a source is registered or a node starts serving
     * it.
     *
     * @throws InvalidSpecException when the parameters are invalid
     * @throws UnavailableException when the source cannot be reached
     */
    Connector create(String sourceName, Map<String, Object> connectionParams, ConnectorContext context);
}
