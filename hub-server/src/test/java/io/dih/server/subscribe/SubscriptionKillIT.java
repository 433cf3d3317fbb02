package io.dih.server.subscribe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dih.server.testing.HubProcess;
import io.dih.server.testing.Rest;
import io.dih.server.testing.WsClient;
import io.dih.testing.Await;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three node processes; a subscriber connected to node A follows a stream of writes while node A — the oldest node,
 * where the journal's writer usually runs too — is killed with {@code kill -9}. The subscriber reconnects to another
 * node with its last position and ends with exactly the changes that were written: every acknowledged write once, in
 * order per key, positions without a hole across the reconnect, no RESYNC.
 */
class SubscriptionKillIT {
    @TempDir
    Path work;

    static final String REGIONS = "/api/v1/dih/cache-regions";
    static final int KEYS = 40;

    @Test
    void aSubscriberResumesOnAnotherNodeAfterItsNodeIsKilledAndMissesNothing() throws Exception {
        List<HubProcess> nodes = new ArrayList<>();
        try {
            nodes.addAll(HubProcess.startCluster(work, "subkill", 3, Map.of("DIH_LOG_LEVEL", "INFO", "DIH_IGNITE_LOG_LEVEL", "WARN")));
            Rest writerRest = new Rest(nodes.get(2).baseUrl());
            Rest.Response created = writerRest.post(REGIONS, """
                    {"name": "ticks", "key_fields": ["k"], "fields": {"k": "VARCHAR", "v": "VARCHAR"}}""");
            assertThat(created.status()).as(created.toString()).isEqualTo(201);

            // the subscriber: its own reconnect loop over the nodes, from its last position
            List<JsonNode> events = Collections.synchronizedList(new ArrayList<>());
            AtomicBoolean done = new AtomicBoolean();
            AtomicInteger reconnects = new AtomicInteger();
            List<String> urls = List.of(nodes.get(0).baseUrl(), nodes.get(1).baseUrl(), nodes.get(2).baseUrl());
            WsClient first = WsClient.subscribe(urls.get(0), "ticks");
            String[] last = {first.startPosition()};
            Thread subscriber = new Thread(() -> {
                WsClient ws = first;
                int node = 0;
                while (!done.get()) {
                    JsonNode e = ws.next(Duration.ofMillis(200));
                    if (e != null) {
                        events.add(e);
                        last[0] = e.path("position").asText();
                        continue;
                    }
                    if (ws.closeCode() != 0) { // the node went away: resume elsewhere from the last position
                        ws.close();
                        while (!done.get()) {
                            node = (node + 1) % urls.size();
                            try {
                                ws = WsClient.subscribe(urls.get(node), "ticks?from=" + last[0]);
                                reconnects.incrementAndGet();
                                break;
                            } catch (RuntimeException | AssertionError retry) {
                                sleep(200);
                            }
                        }
                    }
                }
                ws.close();
            }, "subscriber");
            subscriber.start();

            // the writer: unique values per attempt; what was acknowledged, and everything attempted
            Map<String, List<String>> acknowledged = new ConcurrentHashMap<>();
            Set<String> attempted = ConcurrentHashMap.newKeySet();
            AtomicBoolean stop = new AtomicBoolean();
            Thread writer = new Thread(() -> {
                int n = 0;
                while (!stop.get()) {
                    String key = "k" + (n % KEYS);
                    for (int attempt = 0; !stop.get(); attempt++) {
                        String value = n + "." + attempt;
                        attempted.add(key + "=" + value);
                        Rest.Response r;
                        try {
                            r = writerRest.put(REGIONS + "/ticks/entries/" + key, "{\"v\": \"" + value + "\"}");
                        } catch (RuntimeException e) {
                            sleep(100);
                            continue;
                        }
                        if (r.status() == 200 || r.status() == 201) {
                            acknowledged.computeIfAbsent(key, k -> Collections.synchronizedList(new ArrayList<>())).add(value);
                            break;
                        }
                        sleep(100); // 503 while the cluster rebalances: the same change again, as a new attempt
                    }
                    n++;
                }
            }, "writer");
            writer.start();
            Thread.sleep(4000);
            nodes.get(0).kill();
            Thread.sleep(8000);
            stop.set(true);
            writer.join();
            int written = acknowledged.values().stream().mapToInt(List::size).sum();
            List<String> missing = new ArrayList<>();
            try {
                Await.until(Duration.ofSeconds(60), "the subscriber has every acknowledged write", () -> {
                    Set<String> seen = new LinkedHashSet<>();
                    synchronized (events) {
                        events.forEach(e -> seen.add(e.path("key").asText() + "=" + e.path("value").path("v").asText()));
                    }
                    missing.clear();
                    for (Map.Entry<String, List<String>> e : acknowledged.entrySet()) {
                        for (String v : e.getValue()) {
                            if (!seen.contains(e.getKey() + "=" + v)) {
                                missing.add(e.getKey() + "=" + v);
                            }
                        }
                    }
                    return missing.isEmpty();
                });
            } catch (AssertionError e) {
                StringBuilder why = new StringBuilder(e.getMessage()).append("\n").append(missing.size()).append(" of ").append(written)
                        .append(" acknowledged writes missing, e.g. ").append(missing.subList(0, Math.min(10, missing.size())))
                        .append("\nevents received: ").append(events.size()).append(", reconnects: ").append(reconnects.get())
                        .append(", last position: ").append(last[0]).append("\nnon-PUT events: ");
                synchronized (events) {
                    events.stream().filter(x -> !"PUT".equals(x.path("op").asText())).forEach(x -> why.append(x).append(' '));
                }
                for (int i = 0; i < 3; i++) {
                    if (i > 0) {
                        why.append("\nnode ").append(i).append(" journal: ").append(new Rest(urls.get(i)).get("/api/v1/dih/subscriptions/ticks/journal").body());
                    }
                    why.append("\nnode ").append(i).append(" journal log:\n").append(nodes.get(i).logLines("journal"));
                }
                throw new AssertionError(why.toString(), e);
            }
            Thread.sleep(1000); // anything doubled or extra would arrive now
            done.set(true);
            subscriber.join();

            assertThat(reconnects.get()).as("the subscriber had to resume elsewhere").isGreaterThanOrEqualTo(1);
            assertThat(written).as("writes went on through the kill").isGreaterThan(200);
            Map<String, List<String>> received = new HashMap<>();
            long previous = seq(first.startPosition());
            for (JsonNode e : events) {
                assertThat(e.path("op").asText()).as("no RESYNC, nothing but the writes: " + e).isEqualTo("PUT");
                assertThat(seq(e.path("position").asText())).as("positions without a hole or a repeat: " + e).isEqualTo(previous + 1);
                previous = seq(e.path("position").asText());
                String key = e.path("key").asText();
                String value = e.path("value").path("v").asText();
                assertThat(attempted).as("only what was written arrives").contains(key + "=" + value);
                received.computeIfAbsent(key, k -> new ArrayList<>()).add(value);
            }
            for (Map.Entry<String, List<String>> e : acknowledged.entrySet()) {
                List<String> got = received.get(e.getKey());
                assertThat(new LinkedHashSet<>(got)).as("each change once: " + e.getKey()).hasSameSizeAs(got);
                // the acknowledged writes, in the order they were written (an unacknowledged attempt may sit between them)
                List<String> ackedInOrder = new ArrayList<>(got);
                ackedInOrder.retainAll(e.getValue());
                assertThat(ackedInOrder).as("key " + e.getKey()).containsExactlyElementsOf(e.getValue());
            }
        } finally {
            for (HubProcess n : nodes) {
                n.close();
            }
        }
    }

    static long seq(String position) {
        return Long.parseLong(position.substring(position.indexOf('.') + 1));
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
