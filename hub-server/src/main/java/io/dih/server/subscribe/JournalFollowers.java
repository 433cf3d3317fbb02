package io.dih.server.subscribe;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import javax.cache.Cache;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.cache.query.QueryCursor;
import org.apache.ignite.cache.query.ScanQuery;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The journals' cluster-wide bookkeeping in {@link JournalCaches#FEEDERS}: which node follows which journaled region
 * ({@code <region>/<node>}, since when), when a node last had a subscriber to it ({@code <region>/active/<node>}), and
 * dropped journals whose cache is still to be destroyed ({@code <region>/dropped/<epoch>}).
 */
final class JournalFollowers {
    private static final Logger LOG = LoggerFactory.getLogger(JournalFollowers.class);
    private static final String DROPPED = "/dropped/";

    private final IgniteCache<String, Long> feeders;
    private final String localNode;
    private volatile Supplier<Set<String>> active = Set::of;

    JournalFollowers(IgniteCache<String, Long> feeders, String localNode) {
        this.feeders = requireNonNull(feeders, "feeders is null");
        this.localNode = requireNonNull(localNode, "localNode is null");
    }

    private static String feederKey(String region, String node) {
        return region.toLowerCase(Locale.ROOT) + "/" + node;
    }

    private static String activeKey(String region, String node) {
        return region.toLowerCase(Locale.ROOT) + "/active/" + node;
    }

    /** This node's consistent id. */
    String localNode() {
        return localNode;
    }

    /** This node follows the region since {@code registeredAt}. */
    void followed(String region, long registeredAt) {
        feeders.put(feederKey(region, localNode), registeredAt);
    }

    /** This node no longer follows the region. */
    void unfollowed(String region) {
        feeders.remove(feederKey(region, localNode));
    }

    /** Whether the node follows the region (it has registered its continuous query). */
    boolean follows(String region, String node) {
        return feeders.containsKey(feederKey(region, node));
    }

    /** Installs what names the regions this node has subscribers to (their journals are in use). */
    void reportActive(Supplier<Set<String>> regions) {
        this.active = requireNonNull(regions, "regions is null");
    }

    /** Notes that the region's journal is in use now (a subscriber of this node), so an unkept journal is not dropped. */
    void touch(String region) {
        feeders.put(activeKey(region, localNode), System.currentTimeMillis());
    }

    /** Notes every journal this node's subscribers use (every few seconds). */
    void touchActive() {
        try {
            active.get().forEach(this::touch);
        } catch (RuntimeException e) {
            LOG.debug("Noting journals in use failed: {}", e.toString());
        }
    }

    /** When any node last had a subscriber to the region (epoch millis, that node's clock), or 0. */
    long lastActive(String region) {
        String prefix = region.toLowerCase(Locale.ROOT) + "/active/";
        long last = 0;
        try (QueryCursor<Cache.Entry<String, Long>> cur = feeders.query(new ScanQuery<>((k, v) -> k.startsWith(prefix)))) {
            for (Cache.Entry<String, Long> e : cur) {
                last = Math.max(last, e.getValue());
            }
        }
        return last;
    }

    /** Forgets a dropped journal's activity and followers (not its tombstone). */
    void forget(String region) {
        String prefix = region.toLowerCase(Locale.ROOT) + "/";
        List<String> keys = new ArrayList<>();
        try (QueryCursor<Cache.Entry<String, Long>> cur = feeders.query(new ScanQuery<>((k, v) -> k.startsWith(prefix) && !k.contains(DROPPED)))) {
            cur.forEach(e -> keys.add(e.getKey()));
        }
        feeders.removeAll(new HashSet<>(keys));
    }

    /** Notes a dropped journal whose cache is to be destroyed later ({@link #tombstones}). */
    void tombstone(String region, String epoch) {
        feeders.put(region.toLowerCase(Locale.ROOT) + DROPPED + epoch, System.currentTimeMillis());
    }

    /** The dropped journals noted more than {@code graceMillis} ago (region → epoch); their notes are removed. */
    Map<String, String> tombstones(long graceMillis) {
        Map<String, String> out = new HashMap<>();
        long before = System.currentTimeMillis() - graceMillis;
        List<String> done = new ArrayList<>();
        try (QueryCursor<Cache.Entry<String, Long>> cur = feeders.query(new ScanQuery<>((k, v) -> k.contains(DROPPED)))) {
            for (Cache.Entry<String, Long> e : cur) {
                if (e.getValue() < before) {
                    int at = e.getKey().indexOf(DROPPED);
                    out.put(e.getKey().substring(0, at), e.getKey().substring(at + DROPPED.length()));
                    done.add(e.getKey());
                }
            }
        }
        feeders.removeAll(new HashSet<>(done));
        return out;
    }
}
