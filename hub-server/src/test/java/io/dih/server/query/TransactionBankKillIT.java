package io.dih.server.query;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dih.server.testing.HubProcess;
import io.dih.server.testing.Rest;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bank test: 8 threads of random transfers between 100 accounts (half SERIALIZABLE, half REPEATABLE_READ, each
 * debit guarded by {@code balance min 0}) for 30 s on 3 node processes, one of them killed ({@code kill -9}) midway.
 * Afterwards the total is unchanged, no
 * balance is negative, and every balance is its opening balance plus exactly the transfers that were answered 200.
 */
class TransactionBankKillIT {
    @TempDir
    Path work;

    static final String REGIONS = "/api/v1/dih/cache-regions";
    static final int ACCOUNTS = 100;
    static final long OPENING = 1000;
    static final long RUN_MS = 30_000;

    @Test
    void transfersUnderConcurrencyAndANodeLossKeepTheBooksExact() throws Exception {
        List<HubProcess> nodes = new ArrayList<>();
        try {
            nodes.addAll(HubProcess.startCluster(work, "bank", 3, Map.of()));
            Rest admin = new Rest(nodes.get(0).baseUrl());
            Rest.Response created = admin.post(REGIONS, """
                    {"name": "bank", "cache_mode": "PARTITIONED", "backups": 1, "atomicity_mode": "TRANSACTIONAL",
                     "key_fields": ["account_id"], "fields": {"account_id": "VARCHAR", "owner": "VARCHAR", "balance": "DECIMAL"}}""");
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            StringBuilder rows = new StringBuilder("{\"entries\": {");
            for (int i = 0; i < ACCOUNTS; i++) {
                rows.append(i == 0 ? "" : ",").append("\"acc_").append(i).append("\": {\"owner\": \"o").append(i)
                        .append("\", \"balance\": ").append(OPENING).append("}");
            }
            Rest.Response opened = admin.put(REGIONS + "/bank/entries", rows.append("}}").toString());
            assertThat(opened.status()).as(opened.toString()).isEqualTo(200);

            ConcurrentMap<String, AtomicLong> committed = new ConcurrentHashMap<>();
            Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
            List<String> unexpected = Collections.synchronizedList(new ArrayList<>());
            AtomicBoolean stop = new AtomicBoolean();
            List<Rest> gateways = List.of(new Rest(nodes.get(0).baseUrl()), new Rest(nodes.get(1).baseUrl()));
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                String isolation = t % 2 == 0 ? "SERIALIZABLE" : "REPEATABLE_READ";
                Rest rest = gateways.get(t % gateways.size());
                Thread th = new Thread(() -> {
                    ThreadLocalRandom rnd = ThreadLocalRandom.current();
                    while (!stop.get()) {
                        int from = rnd.nextInt(ACCOUNTS);
                        int to = (from + 1 + rnd.nextInt(ACCOUNTS - 1)) % ACCOUNTS;
                        long amount = 1 + rnd.nextInt(300);
                        String body = """
                                {"operations": [
                                  {"region": "bank", "operation": "increment", "data": {"key": "acc_%d", "updates": {"balance": -%d}},
                                   "require": {"balance": {"min": 0}}},
                                  {"region": "bank", "operation": "increment", "data": {"key": "acc_%d", "updates": {"balance": %d}}}],
                                 "isolation": "%s", "timeout": 5000}""".formatted(from, amount, to, amount, isolation);
                        Rest.Response r;
                        try {
                            r = rest.post("/api/v1/dih/transactions", body);
                        } catch (RuntimeException e) {
                            unexpected.add("no answer: " + e);
                            continue;
                        }
                        statuses.computeIfAbsent(r.status(), s -> new AtomicInteger()).incrementAndGet();
                        if (r.status() == 200) {
                            committed.computeIfAbsent("acc_" + from, k -> new AtomicLong()).addAndGet(-amount);
                            committed.computeIfAbsent("acc_" + to, k -> new AtomicLong()).addAndGet(amount);
                        } else if (r.status() != 409 && r.status() != 503 && r.status() != 408) {
                            unexpected.add(r.toString());
                        }
                    }
                }, "transfers-" + t + "-" + isolation);
                th.start();
                threads.add(th);
            }
            Thread.sleep(RUN_MS / 2);
            nodes.get(2).kill(); // SIGKILL: no goodbye to the cluster, transactions in flight on it are recovered
            Thread.sleep(RUN_MS / 2);
            stop.set(true);
            for (Thread th : threads) {
                th.join(60_000);
                assertThat(th.isAlive()).as(th.getName() + " did not stop within 60 s").isFalse();
            }
            System.out.println("bank test statuses: " + statuses);
            assertThat(unexpected).as("answers other than 200, 408, 409, 503").isEmpty();
            assertThat(statuses.getOrDefault(200, new AtomicInteger()).get()).as("some transfers committed").isPositive();

            StringBuilder keys = new StringBuilder("{\"keys\": [");
            for (int i = 0; i < ACCOUNTS; i++) {
                keys.append(i == 0 ? "" : ",").append("\"acc_").append(i).append("\"");
            }
            Rest.Response read = gateways.get(0).post(REGIONS + "/bank/entries/batch-get", keys.append("]}").toString());
            assertThat(read.status()).as(read.toString()).isEqualTo(200);
            JsonNode entries = read.json().path("entries");
            assertThat(entries.size()).isEqualTo(ACCOUNTS);
            BigDecimal total = BigDecimal.ZERO;
            List<String> wrong = new ArrayList<>();
            for (int i = 0; i < ACCOUNTS; i++) {
                String key = "acc_" + i;
                BigDecimal balance = entries.path(key).path("balance").decimalValue();
                total = total.add(balance);
                assertThat(balance.signum()).as(key + " is negative: " + balance).isGreaterThanOrEqualTo(0);
                long expected = OPENING + committed.getOrDefault(key, new AtomicLong()).get();
                if (balance.compareTo(BigDecimal.valueOf(expected)) != 0) {
                    wrong.add(key + " holds " + balance + ", the committed transfers say " + expected);
                }
            }
            assertThat(total).isEqualByComparingTo(BigDecimal.valueOf(OPENING * ACCOUNTS));
            assertThat(wrong).as("balances that differ from the transfers answered 200").isEmpty();
        } finally {
            nodes.forEach(HubProcess::close);
        }
    }
}
