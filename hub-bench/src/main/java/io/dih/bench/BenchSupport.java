package io.dih.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dih.api.RegionSpec;
import io.dih.api.SqlType;
import io.dih.server.node.HubConfigLoader;
import io.dih.server.node.HubNode;
import io.dih.server.sync.SourceStatus;
import io.dih.testing.FreePorts;
import io.dih.testing.TestingPostgresServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.IgniteDataStreamer;
import org.apache.ignite.binary.BinaryObject;
import org.apache.ignite.transactions.Transaction;
import org.apache.ignite.transactions.TransactionConcurrency;
import org.apache.ignite.transactions.TransactionIsolation;

/**
 * What the benchmarks share: a bench hub's configuration and its {@code bench} region, a source's connection
 * parameters for a PostgreSQL, Ignite's floor for a transactional apply, and cleaning up a work directory.
 */
final class BenchSupport {
    private BenchSupport() {
    }

    /**
     * The configuration of a one-node bench hub on free loopback ports (thin client on {@code thinPort}), with 1 GB for
     * region data and security off: the benchmarks measure the hub's own cost (the {@code security} one measures
     * authentication's).
     */
    static ObjectNode hubTree(String name, Path work, int thinPort) {
        int disco = FreePorts.next();
        ObjectNode tree = HubConfigLoader.loopbackNode(name, work, disco, List.of(disco), FreePorts.next(), thinPort);
        tree.putObject("security").put("enabled", false);
        tree.putObject("storage").put("data_region_max_mb", 1024);
        return tree;
    }

    /** Creates the region {@code bench} (id BIGINT key, name, score) and streams {@code entries} rows into it. */
    static void benchRegion(HubNode node, long entries) {
        benchRegion(node, "bench", entries);
    }

    /** The bench region under another name (e.g. a tenant's: {@code acme_bench}). */
    static void benchRegion(HubNode node, String name, long entries) {
        node.regions().create(new RegionSpec(name, null, 0, null, null, null, null, null, List.of("id"),
                Map.of("id", SqlType.BIGINT, "name", SqlType.VARCHAR, "score", SqlType.INT)));
        String valueType = node.regions().get(name).valueType();
        try (IgniteDataStreamer<Long, BinaryObject> s = node.ignite().dataStreamer(name)) {
            for (long i = 0; i < entries; i++) {
                s.addData(i, node.ignite().binary().builder(valueType).setField("name", "name-" + i).setField("score", (int) (i % 100)).build());
            }
        }
    }

    /** {@code connection_params} of a source on {@code pg}, as a registration body would carry them. */
    static Map<String, Object> connectionParams(TestingPostgresServer pg) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("host", "127.0.0.1");
        params.put("port", pg.port());
        params.put("database", pg.database());
        params.put("user", pg.user());
        params.put("password", pg.password());
        return params;
    }

    /**
     * Puts a batch of rows into a region in one pessimistic transaction (keys in order, as the hub takes them) and
     * empties it: the least a durable, transactional apply does. Nothing when the batch is empty.
     */
    static void putAllInOneTransaction(Ignite ignite, IgniteCache<Long, BinaryObject> cache, TreeMap<Long, BinaryObject> batch) {
        if (batch.isEmpty()) {
            return;
        }
        try (Transaction tx = ignite.transactions().txStart(TransactionConcurrency.PESSIMISTIC, TransactionIsolation.REPEATABLE_READ)) {
            cache.putAll(batch);
            tx.commit();
        }
        batch.clear();
    }

    /**
     * Waits until the first load of a source's binding has ended and answers its state; a failed load is an error.
     * The load times itself (started → last loaded), and a status call is not free, so it asks seldom.
     */
    static SourceStatus.RegionLoad awaitLoad(HubNode node, String source, String region) throws InterruptedException {
        while (true) {
            SourceStatus.RegionLoad load = node.sync().status(source).regions().get(region);
            if ("FAILED".equals(load.state())) {
                throw new IllegalStateException("load of " + source + " failed: " + load.error());
            }
            if ("IDLE".equals(load.state()) && load.lastLoadedAt() != null) {
                return load;
            }
            Thread.sleep(100);
        }
    }

    /** A finished load's own seconds: from its start to its last row in the region. */
    static double loadSeconds(SourceStatus.RegionLoad load) {
        return (Instant.parse(load.lastLoadedAt()).toEpochMilli() - Instant.parse(load.startedAt()).toEpochMilli()) / 1000.0;
    }

    /** Deletes a directory and everything below it. */
    static void deleteTree(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
