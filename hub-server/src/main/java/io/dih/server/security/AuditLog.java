package io.dih.server.security;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import io.dih.server.json.Json;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.cache.Cache;
import javax.cache.expiry.CreatedExpiryPolicy;
import javax.cache.expiry.Duration;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.cache.CacheAtomicityMode;
import org.apache.ignite.cache.query.QueryCursor;
import org.apache.ignite.cache.query.ScanQuery;
import org.apache.ignite.configuration.CacheConfiguration;
import org.apache.ignite.lang.IgniteBiPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every admin action and every refused request: appended as one JSON line to {@code audit.log} in the node's work
 * directory (kept for good), and put into {@code dih_audit} (one backup, expiring after the retention) so an admin can
 * query the whole cluster's events over REST. An event names who, which tenant, what, when and the outcome; it never
 * holds a credential or a request body.
 */
public final class AuditLog implements AutoCloseable {
    public static final String CACHE = "dih_audit";
    private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);

    private final IgniteCache<String, String> cache;
    private final String node;
    private final BufferedWriter file;
    private final AtomicLong sequence = new AtomicLong();

    /**
     * One event.
     *
     * @param outcome {@code allowed} (an admin action that succeeded), {@code failed} (one that was refused by the
     *                service: a 4xx/5xx after access was granted), {@code denied} (401, 403, 429)
     * @param detail  why it was denied or failed, in words (never a secret)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Event(@JsonProperty("time") @JsonFormat(shape = JsonFormat.Shape.STRING) Instant time,
                        @JsonProperty("node") String node,
                        @JsonProperty("subject") String subject,
                        @JsonProperty("tenant") String tenant,
                        @JsonProperty("role") String role,
                        @JsonProperty("client") String client,
                        @JsonProperty("action") String action,
                        @JsonProperty("outcome") String outcome,
                        @JsonProperty("status") int status,
                        @JsonProperty("detail") String detail) {
    }

    public AuditLog(Ignite ignite, Path workDir, int retentionDays) {
        requireNonNull(ignite, "ignite is null");
        CacheConfiguration<String, String> cc = new CacheConfiguration<String, String>(CACHE)
                .setBackups(1)
                .setAtomicityMode(CacheAtomicityMode.ATOMIC);
        this.cache = ignite.getOrCreateCache(cc).withExpiryPolicy(new CreatedExpiryPolicy(new Duration(TimeUnit.DAYS, retentionDays)));
        this.node = ignite.name();
        BufferedWriter w = null;
        try {
            Files.createDirectories(workDir);
            w = Files.newBufferedWriter(workDir.resolve("audit.log"), StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            LOG.error("The audit file in {} cannot be written ({}); audit events go to the cluster's audit cache only", workDir, e.toString());
        }
        this.file = w;
    }

    /** Records an event made on this node. */
    public void record(Principal who, String client, String action, String outcome, int status, String detail) {
        Event e = new Event(Instant.now(), node, who == null ? null : who.subject(), who == null ? null : who.tenant(),
                who == null ? null : who.role().wireName(), client, action, outcome, status, detail);
        String json;
        try {
            json = Json.MAPPER.writeValueAsString(e);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
        if (file != null) {
            synchronized (file) {
                try {
                    file.write(json);
                    file.newLine();
                    file.flush();
                } catch (IOException ex) {
                    LOG.warn("Writing the audit file failed: {}", ex.toString());
                }
            }
        }
        try {
            // time first, so keys sort by time; node and a counter make them unique
            cache.put(String.format("%019d/%s/%d", e.time().toEpochMilli(), node, sequence.incrementAndGet()), json);
        } catch (RuntimeException ex) {
            LOG.warn("Putting an audit event into {} failed (it is in the audit file): {}", CACHE, ex.toString());
        }
    }

    /**
     * The newest events at or after {@code since} (null: all kept), of one tenant ({@code null}: every tenant and the
     * operator's) with one outcome ({@code null}: any), newest first, at most {@code limit}.
     */
    public List<Event> query(Instant since, String tenant, boolean tenantOnly, String outcome, int limit) {
        String from = since == null ? "" : String.format("%019d", since.toEpochMilli());
        List<Event> out = new ArrayList<>();
        IgniteBiPredicate<String, String> filter = new SinceFilter(from);
        try (QueryCursor<Cache.Entry<String, String>> cur = cache.query(new ScanQuery<>(filter))) {
            for (Cache.Entry<String, String> entry : cur) {
                Event e = Json.STORED.forType(Event.class).readValue(entry.getValue());
                if (tenantOnly && !Objects.equals(tenant, e.tenant())) {
                    continue;
                }
                if (outcome != null && !outcome.equals(e.outcome())) {
                    continue;
                }
                out.add(e);
            }
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException("an audit event is not readable: " + ex.getOriginalMessage(), ex);
        }
        out.sort(Comparator.comparing(Event::time).reversed());
        return out.size() > limit ? out.subList(0, limit) : out;
    }

    /** Keys at or after a time (shipped to the nodes that hold the events: a class, Ignite's marshaller builds no records). */
    private static final class SinceFilter implements IgniteBiPredicate<String, String> {
        private static final long serialVersionUID = 1L;
        private final String from;

        SinceFilter(String from) {
            this.from = from;
        }

        @Override
        public boolean apply(String key, String value) {
            return key.compareTo(from) >= 0;
        }
    }

    @Override
    public void close() {
        if (file != null) {
            synchronized (file) {
                try {
                    file.close();
                } catch (IOException e) {
                    LOG.debug("closing the audit file failed", e);
                }
            }
        }
    }
}
