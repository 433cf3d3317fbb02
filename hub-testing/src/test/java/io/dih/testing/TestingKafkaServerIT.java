package io.dih.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

class TestingKafkaServerIT {
    @Test
    void producesAndConsumesOnATopicOfItsOwnAndCleansUp() {
        Path workDir;
        try (TestingKafkaServer kafka = TestingKafkaServer.start()) {
            workDir = kafka.workDir();
            assertThat(kafka.bootstrapServers()).isEqualTo("127.0.0.1:" + kafka.port());
            kafka.createTopic("fixture-orders", 2);
            List<RecordMetadata> sent = kafka.produce(List.of(new ProducerRecord<>("fixture-orders", 0, "1", "ada"),
                    new ProducerRecord<>("fixture-orders", 1, "2", "grace"), new ProducerRecord<>("fixture-orders", 1, "2", null)));
            assertThat(sent).extracting(RecordMetadata::partition, RecordMetadata::offset)
                    .containsExactly(tuple(0, 0L), tuple(1, 0L),
                            tuple(1, 1L));

            List<String> values = new ArrayList<>();
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                    ConsumerConfig.GROUP_ID_CONFIG, "fixture",
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new StringDeserializer())) {
                consumer.subscribe(List.of("fixture-orders"));
                Await.until(Duration.ofSeconds(60), "the 3 records are consumed", () -> {
                    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                        values.add(r.value());
                    }
                    return values.size() >= 3;
                });
            }
            assertThat(values).containsExactlyInAnyOrder("ada", "grace", null);
        }
        assertThat(Files.exists(workDir)).as("the work directory is deleted on close").isFalse();
    }

    @Test
    void sharedIsOneBrokerPerJvm() {
        TestingKafkaServer shared = TestingKafkaServer.shared();
        shared.close();
        assertThat(TestingKafkaServer.shared()).isSameAs(shared);
        shared.createTopic("fixture-shared", 1);
        assertThat(shared.produce("fixture-shared", "k", "v").offset()).isZero();
    }
}
