package io.dih.connector.kafka;

import static java.util.Objects.requireNonNull;

import io.dih.api.BindingSpec;
import io.dih.spi.Capability;
import io.dih.spi.ChangeFeed;
import io.dih.spi.ChangeSink;
import io.dih.spi.Connector;
import io.dih.spi.InvalidSpecException;
import io.dih.spi.SourceTable;
import io.dih.spi.UnavailableException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * A Kafka cluster as a source of message streams ({@link Capability#STREAM} only): each binding reads one or more
 * topics of JSON messages (or Debezium JSON change events); {@link #stream} runs one member of a consumer group that
 * hands each poll's messages to the hub and commits their offsets after the hub stored them; {@link #backlog} tells per
 * partition how far the group is behind.
 *
 * <p>Keys: a binding's {@code key_columns} name the key fields, read from the message's value or else from its key (a
 * JSON object with those fields, or the bare key for a single column). A binding without {@code key_columns} (when
 * the hub passes none to {@link #stream}) takes the fields of the message key, which must then be a JSON object: the
 * connector does not know the region's key, and the message key is what Kafka partitions by.
 *
 * <p>Thread-safe: one admin client shared by every call; each feed has a consumer of its own, owned by the thread that
 * runs it.
 */
final class KafkaConnector implements Connector {
    private final String sourceName;
    private final KafkaConnectorConfig config;
    private final Admin admin;
    private final Duration timeout;
    private final Set<KafkaStreamFeed> feeds = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * Connects an admin client and checks that the cluster answers.
     *
     * @throws UnavailableException naming the bootstrap servers when it does not
     */
    KafkaConnector(String sourceName, KafkaConnectorConfig config) {
        this.sourceName = requireNonNull(sourceName, "sourceName is null");
        this.config = requireNonNull(config, "config is null");
        this.timeout = Duration.ofSeconds(config.connectTimeoutSeconds());
        Map<String, Object> adminConfig = new HashMap<>(clientConfig());
        adminConfig.keySet().removeIf(k -> ConsumerConfig.configNames().contains(k) && !AdminClientConfig.configNames().contains(k));
        adminConfig.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        adminConfig.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        try {
            this.admin = Admin.create(adminConfig);
        } catch (KafkaException e) {
            throw unavailable("cannot connect", e);
        }
        try {
            get(admin.describeCluster().nodes());
        } catch (RuntimeException e) {
            admin.close(Duration.ZERO);
            throw e;
        }
    }

    @Override
    public boolean partitionOrdered() {
        return true; // a consumer group gives each partition to one member, which reads it in offset order
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.STREAM);
    }

    @Override
    public SourceTable describe(BindingSpec binding) {
        requireOpen();
        KafkaBinding b = KafkaBinding.of(binding);
        if (!b.topics().isEmpty()) {
            String field = binding.option("topics") != null ? "topics" : "topic";
            Map<String, KafkaFuture<TopicDescription>> described = admin.describeTopics(b.topics()).topicNameValues();
            for (String topic : b.topics()) {
                try {
                    get(described.get(topic));
                } catch (MissingTopic e) {
                    throw new InvalidSpecException(field, "topic '" + topic + "' does not exist in the Kafka cluster at "
                            + config.servers());
                }
            }
        }
        return SourceTable.schemaless(b.name(), b.keyColumns());
    }

    @Override
    public ChangeFeed stream(String groupName, List<BindingSpec> bindings, ChangeSink sink) {
        requireOpen();
        requireNonNull(groupName, "groupName is null");
        List<KafkaBinding> kafkaBindings = bindings.stream().map(KafkaBinding::of).toList();
        String group = groupId(groupName);
        Map<String, Object> consumerConfig = new HashMap<>(clientConfig());
        consumerConfig.keySet().removeIf(k -> AdminClientConfig.configNames().contains(k) && !ConsumerConfig.configNames().contains(k));
        consumerConfig.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, config.autoOffsetReset());
        consumerConfig.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        consumerConfig.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        KafkaStreamFeed feed = new KafkaStreamFeed(group, consumerConfig, kafkaBindings, sink, feeds::remove);
        feeds.add(feed);
        return feed;
    }

    @Override
    public Map<String, Long> backlog(String groupName, List<BindingSpec> bindings) {
        requireOpen();
        List<KafkaBinding> kafkaBindings = bindings.stream().map(KafkaBinding::of).toList();
        Set<String> topics = new LinkedHashSet<>();
        boolean patterns = false;
        for (KafkaBinding b : kafkaBindings) {
            topics.addAll(b.topics());
            patterns |= b.pattern() != null;
        }
        if (patterns) {
            for (String t : get(admin.listTopics().names())) {
                if (kafkaBindings.stream().anyMatch(b -> b.reads(t))) {
                    topics.add(t);
                }
            }
        }
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
        for (String t : topics) {
            TopicDescription d;
            try {
                d = get(admin.describeTopics(List.of(t)).allTopicNames()).get(t);
            } catch (MissingTopic e) {
                continue;
            }
            d.partitions().forEach(p -> {
                latest.put(new TopicPartition(t, p.partition()), OffsetSpec.latest());
                earliest.put(new TopicPartition(t, p.partition()), OffsetSpec.earliest());
            });
        }
        if (latest.isEmpty()) {
            return Map.of();
        }
        Map<TopicPartition, ListOffsetsResultInfo> ends = get(admin.listOffsets(latest).all());
        Map<TopicPartition, ListOffsetsResultInfo> starts = get(admin.listOffsets(earliest).all());
        Map<TopicPartition, OffsetAndMetadata> committed;
        try {
            committed = get(admin.listConsumerGroupOffsets(groupId(groupName)).partitionsToOffsetAndMetadata());
        } catch (NoGroup e) {
            committed = Map.of();
        }
        boolean fromLatest = "latest".equals(config.autoOffsetReset());
        Map<String, Long> out = new TreeMap<>();
        for (TopicPartition tp : latest.keySet()) {
            long end = ends.get(tp).offset();
            OffsetAndMetadata c = committed.get(tp);
            long from = c != null ? c.offset() : fromLatest ? end : starts.get(tp).offset();
            out.put(tp.topic() + "-" + tp.partition(), Math.max(0, end - from));
        }
        return out;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        new ArrayList<>(feeds).forEach(KafkaStreamFeed::close);
        admin.close(Duration.ofSeconds(5));
    }

    private String groupId(String groupName) {
        return config.groupId() != null ? config.groupId() : groupName;
    }

    private Map<String, Object> clientConfig() {
        Map<String, Object> c = new HashMap<>(config.clientProperties());
        c.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.servers());
        return c;
    }

    private void requireOpen() {
        if (closed.get()) {
            throw new IllegalStateException("the connector is closed [source=" + sourceName + "]");
        }
    }

    private <T> T get(Future<T> future) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted while waiting for Kafka at " + config.servers() + " [source=" + sourceName + "]", e);
        } catch (TimeoutException e) {
            throw unavailable("no answer within " + timeout.toSeconds() + " s", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof UnknownTopicOrPartitionException) {
                throw new MissingTopic(cause.getMessage());
            }
            if (cause instanceof GroupIdNotFoundException) {
                throw new NoGroup();
            }
            if (cause instanceof org.apache.kafka.common.errors.TimeoutException) {
                throw unavailable("no answer within " + timeout.toSeconds() + " s", cause);
            }
            throw unavailable("the request failed", cause);
        }
    }

    private UnavailableException unavailable(String what, Throwable cause) {
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String reason = root.getMessage() == null ? root.getClass().getSimpleName() : redact(root.getMessage());
        return new UnavailableException("connection_params.bootstrap_servers",
                "Kafka at " + config.servers() + ": " + what + " [source=" + sourceName + "]: " + reason, cause);
    }

    /** A message with every secret parameter's value masked. */
    private String redact(String message) {
        String out = message;
        for (Map.Entry<String, String> e : config.clientProperties().entrySet()) {
            if (KafkaConnectorConfig.SECRETS.contains(e.getKey()) && !e.getValue().isEmpty()) {
                out = out.replace(e.getValue(), "****");
            }
        }
        return out;
    }

    /** A topic that does not exist. */
    private static final class MissingTopic extends RuntimeException {
        MissingTopic(String message) {
            super(message, null, false, false);
        }
    }

    /** The group has committed nothing yet. */
    private static final class NoGroup extends RuntimeException {
        NoGroup() {
            super(null, null, false, false);
        }
    }

    @Override
    public String toString() {
        return "KafkaConnector[source=" + sourceName + ", " + config + "]";
    }
}
