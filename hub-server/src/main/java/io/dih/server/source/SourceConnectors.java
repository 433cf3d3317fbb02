package io.dih.server.source;

import static java.util.Objects.requireNonNull;

import io.dih.api.SourceSpec;
import io.dih.spi.Connector;
import io.dih.spi.ConnectorContext;
import io.dih.spi.ConnectorFactory;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This node's connector of each source, made on first use from the spec as stored and closed when the source changes
 * or goes away.
 */
public final class SourceConnectors implements AutoCloseable {
    private final Connectors factories;
    private final ConnectorContext context;
    /** This node's connectors, with the spec (as stored) each was made from. */
    private final Map<String, Live> live = new ConcurrentHashMap<>();

    private record Live(String json, Connector connector) {
    }

    public SourceConnectors(Connectors factories, Map<String, String> env) {
        this.factories = requireNonNull(factories, "factories is null");
        this.context = ConnectorContext.of(requireNonNull(env, "env is null"));
    }

    public Connectors factories() {
        return factories;
    }

    public ConnectorFactory factory(String sourceType) {
        return factories.factory(sourceType);
    }

    /** A new connector for a spec not stored yet (registration, validation); the caller closes or {@link #adopt}s it. */
    Connector create(SourceSpec spec, ConnectorFactory factory) {
        return factory.create(spec.sourceName(), spec.connectionParams(), context);
    }

    /** Keeps a connector made by {@link #create} as this node's connector of the source just stored. */
    void adopt(SourceSpec spec, Connector connector) {
        Live old = live.put(key(spec.sourceName()), new Live(SourceJson.write(spec), connector));
        if (old != null && old.connector() != connector) {
            old.connector().close();
        }
    }

    /** Forgets (without closing) a connector adopted for a registration that lost a race; the caller closes it. */
    void disown(SourceSpec spec, Connector connector) {
        live.computeIfPresent(key(spec.sourceName()), (k, l) -> l.connector() == connector ? null : l);
    }

    /** This node's connector of a registered source, made now if need be. */
    public Connector connector(SourceSpec spec) {
        return live.computeIfAbsent(key(spec.sourceName()), k -> new Live(SourceJson.write(spec),
                factories.factory(spec.sourceType()).create(spec.sourceName(), spec.connectionParams(), context))).connector();
    }

    /** Closes this node's connector of a source that changed ({@code json}: its new spec) or went away ({@code null}). */
    void changed(String name, String json) {
        Live l = live.get(key(name));
        if (l != null && (json == null || !json.equals(l.json())) && live.remove(key(name), l)) {
            l.connector().close();
        }
    }

    private static String key(String name) {
        return name.toLowerCase(Locale.ROOT);
    }

    @Override
    public void close() {
        live.values().forEach(l -> l.connector().close());
        live.clear();
    }
}
