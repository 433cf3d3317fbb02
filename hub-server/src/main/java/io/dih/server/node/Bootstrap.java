package io.dih.server.node;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.dih.api.EndpointSpec;
import io.dih.api.RegionSpec;
import io.dih.server.json.Json;
import io.dih.server.query.EndpointService;
import io.dih.server.region.EntryCodec;
import io.dih.server.region.Region;
import io.dih.server.region.RegionService;
import io.dih.spi.ConflictException;
import io.dih.spi.InvalidSpecException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.ignite.Ignite;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The declarative start-up file (GitOps, a ConfigMap on Kubernetes): regions to create, sample entries to seed and
 * templated endpoints to register (after the regions and entries). Applying it is idempotent, so every node applies it at start: regions already registered with the same
 * spec are left alone, and entries are only written where the key is absent, so a restart never overwrites data.
 */
public final class Bootstrap {
    private static final Logger LOG = LoggerFactory.getLogger(Bootstrap.class);
    public static final String CLASSPATH_PREFIX = "classpath:";

    @JsonIgnoreProperties(ignoreUnknown = false)
    record Document(
            @JsonProperty("regions") List<RegionSpec> regions,
            @JsonProperty("entries") Map<String, Map<String, JsonNode>> entries,
            @JsonProperty("endpoints") List<EndpointSpec> endpoints) {
        Document {
            regions = regions == null ? List.of() : regions;
            endpoints = endpoints == null ? List.of() : endpoints;
            entries = entries == null ? Map.of() : new LinkedHashMap<>(entries);
        }
    }

    private final Ignite ignite;
    private final RegionService regions;
    private final EndpointService endpoints;

    public Bootstrap(Ignite ignite, RegionService regions, EndpointService endpoints) {
        this.ignite = requireNonNull(ignite, "ignite is null");
        this.regions = requireNonNull(regions, "regions is null");
        this.endpoints = requireNonNull(endpoints, "endpoints is null");
    }

    /** Reads a bootstrap file: a path, or {@code classpath:dih-config/...} for the files shipped in the jar. */
    static Document read(String location) {
        try (InputStream in = open(location)) {
            return Json.YAML.readValue(in, Document.class);
        } catch (JsonProcessingException e) {
            InvalidSpecException ise = Json.toInvalidSpec(e, "bootstrap");
            throw new InvalidSpecException("bootstrap", location + ": " + ise.getMessage());
        } catch (IOException e) {
            throw new InvalidSpecException("bootstrap", "cannot read " + location + ": " + e.getMessage());
        }
    }

    private static InputStream open(String location) throws IOException {
        if (location.startsWith(CLASSPATH_PREFIX)) {
            InputStream in = Bootstrap.class.getClassLoader().getResourceAsStream(location.substring(CLASSPATH_PREFIX.length()));
            if (in == null) {
                throw new IOException("not on the classpath");
            }
            return in;
        }
        Path p = Path.of(location);
        if (!Files.isRegularFile(p)) {
            throw new IOException("no such file");
        }
        return Files.newInputStream(p);
    }

    public void apply(String location) {
        Document doc = read(location);
        int created = 0;
        for (RegionSpec spec : doc.regions()) {
            try {
                if (regions.create(spec).created()) {
                    created++;
                }
            } catch (ConflictException e) {
                LOG.warn("Bootstrap region {} differs from the registered one; keeping the registered spec: {}", spec.name(), e.getMessage());
            }
        }
        long seeded = 0;
        for (Map.Entry<String, Map<String, JsonNode>> e : doc.entries().entrySet()) {
            Region r = regions.get(e.getKey());
            for (Map.Entry<String, JsonNode> row : e.getValue().entrySet()) {
                String path = "entries." + e.getKey() + "." + row.getKey();
                Object key = EntryCodec.key(r, ignite.binary(), row.getKey());
                if (r.cache().putIfAbsent(key, EntryCodec.value(r, ignite.binary(), key, row.getValue(), path))) {
                    seeded++;
                }
            }
        }
        int newEndpoints = 0;
        for (EndpointSpec spec : doc.endpoints()) {
            try {
                if (endpoints.register(spec).created()) {
                    newEndpoints++;
                }
            } catch (ConflictException e) {
                LOG.warn("Bootstrap endpoint {} differs from the registered one; keeping the registered spec: {}", spec.path(), e.getMessage());
            }
        }
        LOG.info("Applied bootstrap {}: {} regions ({} new), {} entries seeded, {} endpoints ({} new)", location, doc.regions().size(), created,
                seeded, doc.endpoints().size(), newEndpoints);
    }
}
