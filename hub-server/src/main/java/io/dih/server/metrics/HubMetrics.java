package io.dih.server.metrics;

import static java.util.Objects.requireNonNull;

import io.dih.server.region.Region;
import io.dih.server.region.RegionService;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.ignite.DataRegionMetrics;
import org.apache.ignite.Ignite;
import org.apache.ignite.cache.CachePeekMode;

/**
 * The node's metrics in Prometheus form: requests per route, this node's share of every region, off-heap memory
 * per data region, and the JVM. Region and memory gauges are read when scraped; each node reports its own
 * primary entries, so summing over nodes gives the cluster's totals.
 */
public final class HubMetrics implements AutoCloseable {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Ignite ignite;
    private final RegionService regions;
    private final MultiGauge regionEntries;
    private final MultiGauge regionBackupEntries;
    private final MultiGauge memoryUsed;
    private final MultiGauge memoryMax;
    private final JvmGcMetrics gc = new JvmGcMetrics();

    public HubMetrics(Ignite ignite, RegionService regions) {
        this.ignite = requireNonNull(ignite, "ignite is null");
        this.regions = requireNonNull(regions, "regions is null");
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

    /** Records one handled HTTP request; {@code route} is the matched path template, not the raw path. */
    public void recordRequest(String method, String route, int status, float millis) {
        Timer.builder("dih.http.requests")
                .description("REST gateway requests")
                .tags("method", method, "route", route, "status", Integer.toString(status))
                .publishPercentiles(0.5, 0.99)
                .register(registry)
                .record((long) (millis * 1_000_000), TimeUnit.NANOSECONDS);
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
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
