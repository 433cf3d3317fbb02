package io.dih.connector.pulsar;

import static java.util.Objects.requireNonNull;

import io.dih.api.BindingSpec;
import io.dih.spi.Capability;
import io.dih.spi.ChangeFeed;
import io.dih.spi.ChangeSink;
import io.dih.spi.Connector;
import io.dih.spi.InvalidSpecException;
import io.dih.spi.SourceTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.PulsarClientException;
import org.apache.pulsar.client.api.SubscriptionType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Pulsar source: one shared {@link PulsarClient} per source and node, and a {@link PulsarChangeFeed} per
 * {@link #stream} call.
 *
 * <p>Topic checks: with {@code admin_url}, {@link #describe} refuses a topic that does not exist (field {@code topic},
 * or {@code topics}); without it, nothing is checked, and the broker decides when the feed subscribes: a broker that
 * auto-creates topics (standalone brokers, and the default {@code allowAutoTopicCreation=true}) creates the topic
 * empty, one that does not makes the feed fail with "topic does not exist". Patterns are never checked: they may match
 * topics created later.
 */
final class PulsarConnector implements Connector {
    private static final Logger LOG = LoggerFactory.getLogger(PulsarConnector.class);

    private final String sourceName;
    private final PulsarConnectorConfig config;
    private final PulsarClient client;
    private final PulsarAdminClient admin;
    private final Set<Capability> capabilities;
    private final AtomicBoolean closed = new AtomicBoolean();

    PulsarConnector(String sourceName, PulsarConnectorConfig config, PulsarClient client, PulsarAdminClient admin,
                    Set<Capability> capabilities) {
        this.sourceName = requireNonNull(sourceName, "sourceName is null");
        this.config = requireNonNull(config, "config is null");
        this.client = requireNonNull(client, "client is null");
        this.admin = admin;
        this.capabilities = Set.copyOf(capabilities);
    }

    @Override
    public boolean partitionOrdered() {
        // Failover and Exclusive give each partition to one consumer; Shared and Key_Shared split a partition by message or key
        return config.subscriptionType() == SubscriptionType.Failover || config.subscriptionType() == SubscriptionType.Exclusive;
    }

    @Override
    public Set<Capability> capabilities() {
        return capabilities;
    }

    @Override
    public SourceTable describe(BindingSpec binding) {
        PulsarBinding b = PulsarBinding.of(binding);
        if (admin != null) {
            String field = b.topicField(binding);
            for (String topic : b.topics()) {
                if (admin.partitions(topic).isEmpty()) {
                    throw new InvalidSpecException(field, "topic '" + topic + "' does not exist on " + admin.where());
                }
            }
        }
        return SourceTable.schemaless(b.name(), b.keyColumns());
    }

    @Override
    public ChangeFeed stream(String groupName, List<BindingSpec> bindings, ChangeSink sink) {
        requireNonNull(groupName, "groupName is null");
        List<PulsarBinding> parsed = bindings.stream().map(PulsarBinding::of).toList();
        return new PulsarChangeFeed(client, config, config.subscription(groupName), parsed, sink);
    }

    /**
     * Per partition (its full name, as events name their {@code stream}), the subscription's {@code msgBacklog} from the
     * admin API; empty without {@code admin_url}. Partitions the subscription has not reached yet are left out. Pulsar
     * counts the backlog in entries: a batch a producer sent as one entry counts once, however many messages it holds.
     */
    @Override
    public Map<String, Long> backlog(String groupName, List<BindingSpec> bindings) {
        if (admin == null) {
            return Map.of();
        }
        String subscription = config.subscription(groupName);
        Map<String, Long> out = new TreeMap<>();
        for (BindingSpec spec : bindings) {
            PulsarBinding b = PulsarBinding.of(spec);
            List<String> partitions = new ArrayList<>();
            b.topics().forEach(t -> partitions.addAll(admin.partitions(t)));
            if (b.pattern() != null) {
                partitions.addAll(admin.matching(b.pattern()));
            }
            for (String p : partitions) {
                admin.backlog(p, subscription).ifPresent(n -> out.put(p, n));
            }
        }
        return out;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                client.close();
            } catch (PulsarClientException e) {
                LOG.warn("closing the Pulsar client failed [source={}]", sourceName, e);
            }
        }
    }

    @Override
    public String toString() {
        return "PulsarConnector[source=" + sourceName + ", " + config + "]";
    }
}
