package io.dih.server.subscribe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dih.server.testing.Rest;
import io.dih.server.testing.TestingHubCluster;
import io.dih.server.testing.WsClient;
import io.dih.testing.Await;
import io.dih.testing.HubCredentials;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.ignite.Ignition;
import org.apache.ignite.client.IgniteClient;
import org.apache.ignite.configuration.ClientConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Region change subscriptions over WebSocket and SSE on two nodes: order, resume, filters, snapshot, RESYNC, bad input. */
class SubscriptionIT {
    static final String REGIONS = "/api/v1/dih/cache-regions";
    static final String SUBS = "/api/v1/dih/subscriptions";
    static final Duration WAIT = Duration.ofSeconds(20);
    static final ObjectMapper JSON = new ObjectMapper();

    static TestingHubCluster cluster;
    static Rest rest0;
    static Rest rest1;

    @BeforeAll
    static void start() {
        cluster = TestingHubCluster.start(2, tree -> tree.putObject("subscriptions").put("max_per_node", 40).put("max_lag_events", 2000)
                .put("send_timeout_ms", 2000).put("heartbeat_seconds", 1));
        rest0 = new Rest(cluster.node(0).baseUrl());
        rest1 = new Rest(cluster.node(1).baseUrl());
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    static void region(String name) {
        Rest.Response r = rest0.post(REGIONS, "{\"name\": \"" + name + "\", \"key_fields\": [\"id\"], "
                + "\"fields\": {\"id\": \"BIGINT\", \"name\": \"VARCHAR\", \"price\": \"INT\"}}");
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
    }

    static void put(Rest rest, String region, long id, String name, int price) {
        Rest.Response r = rest.put(REGIONS + "/" + region + "/entries/" + id, "{\"name\": \"" + name + "\", \"price\": " + price + "}");
        assertThat(r.status()).as(r.toString()).isIn(200, 201);
    }

    static long seq(JsonNode event) {
        String p = event.path("position").asText();
        return Long.parseLong(p.substring(p.indexOf('.') + 1));
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Test
    void everyChangeByEveryPathArrivesInOrderAndAClientResumesFromItsPosition() throws Exception {
        region("sub_items");
        List<JsonNode> first;
        String last;
        try (WsClient ws = WsClient.subscribe(cluster.node(0).baseUrl(), "sub_items")) {
            for (int i = 1; i <= 30; i++) {
                put(i % 2 == 0 ? rest0 : rest1, "sub_items", i % 5, "n" + i, i);
            }
            assertThat(rest1.delete(REGIONS + "/sub_items/entries/1").status()).isEqualTo(204);
            assertThat(rest0.post("/api/v1/dih/sql-query", "{\"query\": \"UPDATE sub_items SET price = 999 WHERE id = 2\"}").status()).isEqualTo(200);
            try (IgniteClient thin = Ignition.startClient(new ClientConfiguration().setAddresses("127.0.0.1:" + cluster.node(1).thinClientPort()).setUserName("operator").setUserPassword(io.dih.testing.HubCredentials.ADMIN_KEY))) {
                thin.cache("sub_items").remove(3L);
            }
            first = ws.take(33, WAIT);
            last = first.get(32).path("position").asText();
        }
        // each once, in order per key (the journal orders by key, not across keys), with contiguous positions
        Map<String, List<JsonNode>> byKey = new HashMap<>();
        for (int i = 0; i < first.size(); i++) {
            JsonNode e = first.get(i);
            assertThat(e.path("region").asText()).isEqualTo("sub_items");
            assertThat(e.path("ts").asText()).isNotBlank();
            if (i > 0) {
                assertThat(seq(e)).as("positions are contiguous").isEqualTo(seq(first.get(i - 1)) + 1);
            }
            byKey.computeIfAbsent(e.path("key").asText(), k -> new ArrayList<>()).add(e);
        }
        for (int k = 0; k < 5; k++) {
            List<String> seen = new ArrayList<>();
            for (JsonNode e : byKey.get(String.valueOf(k))) {
                seen.add(e.path("op").asText() + " " + (e.path("value").isNull() ? "-" : e.path("value").path("name").asText()
                        + "/" + e.path("value").path("price").asInt()));
            }
            List<String> expected = new ArrayList<>();
            for (int i = 1; i <= 30; i++) {
                if (i % 5 == k) {
                    expected.add("PUT n" + i + "/" + i);
                }
            }
            switch (k) {
                case 1 -> expected.add("DELETE -");
                case 2 -> expected.add("PUT n27/999");
                case 3 -> expected.add("DELETE -");
                default -> { }
            }
            assertThat(seen).as("key " + k).containsExactlyElementsOf(expected);
        }
        JsonNode update = byKey.get("2").get(byKey.get("2").size() - 1);
        assertThat(update.path("old_value").path("price").asInt()).as("SQL DML carries the old row").isEqualTo(27);
        assertThat(byKey.get("1").get(byKey.get("1").size() - 1).path("old_value").path("name").asText()).isEqualTo("n26");

        // away: changes go on; back on the other node from the last position: exactly the changes since
        for (int i = 100; i < 110; i++) {
            put(rest0, "sub_items", i, "later" + i, i);
        }
        try (WsClient ws = WsClient.subscribe(cluster.node(1).baseUrl(), "sub_items?from=" + last)) {
            List<JsonNode> resumed = ws.take(10, WAIT);
            for (int i = 0; i < 10; i++) {
                assertThat(seq(resumed.get(i))).isEqualTo(seq(first.get(32)) + 1 + i);
            }
            assertThat(resumed).extracting(e -> e.path("key").asText())
                    .containsExactlyInAnyOrder("100", "101", "102", "103", "104", "105", "106", "107", "108", "109");
            assertThat(ws.next(Duration.ofMillis(500))).as("nothing more, nothing twice").isNull();
            put(rest1, "sub_items", 200, "live", 1);
            assertThat(ws.take(1, WAIT).get(0).path("key").asText()).as("then the live stream").isEqualTo("200");
        }
        JsonNode journal = rest0.get(SUBS + "/sub_items/journal").json();
        assertThat(journal.path("events").asLong()).as(journal.toString()).isEqualTo(44);
        assertThat(journal.path("live").asBoolean()).isTrue();
        String metrics = rest0.get("/api/v1/dih/metrics").body();
        assertThat(metrics).contains("dih_journal_events{", "region=\"sub_items\"", "dih_subscription_events_sent{",
                "dih_subscription_delivery_lag_seconds");
    }

    @Test
    void aFilterSendsRowsEnteringAndLeavingItAndAProjectionKeepsKeys() {
        region("sub_filtered");
        try (WsClient ws = WsClient.subscribe(cluster.node(1).baseUrl(), "sub_filtered?filter=" + enc("price > 10 AND name <> 'skip'") + "&columns=price")) {
            put(rest0, "sub_filtered", 1, "a", 5);      // not matching: nothing
            put(rest0, "sub_filtered", 1, "a", 20);     // enters: PUT
            put(rest0, "sub_filtered", 1, "a", 30);     // stays: PUT
            put(rest0, "sub_filtered", 1, "a", 3);      // leaves: DELETE
            put(rest0, "sub_filtered", 2, "skip", 50);  // never matches
            put(rest0, "sub_filtered", 3, "c", 11);
            assertThat(rest0.delete(REGIONS + "/sub_filtered/entries/3").status()).isEqualTo(204);
            List<JsonNode> got = ws.take(5, WAIT);
            assertThat(got).extracting(e -> e.path("op").asText() + " " + e.path("key").asText())
                    .containsExactly("PUT 1", "PUT 1", "DELETE 1", "PUT 3", "DELETE 3");
            assertThat(got.get(0).path("value").toString()).isEqualTo("{\"id\":1,\"price\":20}");
            assertThat(got.get(2).path("value").isNull()).isTrue();
            assertThat(got.get(2).path("old_value").toString()).isEqualTo("{\"id\":1,\"price\":30}");
            assertThat(ws.next(Duration.ofMillis(500))).isNull();
        }
        try (WsClient ws = WsClient.subscribe(cluster.node(0).baseUrl(), "sub_filtered?ops=delete")) {
            put(rest0, "sub_filtered", 9, "x", 1);
            assertThat(rest0.delete(REGIONS + "/sub_filtered/entries/9").status()).isEqualTo(204);
            JsonNode only = ws.take(1, WAIT).get(0);
            assertThat(only.path("op").asText()).isEqualTo("DELETE");
        }
    }

    @Test
    void aSnapshotThenChangesUnderConcurrentWritesEndsEqualToTheRegion() throws Exception {
        region("sub_snap");
        for (int i = 0; i < 200; i++) {
            put(rest0, "sub_snap", i, "v0", 0);
        }
        AtomicBoolean writing = new AtomicBoolean(true);
        Thread writer = new Thread(() -> {
            int round = 1;
            while (writing.get()) {
                for (int i = 0; i < 200 && writing.get(); i += 7) {
                    put(rest1, "sub_snap", i, "v" + round, round);
                }
                round++;
            }
        });
        writer.start();
        Map<String, JsonNode> state = new HashMap<>();
        try (WsClient ws = WsClient.subscribe(cluster.node(0).baseUrl(), "sub_snap?snapshot=true")) {
            boolean snapshotEnded = false;
            int snapshotRows = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            while (System.nanoTime() < deadline || !snapshotEnded) {
                JsonNode e = ws.next(WAIT);
                assertThat(e).as("an event").isNotNull();
                switch (e.path("op").asText()) {
                    case "SNAPSHOT_END" -> {
                        snapshotEnded = true;
                        assertThat(e.path("rows").asInt()).isEqualTo(snapshotRows);
                    }
                    case "PUT" -> {
                        if (e.path("snapshot").asBoolean()) {
                            assertThat(snapshotEnded).isFalse();
                            snapshotRows++;
                        }
                        JsonNode before = state.put(e.path("key").asText(), e.path("value"));
                        assertThat(e.path("value")).as("no change repeats what the client has: " + e).isNotEqualTo(before);
                    }
                    case "DELETE" -> state.remove(e.path("key").asText());
                    default -> throw new AssertionError("unexpected " + e);
                }
            }
            assertThat(snapshotRows).isEqualTo(200);
            writing.set(false);
            writer.join();
            // drain: the client's state ends equal to the region
            Await.until(WAIT, "the subscriber's rows equal the region's", () -> {
                JsonNode e;
                while ((e = ws.next(Duration.ofMillis(200))) != null) {
                    if ("PUT".equals(e.path("op").asText())) {
                        state.put(e.path("key").asText(), e.path("value"));
                    }
                }
                for (int i = 0; i < 200; i++) {
                    JsonNode row = rest0.get(REGIONS + "/sub_snap/entries/" + i).json();
                    if (!row.equals(state.get(String.valueOf(i)))) {
                        return false;
                    }
                }
                return true;
            });
        } finally {
            writing.set(false);
            writer.join();
        }
    }

    @Test
    void aPositionOlderThanTheRetentionOrOfAnotherJournalGetsAResync() {
        region("sub_short");
        Rest.Response cfg = rest0.put(SUBS + "/sub_short/journal", "{\"max_events\": 5}");
        assertThat(cfg.status()).as(cfg.toString()).isEqualTo(201);
        String epoch = cfg.json().path("epoch").asText();
        assertThat(rest0.put(SUBS + "/sub_short/journal", "{\"max_events\": 0}").status()).isEqualTo(400);
        for (int i = 0; i < 20; i++) {
            put(rest0, "sub_short", i, "x", i);
        }
        Await.until(WAIT, "retention drops old events", () -> rest0.get(SUBS + "/sub_short/journal").json().path("events").asLong() <= 6);
        try (WsClient ws = WsClient.subscribe(cluster.node(1).baseUrl(), "sub_short?from=" + epoch + ".1")) {
            JsonNode e = ws.take(1, WAIT).get(0);
            assertThat(e.path("op").asText()).as(e.toString()).isEqualTo("RESYNC");
            assertThat(e.path("reason").asText()).contains("older than what the journal keeps");
            // then the stream goes on from now (the client re-reads the region, e.g. with snapshot=true)
            assertThat(ws.next(Duration.ofMillis(500))).isNull();
            put(rest0, "sub_short", 50, "after", 50);
            assertThat(ws.take(1, WAIT).get(0).path("key").asText()).isEqualTo("50");
        }
        try (WsClient ws = WsClient.subscribe(cluster.node(0).baseUrl(), "sub_short?from=aaaaaaaa.3")) {
            JsonNode e = ws.take(1, WAIT).get(0);
            assertThat(e.path("op").asText()).isEqualTo("RESYNC");
            assertThat(e.path("reason").asText()).contains("not of this region's journal");
        }
    }

    @Test
    void anUnkeptJournalIsDroppedOnceNobodySubscribesAndAKeptOneStays() {
        region("sub_idle");
        region("sub_kept");
        Rest.Response idle = rest0.put(SUBS + "/sub_idle/journal", "{\"max_age_seconds\": 1, \"keep\": false}");
        assertThat(idle.status()).as(idle.toString()).isEqualTo(201);
        assertThat(idle.json().path("keep").asBoolean()).isFalse();
        assertThat(rest0.put(SUBS + "/sub_kept/journal", "{\"max_age_seconds\": 1}").json().path("keep").asBoolean()).isTrue();
        try (WsClient ws = WsClient.subscribe(cluster.node(1).baseUrl(), "sub_idle")) {
            put(rest0, "sub_idle", 1, "a", 1);
            ws.take(1, WAIT);
        }
        Await.until(Duration.ofSeconds(40), "the unused journal is dropped", () -> rest1.get(SUBS + "/sub_idle/journal").status() == 404);
        assertThat(rest1.get(SUBS + "/sub_kept/journal").status()).isEqualTo(200);
        // a new subscription starts a new journal (a new epoch)
        try (WsClient ws = WsClient.subscribe(cluster.node(0).baseUrl(), "sub_idle")) {
            assertThat(ws.startPosition()).doesNotStartWith(idle.json().path("epoch").asText());
        }
    }

    @Test
    void badRequestsCloseWithAProblemAndA4xxxCodeNamingTheField() {
        region("sub_bad");
        record Case(String query, int code, String field, String detail) {
        }
        for (Case c : List.of(
                new Case("nosuchregion", 4404, null, "does not exist"),
                new Case("sub_bad?filter=" + enc("price > 'abc'"), 4400, "filter", "not a number"),
                new Case("sub_bad?filter=" + enc("nosuch = 1"), 4400, "filter", "nosuch"),
                new Case("sub_bad?filter=" + enc("name = 'x' OR '1'='1'"), 4400, "filter", "compare a column"),
                new Case("sub_bad?filter=" + enc("x".repeat(5000)), 4400, "filter", "4096"),
                new Case("sub_bad?columns=nosuch", 4400, "columns", "nosuch"),
                new Case("sub_bad?from=12", 4400, "from", "not a position"),
                new Case("sub_bad?ops=upsert", 4400, "ops", "upsert"),
                new Case("sub_bad?colums=name", 4400, "colums", "not a subscription parameter"))) {
            try (WsClient ws = WsClient.open(cluster.node(0).baseUrl(), c.query())) {
                JsonNode problem = ws.take(1, WAIT).get(0);
                assertThat(ws.awaitClose(WAIT)).as(c + " " + problem).isEqualTo(c.code());
                assertThat(problem.path("status").asInt()).isEqualTo(c.code());
                assertThat(problem.path("detail").asText()).as(problem.toString()).contains(c.detail());
                if (c.field() != null) {
                    assertThat(problem.path("field").asText()).isEqualTo(c.field());
                    assertThat(ws.closeReason()).startsWith(c.field() + ":");
                }
            }
        }
        // a 100 KB filter does not even reach the hub: the URL is too long for the HTTP server (414)
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> WsClient.open(cluster.node(0).baseUrl(), "sub_bad?filter=" + enc("x".repeat(100_000))))
                .hasStackTraceContaining("414");
        assertThat(rest0.withHeader("Accept", "text/event-stream").get(SUBS + "/sub_bad?filter=" + enc("x".repeat(100_000))).status()).isEqualTo(414);
        // SSE: the same checks answer as HTTP problems before any stream starts
        Rest.Response sse = rest0.withHeader("Accept", "text/event-stream").get(SUBS + "/sub_bad?filter=" + enc("price > 'abc'"));
        assertThat(sse.status()).isEqualTo(400);
        assertThat(sse.contentType()).startsWith("application/problem+json");
        assertThat(sse.json().path("field").asText()).isEqualTo("filter");
        Rest.Response noAccept = rest0.get(SUBS + "/sub_bad");
        assertThat(noAccept.status()).isEqualTo(406);
        assertThat(rest0.withHeader("Accept", "text/event-stream").get(SUBS + "/nosuch").status()).isEqualTo(404);
    }

    @Test
    void serverSentEventsCarryPositionsAsIdsAndResumeWithLastEventId() throws Exception {
        region("sub_sse");
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest req = HttpRequest.newBuilder(URI.create(cluster.node(1).baseUrl() + SUBS + "/sub_sse"))
                .header("Accept", "text/event-stream").header("Authorization", "Bearer " + HubCredentials.ADMIN_KEY).build();
        HttpResponse<java.io.InputStream> res = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        String lastId;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(res.body(), StandardCharsets.UTF_8))) {
            for (int i = 0; i < 3; i++) {
                put(rest0, "sub_sse", i, "s" + i, i);
            }
            List<String[]> events = readSse(in, 4);
            assertThat(JSON.readTree(events.remove(0)[1]).path("op").asText()).isEqualTo("SUBSCRIBED");
            assertThat(events).extracting(e -> JSON.readTree(e[1]).path("key").asText()).containsExactlyInAnyOrder("0", "1", "2");
            lastId = events.get(2)[0];
            assertThat(JSON.readTree(events.get(2)[1]).path("position").asText()).isEqualTo(lastId);
        }
        put(rest0, "sub_sse", 7, "while away", 7);
        HttpRequest again = HttpRequest.newBuilder(URI.create(cluster.node(0).baseUrl() + SUBS + "/sub_sse"))
                .header("Accept", "text/event-stream").header("Authorization", "Bearer " + HubCredentials.ADMIN_KEY).header("Last-Event-ID", lastId).build();
        HttpResponse<java.io.InputStream> res2 = http.send(again, HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader in = new BufferedReader(new InputStreamReader(res2.body(), StandardCharsets.UTF_8))) {
            List<String[]> events = readSse(in, 2);
            assertThat(JSON.readTree(events.get(0)[1]).path("op").asText()).isEqualTo("SUBSCRIBED");
            assertThat(events.get(0)[0]).as("it starts where the client was").isEqualTo(lastId);
            assertThat(JSON.readTree(events.get(1)[1]).path("key").asText()).isEqualTo("7");
        }
    }

    /** Reads {@code n} SSE events (id, data), skipping comments (heartbeats). */
    static List<String[]> readSse(BufferedReader in, int n) throws Exception {
        List<String[]> out = new ArrayList<>();
        String id = null;
        String data = null;
        String line;
        while (out.size() < n && (line = in.readLine()) != null) {
            if (line.startsWith("id: ")) {
                id = line.substring(4);
            } else if (line.startsWith("data: ")) {
                data = line.substring(6);
            } else if (line.isEmpty() && data != null) {
                out.add(new String[] {id, data});
                id = null;
                data = null;
            }
        }
        return out;
    }

    @Test
    void aClientThatDoesNotReadIsCutOffWhileOthersGetEverything() {
        region("sub_slow");
        String big = "x".repeat(8000);
        try (WsClient stuck = WsClient.openNotReading(cluster.node(0).baseUrl(), "sub_slow");
             WsClient fine = WsClient.subscribe(cluster.node(0).baseUrl(), "sub_slow?columns=price")) {
            Await.until(WAIT, "both subscribed", () -> cluster.node(0).subscriptions().openByRegion().getOrDefault("sub_slow", 0) == 2);
            int n = 3000;
            for (int i = 0; i < n; i++) {
                put(rest1, "sub_slow", i, big, i);
            }
            List<JsonNode> got = fine.take(n, Duration.ofSeconds(60));
            assertThat(got.get(n - 1).path("value").path("price").asInt()).isEqualTo(n - 1);
            Await.until(WAIT, "the stuck client is cut off", () -> cluster.node(0).subscriptions().openByRegion().getOrDefault("sub_slow", 0) == 1);
            assertThat(cluster.node(0).subscriptions().slowDisconnects().get("sub_slow")).isEqualTo(1L);
        }
    }

    @Test
    void aDeletedRegionClosesItsSubscriptionsAndTheNodeBoundsHowManyItServes() {
        region("sub_gone");
        try (WsClient ws = WsClient.subscribe(cluster.node(1).baseUrl(), "sub_gone")) {
            put(rest0, "sub_gone", 1, "a", 1);
            ws.take(1, WAIT);
            assertThat(rest0.delete(REGIONS + "/sub_gone").status()).isEqualTo(204);
            assertThat(ws.awaitClose(WAIT)).isEqualTo(4410);
            assertThat(ws.closeReason()).contains("deleted");
        }
        region("sub_many");
        List<WsClient> clients = new ArrayList<>();
        try {
            int room = 40 - cluster.node(0).subscriptions().openByRegion().values().stream().mapToInt(Integer::intValue).sum();
            for (int i = 0; i < room; i++) {
                clients.add(WsClient.subscribe(cluster.node(0).baseUrl(), "sub_many"));
            }
            Await.until(WAIT, "all open", () -> cluster.node(0).subscriptions().openByRegion().values().stream().mapToInt(Integer::intValue).sum() == 40);
            try (WsClient over = WsClient.open(cluster.node(0).baseUrl(), "sub_many")) {
                assertThat(over.awaitClose(WAIT)).isEqualTo(4429);
            }
            assertThat(rest0.withHeader("Accept", "text/event-stream").get(SUBS + "/sub_many").status()).isEqualTo(429);
        } finally {
            clients.forEach(WsClient::close);
        }
    }
}
