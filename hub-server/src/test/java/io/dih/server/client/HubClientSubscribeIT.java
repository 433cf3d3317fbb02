package io.dih.server.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dih.client.ChangeEvent;
import io.dih.client.HubClient;
import io.dih.client.HubClientException;
import io.dih.client.SubscribeOptions;
import io.dih.client.Subscription;
import io.dih.client.SubscriptionClosedException;
import io.dih.client.SubscriptionListener;
import io.dih.server.testing.Rest;
import io.dih.server.testing.TestingHubCluster;
import io.dih.testing.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The SDK's resumable subscriptions against three real nodes: every change exactly once and in order per key across
 * an abrupt node failure, refusals as {@code onClosed} errors, a snapshot that ends equal to the region.
 */
class HubClientSubscribeIT {
    static final String REGIONS = "/api/v1/dih/cache-regions";
    static final Duration WAIT = Duration.ofSeconds(60);
    static final ObjectMapper JSON = new ObjectMapper();
    static final TypeReference<Map<String, Object>> ROW = new TypeReference<>() { };

    static TestingHubCluster cluster;

    @BeforeAll
    static void start() {
        cluster = TestingHubCluster.start(3);
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    static Rest rest(int node) {
        return new Rest(cluster.node(node).baseUrl());
    }

    static void region(int node, String name) {
        Rest.Response r = rest(node).post(REGIONS, "{\"name\": \"" + name + "\", \"key_fields\": [\"id\"], "
                + "\"fields\": {\"id\": \"BIGINT\", \"counter\": \"INT\", \"note\": \"VARCHAR\"}}");
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
    }

    /** Records what a subscription's listener is given, and checks it is called on one thread at a time. */
    static final class Recorder implements SubscriptionListener {
        final List<ChangeEvent> changes = new CopyOnWriteArrayList<>();
        final List<String> resyncs = new CopyOnWriteArrayList<>();
        final List<String> reconnects = new CopyOnWriteArrayList<>();
        final AtomicInteger snapshotEnds = new AtomicInteger();
        final AtomicInteger snapshotEndRows = new AtomicInteger(-1);
        final CompletableFuture<Throwable> closed = new CompletableFuture<>();
        final AtomicBoolean inside = new AtomicBoolean();
        final Set<Thread> threads = ConcurrentHashMap.newKeySet();

        private void enter() {
            assertThat(inside.compareAndSet(false, true)).as("the listener is called one event at a time").isTrue();
            threads.add(Thread.currentThread());
        }

        @Override
        public void onChange(ChangeEvent e) {
            enter();
            changes.add(e);
            inside.set(false);
        }

        @Override
        public void onResync(String position, String reason) {
            enter();
            resyncs.add(position + " " + reason);
            inside.set(false);
        }

        @Override
        public void onSnapshotEnd(int rows, String position) {
            enter();
            snapshotEnds.incrementAndGet();
            snapshotEndRows.set(rows);
            inside.set(false);
        }

        @Override
        public void onReconnect(String node, String position) {
            reconnects.add(node + " " + position);
        }

        @Override
        public void onClosed(Throwable errorOrNull) {
            closed.complete(errorOrNull);
        }
    }

    @Test
    void everyUpdateArrivesOnceAndInOrderPerKeyAcrossAnAbruptNodeFailure() throws Exception {
        region(2, "sdk_moves");
        int keys = 20;
        int total = 2000;
        Recorder rec = new Recorder();
        Map<Long, List<Integer>> written = new ConcurrentHashMap<>();
        Set<String> retried = ConcurrentHashMap.newKeySet();
        AtomicInteger done = new AtomicInteger();
        AtomicReference<Throwable> writerFailed = new AtomicReference<>();
        try (HubClient hub = HubClient.builder().rest(cluster.node(0).baseUrl(), cluster.node(1).baseUrl(), cluster.node(2).baseUrl()).apiKey(io.dih.testing.HubCredentials.ADMIN_KEY).build();
             Subscription sub = hub.subscribe("sdk_moves", SubscribeOptions.defaults(), rec)) {
            assertThat(sub.awaitSubscribed(WAIT)).isTrue();
            String start = sub.position();
            assertThat(start).matches("[a-z0-9]{8}\\.[0-9]+");
            // a journal goes live only once every node follows the region: the writer can move to any of them at once
            for (int i = 0; i < 3; i++) {
                assertThat(rest(i).get("/api/v1/dih/subscriptions/sdk_moves/journal").json().hasNonNull("node_head_position"))
                        .as("node " + i + " follows the journaled region").isTrue();
            }
            Rest writer2 = rest(2);
            Thread writer = new Thread(() -> {
                try {
                    for (int i = 0; i < total; i++) {
                        long key = i % keys;
                        int counter = i / keys + 1;
                        for (int attempt = 0; ; attempt++) {
                            Rest.Response r = writer2.put(REGIONS + "/sdk_moves/entries/" + key, "{\"counter\": " + counter + ", \"note\": \"n" + i + "\"}");
                            if (r.status() == 200 || r.status() == 201) {
                                break;
                            }
                            assertThat(attempt).as("a put keeps failing: " + r).isLessThan(50);
                            retried.add(key + "/" + counter); // it may or may not have been written: it may show once or twice
                            Thread.sleep(100);
                        }
                        written.computeIfAbsent(key, k -> new ArrayList<>()).add(counter);
                        done.incrementAndGet();
                    }
                } catch (Throwable t) {
                    writerFailed.set(t);
                }
            }, "sdk-writer");
            writer.start();
            Await.until(WAIT, "a third written", () -> done.get() >= total / 3 || writerFailed.get() != null);
            long t0 = System.nanoTime();
            cluster.stopNode(0, true);
            System.out.printf("node 0 stopped abruptly in %d ms, after %d puts%n", (System.nanoTime() - t0) / 1_000_000, done.get());
            writer.join(120_000);
            assertThat(writerFailed.get()).isNull();
            assertThat(done.get()).isEqualTo(total);
            try {
                Await.until(WAIT, "every update delivered", () -> rec.changes.size() >= total || rec.closed.isDone());
            } finally {
                System.out.printf("got %d changes, resyncs %s, reconnects %s, closed %s, position %s%n", rec.changes.size(), rec.resyncs,
                        rec.reconnects, rec.closed.getNow(null), sub.position());
            }
            Thread.sleep(1000); // anything more would be a repeat
            assertThat(rec.closed).as("still open").isNotDone();
            assertThat(rec.reconnects).as("it moved to another node").isNotEmpty();
            assertThat(rec.resyncs).isEmpty();
            assertThat(rec.threads).hasSize(1);
            Map<Long, List<Integer>> got = new HashMap<>();
            Map<Long, List<String>> positions = new HashMap<>();
            for (ChangeEvent e : rec.changes) {
                assertThat(e.op()).isEqualTo(ChangeEvent.Op.PUT);
                assertThat(e.snapshot()).isFalse();
                assertThat(e.ts()).isNotNull();
                long key = Long.parseLong(e.key());
                got.computeIfAbsent(key, k -> new ArrayList<>()).add(((Number) e.value().get("counter")).intValue());
                positions.computeIfAbsent(key, k -> new ArrayList<>()).add(e.position());
            }
            for (long k = 0; k < keys; k++) {
                List<Integer> seen = collapseRetried(k, got.get(k), retried);
                assertThat(seen).as("key " + k + " (retried puts: " + retried + ")").containsExactlyElementsOf(written.get(k));
            }
            assertThat(rec.changes.stream().map(ChangeEvent::position).distinct().count()).as("no position twice").isEqualTo(rec.changes.size());
            assertThat(sub.position()).isEqualTo(rec.changes.get(rec.changes.size() - 1).position());
            System.out.printf("%d changes, reconnects %s, retried puts %s%n", rec.changes.size(), rec.reconnects, retried);
        }
        assertThat(rec.closed.get(10, java.util.concurrent.TimeUnit.SECONDS)).as("closed by the caller").isNull();
    }

    /** A put the writer retried may have been applied twice: its repeats (consecutive) count once. */
    static List<Integer> collapseRetried(long key, List<Integer> seen, Set<String> retried) {
        List<Integer> out = new ArrayList<>();
        for (Integer c : seen == null ? List.<Integer>of() : seen) {
            if (!out.isEmpty() && out.get(out.size() - 1).equals(c) && retried.contains(key + "/" + c)) {
                continue;
            }
            out.add(c);
        }
        return out;
    }

    @Test
    void aBadFilterOrAnUnknownRegionEndsTheSubscriptionWithTheProblem() throws Exception {
        region(1, "sdk_bad");
        try (HubClient hub = HubClient.builder().rest(cluster.node(1).baseUrl(), cluster.node(2).baseUrl()).apiKey(io.dih.testing.HubCredentials.ADMIN_KEY).build()) {
            Recorder bad = new Recorder();
            Subscription s = hub.subscribe("sdk_bad", SubscribeOptions.defaults().withFilter("nosuch = 1"), bad);
            Throwable e = bad.closed.get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(e).isInstanceOfSatisfying(SubscriptionClosedException.class, x -> {
                assertThat(x.status()).isEqualTo(400);
                assertThat(x.closeCode()).isEqualTo(4400);
                assertThat(x.field()).isEqualTo("filter");
                assertThat(x.getMessage()).contains("nosuch");
            });
            assertThat(s.isOpen()).isFalse();
            assertThat(bad.reconnects).as("a refusal is not retried").isEmpty();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> s.awaitSubscribed(Duration.ofSeconds(1)))
                    .isInstanceOfSatisfying(HubClientException.class, x -> assertThat(x.field()).isEqualTo("filter"));

            Recorder unknown = new Recorder();
            hub.subscribe("sdk_nosuch", SubscribeOptions.defaults(), unknown);
            assertThat(unknown.closed.get(30, java.util.concurrent.TimeUnit.SECONDS)).isInstanceOfSatisfying(HubClientException.class, x -> {
                assertThat(x.status()).isEqualTo(404);
                assertThat(x.getMessage()).contains("404", "sdk_nosuch");
            });
            assertThat(unknown.changes).isEmpty();
        }
    }

    @Test
    void aSnapshotThenChangesEndsEqualToTheRegion() throws Exception {
        region(1, "sdk_snap");
        Rest rest1 = rest(1);
        Rest rest2 = rest(2);
        int keys = 150;
        for (int i = 0; i < 100; i++) {
            assertThat(rest1.put(REGIONS + "/sdk_snap/entries/" + i, "{\"counter\": 0, \"note\": \"start\"}").status()).isIn(200, 201);
        }
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicInteger writes = new AtomicInteger();
        Thread writer = new Thread(() -> {
            int round = 1;
            while (writing.get()) {
                for (int i = round % 5; i < keys && writing.get(); i += 5) {
                    if ((i + round) % 11 == 0) {
                        rest2.delete(REGIONS + "/sdk_snap/entries/" + i);
                    } else {
                        rest2.put(REGIONS + "/sdk_snap/entries/" + i, "{\"counter\": " + round + ", \"note\": \"r" + round + "\"}");
                    }
                    writes.incrementAndGet();
                }
                round++;
            }
        }, "sdk-snap-writer");
        writer.start();
        Recorder rec = new Recorder();
        Map<String, Map<String, Object>> state = new ConcurrentHashMap<>();
        SubscriptionListener applying = new SubscriptionListener() {
            @Override
            public void onChange(ChangeEvent e) {
                rec.onChange(e);
                if (e.op() == ChangeEvent.Op.PUT) {
                    state.put(e.key(), e.value());
                } else {
                    state.remove(e.key());
                }
            }

            @Override
            public void onResync(String position, String reason) {
                rec.onResync(position, reason);
            }

            @Override
            public void onSnapshotEnd(int rows, String position) {
                rec.onSnapshotEnd(rows, position);
            }

            @Override
            public void onClosed(Throwable errorOrNull) {
                rec.onClosed(errorOrNull);
            }
        };
        try (HubClient hub = HubClient.builder().rest(cluster.node(1).baseUrl(), cluster.node(2).baseUrl()).apiKey(io.dih.testing.HubCredentials.ADMIN_KEY).build();
             Subscription sub = hub.subscribe("sdk_snap", SubscribeOptions.defaults().withSnapshot(true), applying)) {
            assertThat(sub.awaitSubscribed(WAIT)).isTrue();
            Await.until(WAIT, "the snapshot ends", () -> rec.snapshotEnds.get() == 1 || rec.closed.isDone());
            Thread.sleep(1500); // changes go on after the snapshot
            writing.set(false);
            writer.join();
            long snapshotRows = rec.changes.stream().filter(ChangeEvent::snapshot).count();
            assertThat(rec.snapshotEndRows.get()).isEqualTo((int) snapshotRows);
            assertThat(snapshotRows).isGreaterThan(50);
            Await.until(WAIT, "the subscriber's rows equal the region's", () -> {
                for (int i = 0; i < keys; i++) {
                    Rest.Response r = rest1.get(REGIONS + "/sdk_snap/entries/" + i);
                    Map<String, Object> row = r.status() == 404 ? null : JSON.convertValue(r.json(), ROW);
                    if (!java.util.Objects.equals(row, state.get(String.valueOf(i)))) {
                        return false;
                    }
                }
                return true;
            });
            assertThat(rec.closed).isNotDone();
            assertThat(rec.resyncs).isEmpty();
            System.out.printf("snapshot %d rows, then %d changes of %d writes%n", snapshotRows, rec.changes.size() - snapshotRows, writes.get());
        } finally {
            writing.set(false);
            writer.join();
        }
    }
}
