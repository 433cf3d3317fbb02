package io.dih.server.subscribe;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import org.apache.ignite.Ignite;
import org.apache.ignite.resources.IgniteInstanceResource;
import org.apache.ignite.services.Service;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster singleton that writes every region journal: one {@link Sequencer} per journaled region, all on one
 * thread. Ignite runs it on one server node and, when that node leaves or dies, starts it on another, whose own
 * {@link ShadowBuffer}s hold what the old one had not written yet. A journal whose region is gone is dropped here.
 */
public final class JournalService implements Service {
    private static final long serialVersionUID = 1L;
    public static final String NAME = "dih-journal";
    private static final Logger LOG = LoggerFactory.getLogger(JournalService.class);
    /** An unkept journal is dropped no sooner than this after its last subscriber (nodes note theirs every 5 s). */
    static final long MIN_IDLE_MILLIS = 15_000;
    /** How long after a drop a journal's cache is destroyed (every node has stopped following it by then). */
    static final long DESTROY_GRACE_MILLIS = 30_000;

    @IgniteInstanceResource
    private transient Ignite ignite;
    private transient volatile boolean cancelled;
    private transient volatile Thread runner;

    @Override
    public void cancel() {
        cancelled = true;
        Thread t = runner;
        if (t != null) {
            t.interrupt();
        }
    }

    @Override
    public void execute() {
        runner = Thread.currentThread();
        String node = ignite.name();
        Map<String, Sequencer> running = new HashMap<>();
        Map<String, Journals.Retention> retentions = new HashMap<>(); // read at each reconcile, not per batch
        long nextReconcile = 0;
        try {
            while (!cancelled) {
                Subscriptions subs = ignite.cluster().<String, Subscriptions>nodeLocalMap().get(Subscriptions.NODE_LOCAL_KEY);
                if (subs == null) {
                    Thread.sleep(200); // the node is starting: its hub services are not there yet
                    continue;
                }
                if (System.nanoTime() - nextReconcile > 0) {
                    reconcile(subs, running);
                    subs.destroyDroppedJournals(DESTROY_GRACE_MILLIS);
                    retentions.clear();
                    for (String region : running.keySet()) {
                        Journals.Retention r = subs.journals().retention(region);
                        if (r != null) {
                            retentions.put(region, r);
                        }
                    }
                    nextReconcile = System.nanoTime() + 500_000_000L;
                }
                boolean wrote = false;
                for (Sequencer s : running.values()) {
                    try {
                        wrote |= s.step();
                        Journals.Retention retention = retentions.get(s.region().toLowerCase(Locale.ROOT));
                        if (retention != null) {
                            s.trim(retention);
                        }
                    } catch (RuntimeException e) {
                        LOG.warn("Writing the journal of region {} failed (retrying): {}", s.region(), e.toString());
                        Thread.sleep(200);
                    }
                }
                if (!wrote) {
                    LockSupport.parkNanos(running.isEmpty() ? 200_000_000L : 20_000_000L); // a change unparks it at once
                    if (Thread.interrupted()) {
                        throw new InterruptedException();
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            LOG.info("Journal service stopped on {}", node);
        }
    }

    private void reconcile(Subscriptions subs, Map<String, Sequencer> running) {
        Set<String> wanted = new HashSet<>();
        for (String region : subs.journals().names()) {
            if (!subs.regionExists(region)) {
                subs.dropJournal(region, "its region was deleted");
                continue;
            }
            Journals.Retention retention = subs.journals().retention(region);
            Sequencer writing = running.get(region);
            if (retention != null && !retention.keep() && writing != null && writing.runningFor() > MIN_IDLE_MILLIS) {
                long idle = System.currentTimeMillis() - subs.feeds().followers().lastActive(region);
                if (idle > Math.max(retention.maxAgeSeconds() * 1000, MIN_IDLE_MILLIS)) {
                    subs.dropJournal(region, "no node had a subscriber for " + idle / 1000 + " s, longer than its retention");
                    running.remove(region);
                    continue;
                }
            }
            wanted.add(region);
            Sequencer current = running.get(region);
            if (current != null && retention != null && !current.epoch().equals(retention.epoch())) {
                running.remove(region); // the journal was dropped and started again between two rounds
            }
            if (!running.containsKey(region)) {
                try {
                    Sequencer s = new Sequencer(ignite, subs.journals(), subs.feeds(), subs.feeds().feed(region));
                    s.start();
                    running.put(region, s);
                } catch (RuntimeException e) {
                    LOG.warn("Cannot start the journal of region {} (retrying): {}", region, e.toString());
                }
            }
        }
        running.keySet().retainAll(wanted);
    }
}
