package io.dih.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dih.api.BindingSpec;
import io.dih.api.RegionSpec;
import io.dih.api.SourceSpec;
import io.dih.api.SqlType;
import io.dih.server.json.Json;
import io.dih.server.node.HubConfigLoader;
import io.dih.server.node.HubNode;
import io.dih.testing.FreePorts;
import io.dih.testing.TestingKafkaServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.binary.BinaryObject;
import org.apache.ignite.binary.BinaryObjectBuilder;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Kafka ingest: the hub streaming a topic into a region (one node, sync_mode STREAM) against a raw KafkaConsumer
 * reading the same messages and parsing each as JSON, in the same run on the same broker. Both get a warm-up topic
 * first (JIT), then a fresh topic of {@code --messages} JSON messages over {@code --partitions} partitions; the hub's
 * time runs from registration until the region holds every row.
 */
@Command(name = "stream", mixinStandardHelpOptions = true,
        description = "Kafka ingest: hub STREAM source into a region vs a raw KafkaConsumer (poll + JSON parse) on the same topic.")
public final class StreamBenchmark implements Callable<Integer> {
    @Option(names = "--messages", defaultValue = "200000", description = "messages in the measured topic (default ${DEFAULT-VALUE})")
    int messages;

    @Option(names = "--partitions", defaultValue = "4", description = "partitions of the topics (default ${DEFAULT-VALUE})")
    int partitions;

    @Override
    public Integer call() throws Exception {
        Path work = Files.createTempDirectory("dih-bench-stream-");
        try (TestingKafkaServer kafka = TestingKafkaServer.start()) {
            fill(kafka, "warm_raw", messages / 4);
            fill(kafka, "warm_hub", messages / 4);
            fill(kafka, "measured_raw", messages);
            fill(kafka, "measured_hub", messages);
            fill(kafka, "warm_floor", messages / 4);
            fill(kafka, "measured_floor", messages);

            raw(kafka, "warm_raw", messages / 4);
            double rawSeconds = raw(kafka, "measured_raw", messages);

            ObjectNode tree = BenchSupport.hubTree("bench-stream", work, FreePorts.next());
            double hubSeconds;
            double floorSeconds;
            try (HubNode node = HubNode.start(new HubConfigLoader(Map.of()).load(tree))) {
                floor(node, kafka, "warm_floor", messages / 4);
                floorSeconds = floor(node, kafka, "measured_floor", messages);
                hub(node, kafka, "warm_hub", messages / 4);
                hubSeconds = hub(node, kafka, "measured_hub", messages);
            }
            System.out.println();
            System.out.printf(Locale.ROOT, "Kafka ingest, %,d JSON messages over %d partitions, one hub node and the broker on the same %d cores%n",
                    messages, partitions, Runtime.getRuntime().availableProcessors());
            System.out.printf(Locale.ROOT, "| path | seconds | messages/s |%n|---|---:|---:|%n");
            System.out.printf(Locale.ROOT, "| raw KafkaConsumer (poll + JSON parse) | %.2f | %,.0f |%n", rawSeconds, messages / rawSeconds);
            System.out.printf(Locale.ROOT, "| the same consumer putting each 256 rows into a region in one transaction | %.2f | %,.0f |%n", floorSeconds,
                    messages / floorSeconds);
            System.out.printf(Locale.ROOT, "| hub STREAM source (register → region holds every row) | %.2f | %,.0f |%n", hubSeconds, messages / hubSeconds);
            System.out.printf(Locale.ROOT, "hub / raw consumer messages/s: %.2f%n", rawSeconds / hubSeconds);
            System.out.printf(Locale.ROOT, "consumer + transactional putAll / raw consumer: %.2f; hub / consumer + putAll: %.2f%n",
                    rawSeconds / floorSeconds, floorSeconds / hubSeconds);
        } finally {
            BenchSupport.deleteTree(work);
        }
        return 0;
    }

    private void fill(TestingKafkaServer kafka, String topic, int n) {
        kafka.createTopic(topic, partitions);
        List<Map.Entry<String, String>> batch = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            batch.add(new AbstractMap.SimpleEntry<>(Integer.toString(i),
                    "{\"id\": " + i + ", \"name\": \"name-" + i + "\", \"qty\": " + i % 100 + ", \"price\": " + (i % 1000) / 10.0 + "}"));
            if (batch.size() == 10_000) {
                kafka.sendAll(topic, batch);
                batch.clear();
            }
        }
        if (!batch.isEmpty()) {
            kafka.sendAll(topic, batch);
        }
    }

    /** A plain consumer of its own group reads the whole topic and parses every value. */
    private static double raw(TestingKafkaServer kafka, String topic, int n) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "raw_" + topic);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        long start = System.nanoTime();
        long seen = 0;
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(topic));
            while (seen < n) {
                ConsumerRecords<byte[], byte[]> records = c.poll(Duration.ofMillis(200));
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    try {
                        if (!Json.MAPPER.readTree(r.value()).has("id")) {
                            throw new IllegalStateException("no id");
                        }
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                    seen++;
                }
                c.commitSync();
            }
        }
        return (System.nanoTime() - start) / 1e9;
    }

    /**
     * Ignite's own floor for durable stream ingest: the raw consumer, each message parsed and built into the region's
     * binary value, every 256 rows put in one pessimistic transaction (keys in order, as the hub takes them) before
     * the offsets are committed; no per-partition positions, dead letters or metrics. The seconds it took.
     */
    private static double floor(HubNode node, TestingKafkaServer kafka, String topic, int n) {
        node.regions().create(regionSpec(topic));
        Ignite ignite = node.ignite();
        IgniteCache<Long, BinaryObject> cache = ignite.<Long, Object>cache(topic).withKeepBinary();
        BinaryObjectBuilder b = ignite.binary().builder(node.regions().get(topic).valueType());
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "floor_" + topic);
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        long start = System.nanoTime();
        long seen = 0;
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(topic));
            TreeMap<Long, BinaryObject> batch = new TreeMap<>();
            while (seen < n) {
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    JsonNode m = Json.MAPPER.readTree(r.value());
                    b.setField("name", m.get("name").asText(), String.class);
                    b.setField("qty", m.get("qty").asInt(), Integer.class);
                    b.setField("price", m.get("price").asDouble(), Double.class);
                    batch.put(m.get("id").asLong(), b.build());
                    seen++;
                    if (batch.size() == 256) {
                        BenchSupport.putAllInOneTransaction(ignite, cache, batch);
                    }
                }
                BenchSupport.putAllInOneTransaction(ignite, cache, batch);
                c.commitSync();
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return (System.nanoTime() - start) / 1e9;
    }

    private static RegionSpec regionSpec(String name) {
        return new RegionSpec(name, null, 0, null, null, null, null, null, List.of("id"),
                Map.of("id", SqlType.BIGINT, "name", SqlType.VARCHAR, "qty", SqlType.INT, "price", SqlType.DOUBLE));
    }

    /** The hub: a region and a kafka source on the topic; the clock stops when the region holds every row. */
    private static double hub(HubNode node, TestingKafkaServer kafka, String topic, int n) throws InterruptedException {
        node.regions().create(regionSpec(topic));
        Map<String, Object> params = Map.of("bootstrap_servers", kafka.bootstrapServers());
        long start = System.nanoTime();
        node.sources().register(new SourceSpec(topic, "kafka", params, List.of(topic), null, null, null,
                Map.of(topic, new BindingSpec(null, null, List.of("id"), null, null, null, Map.of("topic", topic))), null, null));
        while (node.regions().get(topic).cache().sizeLong() < n) {
            Thread.sleep(5);
        }
        return (System.nanoTime() - start) / 1e9;
    }
}
