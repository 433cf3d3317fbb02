package io.dih.server.sync;

import io.dih.api.SourceSpec;
import io.dih.spi.ChangeEvent;
import io.dih.spi.ChangeFeed;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's consumer of a STREAM source, as an Ignite node singleton: every server node runs one, all in the
 * source's consumer group (Kafka) or subscription (Pulsar), so the topics' partitions spread over the nodes and move
 * to the others when a node leaves. Messages go through the {@link Applier} (per-key positions make a redelivered or
 * late message harmless; one a region cannot take is a dead letter); the connector commits or acknowledges them only
 * after that. While the broker cannot be reached it retries with backoff, in state RETRYING.
 */
public final class StreamService extends FeedService<StreamState> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(StreamService.class);

    public StreamService(String source) {
        super(source);
    }

    /** The service name of a source's consumers. */
    public static String serviceName(String source) {
        return "dih-stream/" + source.toLowerCase(Locale.ROOT);
    }

    @Override
    String kind() {
        return "Stream";
    }

    @Override
    SourceSpec runnable(SyncEngine engine) {
        SourceSpec spec = engine.streams().spec(source);
        return spec == null || engine.streams().paused(source) ? null : spec;
    }

    /** A consumer started again on this node (resume, restart) goes on counting. */
    @Override
    StreamState progress(SyncEngine engine) {
        StreamState last = engine.streams().state(source, engine.nodeName());
        StreamState st = last == null ? new StreamState() : last.copy();
        st.error = null;
        return st;
    }

    @Override
    FeedService.Publisher publisher(SyncEngine engine, StreamState st) {
        return new Publisher(engine, st);
    }

    @Override
    ChangeFeed open(SyncEngine engine, SourceSpec spec, FeedService.Publisher publisher) {
        return engine.streams().open(spec, publisher);
    }

    @Override
    void opened(StreamState st) {
        st.state = "RUNNING";
        st.error = null;
    }

    @Override
    void publishStopped(SyncEngine engine, StreamState st) {
        engine.streams().publish(source, st.copy());
    }

    /** Applies each batch and publishes progress; one per consumer run. */
    private final class Publisher implements FeedService.Publisher {
        private final SyncEngine engine;
        private final StreamState st;
        private final FeedMeter meter = new FeedMeter();
        private long lastPublish;

        Publisher(SyncEngine engine, StreamState st) {
            this.engine = engine;
            this.st = st;
        }

        @Override
        public synchronized void apply(List<ChangeEvent> events) {
            AppliedChanges applied = engine.applier().apply(source, events);
            long now = System.currentTimeMillis();
            st.messages += events.size();
            st.skippedStale += applied.skippedCount();
            st.deadLetters += applied.deadLetteredCount();
            st.count(applied.regions());
            st.lastMessageAtMillis = now;
            for (ChangeEvent e : events) {
                long lag = Math.max(0, now - e.commitMillis());
                st.lastLagMillis = lag;
                st.maxLagMillis = Math.max(st.maxLagMillis, lag);
                meter.lag(lag);
                engine.streams().recordLag(source, lag);
            }
            publish(false);
        }

        /** Publishes now when forced, else at most once a second (a ticker calls this every second too). */
        @Override
        public synchronized void publish(boolean force) {
            long now = System.currentTimeMillis();
            if (!force && now - lastPublish < 1000) {
                return;
            }
            lastPublish = now;
            st.messagesPerSecond = meter.rate(now, st.messages);
            st.lagP50Millis = meter.lagQuantile(0.5);
            st.lagP99Millis = meter.lagQuantile(0.99);
            st.publishedAtMillis = now;
            try {
                engine.streams().publish(source, st.copy());
            } catch (RuntimeException e) {
                LOG.debug("Cannot publish the stream state of {}: {}", source, e.getMessage());
            }
        }
    }
}
