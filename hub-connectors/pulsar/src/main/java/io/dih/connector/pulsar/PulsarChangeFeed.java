package io.dih.connector.pulsar;

import static java.util.Objects.requireNonNull;

import io.dih.spi.ChangeEvent;
import io.dih.spi.ChangeFeed;
import io.dih.spi.ChangeSink;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.apache.pulsar.client.api.BatchReceivePolicy;
import org.apache.pulsar.client.api.Consumer;
import org.apache.pulsar.client.api.ConsumerBuilder;
import org.apache.pulsar.client.api.Message;
import org.apache.pulsar.client.api.MessageId;
import org.apache.pulsar.client.api.MessageIdAdv;
import org.apache.pulsar.client.api.Messages;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.PulsarClientException;
import org.apache.pulsar.client.api.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One member of a group: a consumer of the bindings' topics in the group's subscription, run on the caller's thread.
 * Named topics share one consumer; each {@code topic_pattern} gets one of its own (Pulsar subscribes a consumer either
 * to a list or to a pattern). Messages arrive in batches (up to 500, or what came within 100 ms), go to
 * {@link ChangeSink#apply}, and are acknowledged (individually, which every subscription type allows) only after it
 * returned: a sink that throws stops the feed with its batch unacknowledged, and the subscription gives those messages
 * to the next consumer.
 *
 * <p>Positions: {@link ChangeEvent#position()} is the message's ledger id and {@link ChangeEvent#sequence()}
 * {@code entryId << 20 | (batchIndex + 1)}; within one partition (the event's {@code stream}) ledgers are created in
 * increasing id order and entries numbered upwards, so a later message compares higher with
 * {@link ChangeEvent#isAfter}.
 */
final class PulsarChangeFeed implements ChangeFeed {
    private static final Logger LOG = LoggerFactory.getLogger(PulsarChangeFeed.class);
    private static final int BATCH_MESSAGES = 500;
    private static final int BATCH_BYTES = 8 * 1024 * 1024;
    private static final int BATCH_TIMEOUT_MILLIS = 100;

    private final PulsarClient client;
    private final PulsarConnectorConfig config;
    private final String subscription;
    private final List<PulsarBinding> bindings;
    private final ChangeSink sink;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean started = new AtomicBoolean();

    PulsarChangeFeed(PulsarClient client, PulsarConnectorConfig config, String subscription, List<PulsarBinding> bindings, ChangeSink sink) {
        this.client = requireNonNull(client, "client is null");
        this.config = requireNonNull(config, "config is null");
        this.subscription = requireNonNull(subscription, "subscription is null");
        this.bindings = List.copyOf(bindings);
        this.sink = requireNonNull(sink, "sink is null");
    }

    @Override
    public void run() throws Exception {
        if (!started.compareAndSet(false, true)) {
            throw new IllegalStateException("this feed already ran [subscription=" + subscription + "]");
        }
        List<Consumer<byte[]>> consumers = new ArrayList<>();
        try {
            Set<String> topics = new LinkedHashSet<>();
            Set<String> patterns = new LinkedHashSet<>();
            for (PulsarBinding b : bindings) {
                topics.addAll(b.topics());
                if (b.pattern() != null) {
                    patterns.add(b.pattern().pattern());
                }
            }
            if (!topics.isEmpty() && !subscribe(builder().topics(List.copyOf(topics)), consumers)) {
                return;
            }
            for (String p : patterns) {
                if (!subscribe(builder().topicsPattern(Pattern.compile(p)), consumers)) {
                    return;
                }
            }
            sink.phase("STREAMING");
            LOG.info("Pulsar feed subscribed [subscription={}, type={}, topics={}, patterns={}]", subscription,
                    config.subscriptionType(), topics, patterns);
            while (!closed.get()) {
                for (Consumer<byte[]> consumer : consumers) {
                    pass(consumer);
                }
            }
        } catch (PulsarClientException e) {
            if (!closed.get()) {
                throw e;
            }
        } finally {
            consumers.forEach(PulsarChangeFeed::closeQuietly);
        }
    }

    /** One batch of one consumer: decode, apply, then acknowledge. */
    private void pass(Consumer<byte[]> consumer) throws PulsarClientException {
        Messages<byte[]> batch = consumer.batchReceive();
        if (batch.size() == 0) {
            return;
        }
        List<ChangeEvent> events = new ArrayList<>(batch.size());
        for (Message<byte[]> m : batch) {
            MessageDecoder.Received received = received(m);
            int before = events.size();
            for (PulsarBinding b : bindings) {
                if (b.reads(m.getTopicName())) {
                    events.add(MessageDecoder.decode(b, received));
                }
            }
            if (events.size() == before) {
                LOG.warn("a message of a topic no binding reads was skipped [subscription={}, topic={}, messageId={}]", subscription,
                        m.getTopicName(), m.getMessageId());
            }
        }
        if (!events.isEmpty()) {
            sink.apply(events);
        }
        consumer.acknowledge(batch);
    }

    private ConsumerBuilder<byte[]> builder() {
        return client.newConsumer(Schema.BYTES)
                .subscriptionName(subscription)
                .subscriptionType(config.subscriptionType())
                .subscriptionInitialPosition(config.initialPosition())
                .batchReceivePolicy(BatchReceivePolicy.builder().maxNumMessages(BATCH_MESSAGES).maxNumBytes(BATCH_BYTES)
                        .timeout(BATCH_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS).build());
    }

    /** Subscribes, or returns false when the feed was closed meanwhile. */
    private boolean subscribe(ConsumerBuilder<byte[]> builder, List<Consumer<byte[]>> consumers) throws Exception {
        CompletableFuture<Consumer<byte[]>> future = builder.subscribeAsync();
        while (true) {
            if (closed.get()) {
                future.thenAccept(PulsarChangeFeed::closeQuietly);
                return false;
            }
            try {
                consumers.add(future.get(100, TimeUnit.MILLISECONDS));
                return true;
            } catch (TimeoutException e) {
                // not subscribed yet: look at closed again
            } catch (ExecutionException e) {
                throw e.getCause() instanceof Exception cause ? cause : e;
            }
        }
    }

    static MessageDecoder.Received received(Message<byte[]> m) {
        long[] p = position(m.getMessageId());
        byte[] payload = m.getData() == null ? new byte[0] : m.getData();
        return new MessageDecoder.Received(m.getTopicName(), payload, m.hasKey() ? m.getKey() : null, p[0], p[1], m.getPublishTime());
    }

    /** {@code [ledgerId, entryId << 20 | (batchIndex + 1)]}: see the class comment. */
    static long[] position(MessageId id) {
        if (id instanceof MessageIdAdv adv) {
            long batch = adv.getBatchIndex() < 0 ? 0 : (adv.getBatchIndex() + 1) & 0xFFFFF;
            return new long[] {adv.getLedgerId(), (adv.getEntryId() << 20) | batch};
        }
        throw new IllegalStateException("a Pulsar message id without ledger and entry: " + id.getClass().getName());
    }

    private static void closeQuietly(Consumer<byte[]> consumer) {
        try {
            consumer.close();
        } catch (PulsarClientException | RuntimeException e) {
            LOG.debug("closing a Pulsar consumer failed [topic={}]", consumer.getTopic(), e);
        }
    }

    @Override
    public void close() {
        closed.set(true);
    }
}
