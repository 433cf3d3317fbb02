package io.dih.connector.kafka;

import static java.util.Objects.requireNonNull;

import io.dih.spi.ChangeEvent;
import io.dih.spi.ChangeFeed;
import io.dih.spi.ChangeSink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One member of a consumer group, subscribed to the topics of its bindings: each poll's messages become one batch of
 * {@link ChangeEvent}s (partition by partition, in offset order) for {@link ChangeSink#apply}; the batch's offsets are
 * committed (synchronously) only after {@code apply} returned, so delivery is at-least-once.
 *
 * <p>Rebalances: offsets are committed before the next poll, so a partition taken away in that poll has nothing
 * applied and uncommitted, unless a commit failed because the group was rebalancing; such offsets are committed in
 * {@code onPartitionsRevoked}, dropped for a partition lost to another member (it reads those messages again).
 *
 * <p>{@link #run()} runs on the caller's thread (which owns the consumer); {@link #close()} may come from any thread.
 */
final class KafkaStreamFeed implements ChangeFeed {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaStreamFeed.class);
    private static final Duration POLL = Duration.ofMillis(500);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

    private final String groupId;
    private final Map<String, Object> consumerConfig;
    private final List<KafkaBinding> bindings;
    private final List<MessageDecoder> decoders;
    private final ChangeSink sink;
    private final Consumer<KafkaStreamFeed> onClose;
    private final Object lock = new Object();
    /** Offsets (next to read) of messages applied but not yet committed; touched by the run() thread only. */
    private final Map<TopicPartition, OffsetAndMetadata> applied = new HashMap<>();
    private final Map<String, List<MessageDecoder>> decodersByTopic = new HashMap<>();
    private KafkaConsumer<byte[], byte[]> consumer;
    private boolean started;
    private volatile boolean closed;

    KafkaStreamFeed(String groupId, Map<String, Object> consumerConfig, List<KafkaBinding> bindings, ChangeSink sink,
                    Consumer<KafkaStreamFeed> onClose) {
        this.groupId = requireNonNull(groupId, "groupId is null");
        this.consumerConfig = Map.copyOf(consumerConfig);
        this.bindings = List.copyOf(bindings);
        this.decoders = this.bindings.stream().map(MessageDecoder::new).toList();
        this.sink = requireNonNull(sink, "sink is null");
        this.onClose = requireNonNull(onClose, "onClose is null");
        if (this.bindings.isEmpty()) {
            throw new IllegalArgumentException("a stream needs at least one binding");
        }
    }

    @Override
    public void run() throws Exception {
        synchronized (lock) {
            if (started) {
                throw new IllegalStateException("the feed already ran [group=" + groupId + "]");
            }
            started = true;
            if (closed) {
                return;
            }
            consumer = new KafkaConsumer<>(consumerConfig, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        }
        try {
            subscribe();
            while (!closed) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
                commitApplied();
                if (records.isEmpty()) {
                    continue;
                }
                List<ChangeEvent> batch = new ArrayList<>(records.count());
                Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
                for (TopicPartition tp : records.partitions()) {
                    List<ConsumerRecord<byte[], byte[]>> inPartition = records.records(tp);
                    for (ConsumerRecord<byte[], byte[]> r : inPartition) {
                        for (MessageDecoder d : decodersOf(r.topic())) {
                            batch.add(d.decode(r));
                        }
                    }
                    ConsumerRecord<byte[], byte[]> last = inPartition.get(inPartition.size() - 1);
                    offsets.put(tp, new OffsetAndMetadata(last.offset() + 1, last.leaderEpoch(), ""));
                }
                if (!batch.isEmpty()) {
                    sink.apply(batch);
                }
                applied.putAll(offsets);
                commitApplied();
            }
        } catch (WakeupException e) {
            if (!closed) {
                throw e;
            }
        } finally {
            if (!applied.isEmpty()) {
                try {
                    consumer.commitSync(applied); // a close() woke the commit of a batch that was applied
                } catch (RuntimeException e) {
                    LOG.warn("offsets of applied messages could not be committed; they are read again [group={}, offsets={}]: {}",
                            groupId, applied, e.toString());
                }
            }
            try {
                consumer.close(CLOSE_TIMEOUT);
            } catch (RuntimeException e) {
                LOG.warn("closing the consumer failed [group={}]", groupId, e);
            }
        }
    }

    private void subscribe() {
        Listener listener = new Listener();
        if (bindings.stream().allMatch(b -> b.pattern() == null)) {
            Set<String> topics = new LinkedHashSet<>();
            bindings.forEach(b -> topics.addAll(b.topics()));
            consumer.subscribe(topics, listener);
        } else {
            String any = bindings.stream()
                    .map(b -> b.pattern() != null ? "(?:" + b.pattern().pattern() + ")"
                            : b.topics().stream().map(Pattern::quote).collect(Collectors.joining("|")))
                    .collect(Collectors.joining("|"));
            consumer.subscribe(Pattern.compile(any), listener);
        }
    }

    private List<MessageDecoder> decodersOf(String topic) {
        return decodersByTopic.computeIfAbsent(topic, t -> {
            List<MessageDecoder> out = new ArrayList<>();
            for (int i = 0; i < bindings.size(); i++) {
                if (bindings.get(i).reads(t)) {
                    out.add(decoders.get(i));
                }
            }
            return out;
        });
    }

    /** Commits what was applied; a rebalance in progress leaves it for the next poll or for onPartitionsRevoked. */
    private void commitApplied() {
        if (applied.isEmpty()) {
            return;
        }
        try {
            consumer.commitSync(applied);
            applied.clear();
        } catch (RebalanceInProgressException e) {
            LOG.debug("commit deferred: the group is rebalancing [group={}]", groupId);
        } catch (CommitFailedException e) {
            LOG.warn("offsets of applied messages could not be committed; another member reads them again [group={}, offsets={}]: {}",
                    groupId, applied, e.getMessage());
            applied.clear();
        }
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            if (consumer != null) {
                consumer.wakeup();
            }
        }
        onClose.accept(this);
    }

    /** Keeps the commits of a member whose partitions move right. */
    private final class Listener implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            Map<TopicPartition, OffsetAndMetadata> mine = new HashMap<>();
            for (TopicPartition tp : partitions) {
                OffsetAndMetadata o = applied.remove(tp);
                if (o != null) {
                    mine.put(tp, o);
                }
            }
            if (mine.isEmpty()) {
                return;
            }
            try {
                consumer.commitSync(mine);
            } catch (RuntimeException e) {
                LOG.warn("offsets of revoked partitions could not be committed; their next owner reads them again [group={}, offsets={}]: {}",
                        groupId, mine, e.toString());
            }
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            partitions.forEach(applied::remove);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            LOG.debug("partitions assigned [group={}, partitions={}]", groupId, partitions);
        }
    }

    @Override
    public String toString() {
        return "KafkaStreamFeed[group=" + groupId + ", bindings=" + bindings.stream().map(KafkaBinding::name).toList() + "]";
    }
}
