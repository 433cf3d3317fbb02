package io.dih.server.security;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.dih.server.json.Json;
import io.dih.server.registry.Registry;
import io.dih.spi.ConflictException;
import io.dih.spi.FieldError;
import io.dih.spi.InvalidSpecException;
import io.dih.spi.NotFoundException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/** Tenants, kept in the registry (kind {@code tenant}): a name and quotas. Its objects are named {@code <tenant>_...}. */
public final class Tenants {
    public static final String KIND = "tenant";
    /** Lower-case letters and digits, no '_': a tenant's prefix ({@code acme_}) never starts another tenant's. */
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9]{1,30}");

    private final Registry registry;

    public Tenants(Registry registry) {
        this.registry = requireNonNull(registry, "registry is null");
    }

    /**
     * What a tenant may hold; {@code null}: no limit.
     *
     * @param maxRegions       regions it may own
     * @param maxSources       sources it may own
     * @param maxSubscriptions subscriptions its credentials may hold open on one node
     * @param maxEntries       entries its regions may hold before its REST and transaction writes that could add one are refused
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Quotas(@JsonProperty("max_regions") Integer maxRegions,
                         @JsonProperty("max_sources") Integer maxSources,
                         @JsonProperty("max_subscriptions") Integer maxSubscriptions,
                         @JsonProperty("max_entries") Long maxEntries) {
        public static final Quotas NONE = new Quotas(null, null, null, null);

        public Quotas {
            List<FieldError> errors = new ArrayList<>();
            if (maxEntries != null && maxEntries < 0) {
                errors.add(new FieldError("quotas.max_entries", "must be 0 or more, was " + maxEntries));
            }
            check(errors, "quotas.max_regions", maxRegions);
            check(errors, "quotas.max_sources", maxSources);
            check(errors, "quotas.max_subscriptions", maxSubscriptions);
            if (!errors.isEmpty()) {
                throw new InvalidSpecException(errors);
            }
        }

        private static void check(List<FieldError> errors, String field, Integer v) {
            if (v != null && v < 0) {
                errors.add(new FieldError(field, "must be 0 or more, was " + v));
            }
        }
    }

    /** A tenant as registered: the body of {@code POST /tenants} plus when it was made. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Tenant(@JsonProperty("name") String name,
                         @JsonProperty("quotas") Quotas quotas,
                         @JsonProperty("created_at") @JsonFormat(shape = JsonFormat.Shape.STRING) Instant createdAt) {
        public Tenant {
            String problem = name == null ? "must not be empty" : NAME.matcher(name).matches() ? null
                    : "'" + name + "' is not a tenant name: 2 to 31 lower-case letters and digits, starting with a letter (no '_': it ends the "
                    + "tenant's prefix of object names)";
            if (problem != null) {
                throw new InvalidSpecException("name", problem);
            }
            quotas = quotas == null ? Quotas.NONE : quotas;
        }
    }

    /** Registers a tenant: 201 once, the same spec again is a no-op, other quotas under the same name a 409. */
    public Tenant create(Tenant spec) {
        Tenant t = new Tenant(spec.name(), spec.quotas(), Instant.now());
        String existing = registry.putIfAbsent(KIND, t.name(), json(t));
        if (existing == null) {
            return t;
        }
        Tenant there = parse(existing);
        if (!Objects.equals(there.quotas(), t.quotas())) {
            throw new ConflictException("tenant '" + t.name() + "' exists with other quotas; delete it first to change them");
        }
        return there;
    }

    public Tenant get(String name) {
        String json = name == null ? null : registry.get(KIND, name);
        if (json == null) {
            throw new NotFoundException("tenant '" + name + "' does not exist");
        }
        return parse(json);
    }

    public boolean exists(String name) {
        return name != null && registry.get(KIND, name) != null;
    }

    public List<Tenant> list() {
        List<Tenant> out = new ArrayList<>();
        registry.list(KIND).values().forEach(json -> out.add(parse(json)));
        return out;
    }

    /** Removes a tenant's record (the caller made sure it owns nothing and revoked its keys). */
    public void remove(String name) {
        String json = registry.get(KIND, name);
        if (json == null || !registry.remove(KIND, name, json)) {
            throw new NotFoundException("tenant '" + name + "' does not exist");
        }
    }

    private static Tenant parse(String json) {
        try {
            return Json.STORED.forType(Tenant.class).readValue(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tenant record in the registry is not readable: " + e.getOriginalMessage(), e);
        }
    }

    private static String json(Tenant t) {
        try {
            return Json.MAPPER.writeValueAsString(t);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
