package io.dih.server.metrics;

import static java.util.Objects.requireNonNull;

import io.dih.server.region.Region;
import io.dih.server.subscribe.Subscriptions;
import io.dih.server.region.RegionService;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ObjLongConsumer;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.ignite.DataRegionMetrics;
import org.apache.ignite.Ignite;
import org.apache.ignite.cache.CachePeekMode;

/**
 * The node's metrics in Prometheus form: requests per route, this node's share of every region, off-heap memory
 * per data region, and the JVM. Region and memory gauges are read when scraped; each node reports its own
 * primary entries, so summing over nodes gives the cluster's totals.
 */
public final class HubMetrics implements AutoCloseable {
    /** The latency buckets of {@code dih_http_requests_seconds}: 1 ms to 30 s. */
    static final Duration[] REQUEST_BUCKETS = Stream.of(1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000)
            .map(ms -> Duration.ofNanos((long) (ms.doubleValue() * 1_000_000))).toArray(Duration[]::new);

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Ignite ignite;
    private final RegionService regions;
    private final MultiGauge regionEntries;
    private final MultiGauge regionBackupEntries;
    private final MultiGauge memoryUsed;
    private final MultiGauge memoryMax;
    private volatile Subscriptions subscriptions;
    private MultiGauge subscriptionsOpen;
    private MultiGauge subscriptionsSlow;
    private MultiGauge journalEvents;
    private MultiGauge subscriptionEventsSent;
    private final io.dih.server.sync.SyncEngine sync;
    private final Map<String, MultiGauge> syncGauges = new LinkedHashMap<>();
    private final JvmGcMetrics gc = new JvmGcMetrics();

    public HubMetrics(Ignite ignite, RegionService regions, io.dih.server.sync.SyncEngine sync) {
        this.ignite = requireNonNull(ignite, "ignite is null");
        this.regions = requireNonNull(regions, "regions is null");
        this.sync = requireNonNull(sync, "sync is null");
        String cluster = " (cluster-wide: every node reports the same value)";
        syncGauge("dih.write.behind.pending", "Writes of a WRITE_BEHIND region waiting to reach its source" + cluster);
        syncGauge("dih.write.behind.oldest.pending.seconds", "Age of a WRITE_BEHIND region's oldest pending write" + cluster);
        syncGauge("dih.write.behind.flushed", "Writes a WRITE_BEHIND region has sent to its source, in total" + cluster);
        syncGauge("dih.write.behind.writes.per.second", "Writes/s a WRITE_BEHIND region sends to its source (10 s average)" + cluster);
        syncGauge("dih.write.behind.retries", "Failed flushes of a WRITE_BEHIND region (source down), in total" + cluster);
        syncGauge("dih.write.behind.dead.letters", "Writes a WRITE_BEHIND region's source refused, kept as dead letters" + cluster);
        sync.cdc().onLag(lagTimer("dih.cdc.lag", "CDC: source commit to visible in the region, per change applied on this node"));
        syncGauge("dih.cdc.state", "A CDC source's engine state: 1 on the row tagged with its current state (STARTING, SNAPSHOT, STREAMING, RETRYING, PAUSED, STOPPED)" + cluster);
        syncGauge("dih.cdc.events", "Changes a CDC source's engine has applied, in total (snapshot rows included)" + cluster);
        syncGauge("dih.cdc.events.per.second", "Changes/s a CDC source's engine applies (10 s average)" + cluster);
        syncGauge("dih.cdc.snapshot.rows", "Rows a CDC source's snapshot has copied" + cluster);
        syncGauge("dih.cdc.snapshot.percent", "A CDC source's snapshot progress, 0-100 (absent while the row count is unknown)" + cluster);
        syncGauge("dih.cdc.lag.last.seconds", "Source commit to visible in the region, of the last change a CDC source applied" + cluster);
        sync.streams().onLag(lagTimer("dih.stream.lag", "STREAM: message time to visible in the region, per message applied on this node"));
        syncGauge("dih.stream.state", "A STREAM source's state: 1 on the row tagged with it (RUNNING, RETRYING, STARTING, PAUSED, STOPPED)" + cluster);
        syncGauge("dih.stream.messages", "Messages a STREAM source's consumers have applied, in total" + cluster);
        syncGauge("dih.stream.messages.per.second", "Messages/s a STREAM source's consumers apply (10 s average, all nodes)" + cluster);
        syncGauge("dih.stream.backlog", "Messages of a STREAM source's group not yet consumed, per partition (Kafka: end - committed offset; "
                + "Pulsar: the subscription's backlog)" + cluster);
        syncGauge("dih.stream.dead.letters", "Messages of a STREAM source its regions could not take" + cluster);
        syncGauge("dih.refresh.ahead.refreshes", "Background refreshes of a REFRESH_AHEAD region's entries by this node");
        syncGauge("dih.refresh.ahead.failures", "Failed background refreshes by this node");
        syncGauge("dih.refresh.ahead.misses.avoided", "Reads on this node that found an entry which would have expired without a refresh");
        syncGauge("dih.refresh.ahead.deferred", "Refreshes this node put off to a later round (rate or concurrency bound)");
        registry.config().commonTags("node", ignite.name() == null ? "default" : ignite.name());
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        regionEntries = MultiGauge.builder("dih.region.entries")
                .description("Primary entries of a region held by this node").register(registry);
        regionBackupEntries = MultiGauge.builder("dih.region.backup.entries")
                .description("Backup entries of a region held by this node").register(registry);
        memoryUsed = MultiGauge.builder("dih.offheap.used").baseUnit("bytes")
                .description("Off-heap memory in use per data region on this node").register(registry);
        memoryMax = MultiGauge.builder("dih.offheap.max").baseUnit("bytes")
                .description("Off-heap memory limit per data region on this node").register(registry);
    }

    /**
     * Records a feed's lags per source into a timer with percentiles; the timer of a source is looked up once, not on
     * every change (this runs for each change or message applied).
     */
    private ObjLongConsumer<String> lagTimer(String name, String description) {
        Map<String, Timer> bySource = new ConcurrentHashMap<>();
        return (source, lagMillis) -> bySource.computeIfAbsent(source, s -> Timer.builder(name)
                .description(description)
                .tag("source", s)
                .publishPercentiles(0.5, 0.99)
                .publishPercentileHistogram()
                .register(registry))
                .record(lagMillis, TimeUnit.MILLISECONDS);
    }

    private void syncGauge(String name, String description) {
        syncGauges.put(name, MultiGauge.builder(name).description(description).register(registry));
    }

    /**
     * Reports subscriptions: {@code dih_subscriptions_open} and {@code dih_subscriptions_slow_disconnects} per region
     * on this node, {@code dih_subscription_events_sent} per region on this node, {@code dih_journal_events} per journaled
     * region (cluster-wide), and the
     * {@code dih_subscription_delivery_lag} timer (journal receipt of a change → sent to a subscriber).
     */
    public synchronized void watchSubscriptions(Subscriptions subs) {
        this.subscriptions = requireNonNull(subs, "subs is null");
        subscriptionsOpen = MultiGauge.builder("dih.subscriptions.open").description("Subscriptions open on this node, per region").register(registry);
        subscriptionsSlow = MultiGauge.builder("dih.subscriptions.slow.disconnects")
                .description("Subscribers this node closed as too slow, per region, in total").register(registry);
        subscriptionEventsSent = MultiGauge.builder("dih.subscription.events.sent")
                .description("Events this node has sent to subscribers, per region, in total").register(registry);
        journalEvents = MultiGauge.builder("dih.journal.events")
                .description("Events a region's change journal keeps (cluster-wide: every node reports the same value)").register(registry);
        subs.observeLag((region, millis) -> Timer.builder("dih.subscription.delivery.lag")
                .description("A change's receipt by the journal to its sending to a subscriber, per event sent by this node")
                .tag("region", region)
                .publishPercentiles(0.5, 0.99)
                .publishPercentileHistogram()
                .register(registry)
                .record(Math.max(0, millis), TimeUnit.MILLISECONDS));
    }

    private void refreshSubscriptions() {
        Subscriptions subs = subscriptions;
        if (subs == null) {
            return;
        }
        List<MultiGauge.Row<?>> open = new ArrayList<>();
        subs.openByRegion().forEach((r, n) -> open.add(MultiGauge.Row.of(Tags.of("region", r), n)));
        subscriptionsOpen.register(open, true);
        List<MultiGauge.Row<?>> slow = new ArrayList<>();
        subs.slowDisconnects().forEach((r, n) -> slow.add(MultiGauge.Row.of(Tags.of("region", r), n)));
        subscriptionsSlow.register(slow, true);
        List<MultiGauge.Row<?>> sentRows = new ArrayList<>();
        subs.eventsSent().forEach((r, n) -> sentRows.add(MultiGauge.Row.of(Tags.of("region", r), n)));
        subscriptionEventsSent.register(sentRows, true);
        List<MultiGauge.Row<?>> events = new ArrayList<>();
        subs.journalSizes().forEach((r, n) -> events.add(MultiGauge.Row.of(Tags.of("region", r), n)));
        journalEvents.register(events, true);
    }

    /** Registers a gauge of this node read at every scrape. */
    public void gauge(String name, String description, Supplier<Number> value) {
        Gauge.builder(name, value).description(description).register(registry);
    }

    /**
     * Records one handled HTTP request; {@code route} is the matched path template, not the raw path. A histogram with
     * fixed buckets ({@link #REQUEST_BUCKETS}), so that percentiles can be taken over several nodes in Prometheus
     * ({@code histogram_quantile} over {@code dih_http_requests_seconds_bucket}); a few buckets, as there is a series
     * per route, method and status.
     */
    public void recordRequest(String method, String route, int status, float millis) {
        Timer.builder("dih.http.requests")
                .description("REST gateway requests")
                .tags("method", method, "route", route, "status", Integer.toString(status))
                .serviceLevelObjectives(REQUEST_BUCKETS)
                .register(registry)
                .record((long) (millis * 1_000_000), TimeUnit.NANOSECONDS);
    }

    /**
     * Records one endpoint call: {@code dih_endpoint_calls_total}, {@code dih_endpoint_hits_total},
     * {@code dih_endpoint_misses_total}, {@code dih_endpoint_errors_total} and the {@code dih_endpoint_latency} timer, each
     * tagged with the endpoint's path.
     */
    public void recordEndpointCall(String endpoint, io.dih.server.query.EndpointObserver.Outcome outcome, long nanos) {
        registry.counter("dih.endpoint.calls", "endpoint", endpoint).increment();
        String kind = switch (outcome) {
            case HIT -> "dih.endpoint.hits";
            case MISS -> "dih.endpoint.misses";
            case ERROR -> "dih.endpoint.errors";
        };
        registry.counter(kind, "endpoint", endpoint).increment();
        Timer.builder("dih.endpoint.latency")
                .description("Templated endpoint calls on this node, cache hits and misses")
                .tag("endpoint", endpoint)
                .publishPercentiles(0.5, 0.99)
                .register(registry)
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /** The Prometheus text exposition, with region and memory gauges read now. */
    public String scrape() {
        refresh();
        return registry.scrape();
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    private void refresh() {
        List<MultiGauge.Row<?>> primary = new ArrayList<>();
        List<MultiGauge.Row<?>> backup = new ArrayList<>();
        for (Region r : regions.regions()) {
            Tags tags = Tags.of("region", r.name());
            primary.add(MultiGauge.Row.of(tags, r.cache().localSizeLong(CachePeekMode.PRIMARY)));
            backup.add(MultiGauge.Row.of(tags, r.cache().localSizeLong(CachePeekMode.BACKUP)));
        }
        regionEntries.register(primary, true);
        regionBackupEntries.register(backup, true);
        List<MultiGauge.Row<?>> used = new ArrayList<>();
        List<MultiGauge.Row<?>> max = new ArrayList<>();
        for (DataRegionMetrics m : ignite.dataRegionMetrics()) {
            Tags tags = Tags.of("data_region", m.getName());
            used.add(MultiGauge.Row.of(tags, m.getTotalUsedSize()));
            max.add(MultiGauge.Row.of(tags, m.getOffHeapSize()));
        }
        memoryUsed.register(used, true);
        memoryMax.register(max, true);
        refreshSync();
        refreshSubscriptions();
    }

    private void refreshSync() {
        Map<String, List<MultiGauge.Row<?>>> rows = new LinkedHashMap<>();
        syncGauges.keySet().forEach(k -> rows.put(k, new ArrayList<>()));
        for (Region r : regions.regions()) {
            Tags tags = Tags.of("region", r.name());
            try {
                if (r.spec().cacheStrategy() == io.dih.api.CacheStrategy.WRITE_BEHIND) {
                    io.dih.server.sync.WriteBehindStatuses.WriteBehindStatus wb = sync.writeBehindStatus(r);
                    rows.get("dih.write.behind.pending").add(MultiGauge.Row.of(tags, wb.pending()));
                    rows.get("dih.write.behind.oldest.pending.seconds").add(MultiGauge.Row.of(tags, wb.oldestPendingAgeMs() / 1000.0));
                    rows.get("dih.write.behind.flushed").add(MultiGauge.Row.of(tags, wb.flushed()));
                    rows.get("dih.write.behind.writes.per.second").add(MultiGauge.Row.of(tags, wb.writesPerSecond()));
                    rows.get("dih.write.behind.retries").add(MultiGauge.Row.of(tags, wb.retries()));
                    rows.get("dih.write.behind.dead.letters").add(MultiGauge.Row.of(tags, wb.deadLetters()));
                } else if (r.spec().cacheStrategy() == io.dih.api.CacheStrategy.REFRESH_AHEAD) {
                    io.dih.server.sync.RefreshAhead.Counters c = sync.refreshAhead().counters(r.name());
                    rows.get("dih.refresh.ahead.refreshes").add(MultiGauge.Row.of(tags, c.refreshes()));
                    rows.get("dih.refresh.ahead.failures").add(MultiGauge.Row.of(tags, c.failures()));
                    rows.get("dih.refresh.ahead.misses.avoided").add(MultiGauge.Row.of(tags, c.missesAvoided()));
                    rows.get("dih.refresh.ahead.deferred").add(MultiGauge.Row.of(tags, c.deferred()));
                }
            } catch (RuntimeException e) {
                // a region deleted while scraping: it simply has no figures this time
            }
        }
        try {
            for (String source : sync.sources().names(io.dih.api.SyncMode.CDC)) {
                io.dih.server.sync.CdcFeeds.CdcStatus c = sync.cdc().status(source);
                Tags tags = Tags.of("source", source);
                rows.get("dih.cdc.state").add(MultiGauge.Row.of(tags.and("state", c.state()), 1));
                rows.get("dih.cdc.events").add(MultiGauge.Row.of(tags, c.events()));
                rows.get("dih.cdc.events.per.second").add(MultiGauge.Row.of(tags, c.eventsPerSecond()));
                rows.get("dih.cdc.snapshot.rows").add(MultiGauge.Row.of(tags, c.snapshotRows()));
                if (c.snapshotPercent() != null) {
                    rows.get("dih.cdc.snapshot.percent").add(MultiGauge.Row.of(tags, c.snapshotPercent()));
                }
                rows.get("dih.cdc.lag.last.seconds").add(MultiGauge.Row.of(tags, c.lagMs() / 1000.0));
            }
        } catch (RuntimeException e) {
            // the registry is unreadable while the node stops: no CDC figures this time
        }
        List<String> streamSources;
        try {
            streamSources = sync.sources().names(io.dih.api.SyncMode.STREAM);
        } catch (RuntimeException e) {
            streamSources = List.of(); // the registry is unreadable while the node stops
        }
        for (String source : streamSources) {
            try {
                io.dih.server.sync.StreamFeeds.StreamStatus st = sync.streams().status(source);
                Tags tags = Tags.of("source", source);
                rows.get("dih.stream.state").add(MultiGauge.Row.of(tags.and("state", st.state()), 1));
                rows.get("dih.stream.messages").add(MultiGauge.Row.of(tags, st.messages()));
                rows.get("dih.stream.messages.per.second").add(MultiGauge.Row.of(tags, st.messagesPerSecond()));
                rows.get("dih.stream.dead.letters").add(MultiGauge.Row.of(tags, st.deadLetters()));
                st.backlog().forEach((partition, n) -> rows.get("dih.stream.backlog").add(MultiGauge.Row.of(tags.and("partition", partition), n)));
            } catch (RuntimeException e) {
                // deleted while scraping, or the registry is unreadable: no figures for it this time
            }
        }
        rows.forEach((name, r) -> syncGauges.get(name).register(r, true));
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
