package io.dih.server.source;

import io.dih.spi.ConnectorFactory;
import io.dih.spi.InvalidSpecException;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** The connector factories on the classpath, found through {@link ServiceLoader}, by source type and alias. */
public final class Connectors {
    private final Map<String, ConnectorFactory> byType = new TreeMap<>();

    public Connectors() {
        this(ServiceLoader.load(ConnectorFactory.class));
    }

    Connectors(Iterable<ConnectorFactory> factories) {
        for (ConnectorFactory f : factories) {
            byType.put(f.type().toLowerCase(Locale.ROOT), f);
            f.aliases().forEach(a -> byType.putIfAbsent(a.toLowerCase(Locale.ROOT), f));
        }
    }

    /** The factory for a {@code source_type}, or an error listing the types this hub knows. */
    public ConnectorFactory factory(String type) {
        ConnectorFactory f = type == null ? null : byType.get(type.toLowerCase(Locale.ROOT));
        if (f == null) {
            throw new InvalidSpecException("source_type", "'" + type + "' is not a source type this hub knows; known: " + byType.keySet());
        }
        return f;
    }

    public java.util.Set<String> types() {
        return byType.keySet();
    }
}
