package io.dih.server.subscribe;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.dih.server.json.Json;
import io.dih.server.registry.Registry;
import io.dih.spi.FieldError;
import io.dih.spi.InvalidSpecException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.ignite.IgniteCache;

/**
 * Which regions have a change journal, with what retention (the registry's {@code journal/<region>} entries), and
 * each journal's {@link JournalMeta}. A journal starts with its region's first subscription, or when an operator
 * configures one ({@code PUT /subscriptions/{region}/journal}); it ends with its region.
 */
final class Journals {
    static final String KIND = "journal";
    /** The most events a journal may keep, and the longest it may keep them. */
    static final int MAX_EVENTS_LIMIT = 10_000_000;
    static final long MAX_AGE_LIMIT_SECONDS = 7 * 24 * 3600;

    private final Registry registry;
    private final IgniteCache<String, JournalMeta> meta;
    private final Retention defaults;

    /**
     * A journal's retention: events beyond the newest {@code maxEvents}, and events older than {@code maxAgeSeconds},
     * are dropped; a subscriber resuming from a dropped position gets a RESYNC. With {@code keep} the journal records
     * while its region exists; without, it is dropped once no node has had a subscriber for {@code maxAgeSeconds}
     * (nothing it holds could serve a resume any more). {@code epoch} names the journal: each start of a journal gets a
     * new one, and its cache is named after it, so a journal dropped and started again never meets its old cache
     * while that is still being destroyed.
     */
    record Retention(@JsonProperty("max_events") int maxEvents, @JsonProperty("max_age_seconds") long maxAgeSeconds,
                     @JsonProperty("keep") boolean keep, @JsonProperty("epoch") String epoch) {
        /** The same retention for the journal named {@code e}. */
        Retention withEpoch(String e) {
            return new Retention(maxEvents, maxAgeSeconds, keep, e);
        }

        /** Checks a requested retention, filling what it leaves out from {@code defaults}. */
        static Retention of(Integer maxEvents, Long maxAgeSeconds, Boolean keep, Retention defaults) {
            List<FieldError> errors = new ArrayList<>();
            int events = maxEvents == null ? defaults.maxEvents() : maxEvents;
            long age = maxAgeSeconds == null ? defaults.maxAgeSeconds() : maxAgeSeconds;
            if (events < 1 || events > MAX_EVENTS_LIMIT) {
                errors.add(new FieldError("max_events", "must be between 1 and " + MAX_EVENTS_LIMIT + ", was " + events));
            }
            if (age < 1 || age > MAX_AGE_LIMIT_SECONDS) {
                errors.add(new FieldError("max_age_seconds", "must be between 1 and " + MAX_AGE_LIMIT_SECONDS + " (a week), was " + age));
            }
            if (!errors.isEmpty()) {
                throw new InvalidSpecException(errors);
            }
            return new Retention(events, age, keep == null || keep, null);
        }
    }

    Journals(Registry registry, IgniteCache<String, JournalMeta> meta, Retention defaults) {
        this.registry = requireNonNull(registry, "registry is null");
        this.meta = requireNonNull(meta, "meta is null");
        this.defaults = requireNonNull(defaults, "defaults is null");
    }

    Retention defaults() {
        return defaults;
    }

    /** The journaled regions, lower-case. */
    Set<String> names() {
        return registry.list(KIND).keySet();
    }

    /** The region's retention, or {@code null} when it has no journal. */
    Retention retention(String region) {
        String json = registry.get(KIND, region);
        return json == null ? null : read(json);
    }

    /** Starts a journal for the region with the default retention, unless it has one. */
    void ensure(String region) {
        if (registry.get(KIND, region) == null) {
            registry.putIfAbsent(KIND, region, write(defaults.withEpoch(Position.newEpoch())));
        }
    }

    /** Starts or reconfigures the region's journal (a running one keeps its epoch). @return whether it was created */
    boolean configure(String region, Retention retention) {
        for (int attempt = 0; attempt < 10; attempt++) {
            String current = registry.get(KIND, region);
            if (current == null) {
                if (registry.putIfAbsent(KIND, region, write(retention.withEpoch(Position.newEpoch()))) == null) {
                    return true;
                }
            } else if (registry.replace(KIND, region, current, write(retention.withEpoch(read(current).epoch())))) {
                return false;
            }
        }
        throw new IllegalStateException("the journal of region '" + region + "' kept changing while it was configured");
    }

    /** Ends the region's journal: the registry entry and the meta. */
    void drop(String region) {
        String current = registry.get(KIND, region);
        if (current != null) {
            registry.remove(KIND, region, current);
        }
        meta.remove(region.toLowerCase(Locale.ROOT));
    }

    JournalMeta meta(String region) {
        return meta.get(region.toLowerCase(Locale.ROOT));
    }

    /** The meta of the journal named {@code epoch}, created (nothing written, not live) if there is none of it. */
    JournalMeta metaOrFresh(String region, String epoch) {
        String key = region.toLowerCase(Locale.ROOT);
        for (int attempt = 0; attempt < 10; attempt++) {
            JournalMeta m = meta.get(key);
            if (m != null && m.epoch().equals(epoch)) {
                return m;
            }
            JournalMeta fresh = JournalMeta.fresh(epoch);
            if (m == null ? meta.putIfAbsent(key, fresh) : meta.replace(key, m, fresh)) { // a dropped journal's is replaced
                return fresh;
            }
        }
        throw new IllegalStateException("the meta of the journal of region '" + region + "' kept changing");
    }

    IgniteCache<String, JournalMeta> metaCache() {
        return meta;
    }

    private static String write(Retention r) {
        try {
            return Json.MAPPER.writeValueAsString(r);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write journal settings", e);
        }
    }

    /** The epoch in a journal's registry entry. */
    static String epochOf(String json) {
        return read(json).epoch();
    }

    private static Retention read(String json) {
        try {
            return Json.STORED.forType(Retention.class).readValue(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the registry holds unreadable journal settings: " + e.getOriginalMessage(), e);
        }
    }
}
