package io.dih.server.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dih.server.node.HubConfig;
import io.dih.server.node.HubConfigLoader;
import io.dih.server.node.HubNode;
import io.dih.testing.FreePorts;
import io.dih.testing.HubCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Real hub nodes in this JVM on free loopback ports, with a static IP finder that lists only their own discovery
 * ports (so they never join another process's cluster). Nodes can be stopped and started again with the same
 * name, ports and work directory, as a restart would.
 */
public final class TestingHubCluster implements AutoCloseable {
    private final Path workRoot;
    private final int[] discoveryPorts;
    private final HubNode[] nodes;
    private final Consumer<ObjectNode> customizer;
    private final String prefix;

    private TestingHubCluster(int size, Consumer<ObjectNode> customizer) {
        try {
            this.workRoot = Files.createTempDirectory("dih-test-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.prefix = "t" + Long.toString(System.nanoTime() % 1_000_000, 36);
        this.discoveryPorts = new int[size];
        for (int i = 0; i < size; i++) {
            discoveryPorts[i] = FreePorts.next();
        }
        this.nodes = new HubNode[size];
        this.customizer = customizer;
    }

    /** Starts {@code size} nodes, one after another, and returns once all serve requests. */
    public static TestingHubCluster start(int size, Consumer<ObjectNode> customizer) {
        TestingHubCluster c = new TestingHubCluster(size, customizer);
        try {
            for (int i = 0; i < size; i++) {
                c.startNode(i);
            }
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    public static TestingHubCluster start(int size) {
        return start(size, tree -> { });
    }

    /** The configuration node {@code i} runs with (before the customizer). */
    public HubConfig config(int i) {
        return new HubConfigLoader(Map.of()).load(tree(i));
    }

    private ObjectNode tree(int i) {
        List<Integer> all = new ArrayList<>();
        for (int p : discoveryPorts) {
            all.add(p);
        }
        ObjectNode t = HubConfigLoader.loopbackNode(prefix + "-node-" + i, workRoot.resolve("node-" + i), discoveryPorts[i], all,
                FreePorts.next(), FreePorts.next());
        t.putObject("storage").put("data_region_initial_mb", 16).put("data_region_max_mb", 256).put("system_region_max_mb", 40);
        t.putObject("security").put("admin_key", HubCredentials.ADMIN_KEY);
        customizer.accept(t);
        return t;
    }

    public HubNode startNode(int i) {
        synchronized (this) {
            if (nodes[i] != null) {
                throw new IllegalStateException("node " + i + " is running");
            }
        }
        HubNode n = HubNode.start(new HubConfigLoader(Map.of()).load(tree(i)));
        synchronized (this) {
            nodes[i] = n;
        }
        return n;
    }

    /**
     * Starts every stopped node at once, as a restarting cluster would (with persistence, each node waits for the
     * others of the baseline before it serves).
     */
    public void startStoppedInParallel() {
        List<Thread> threads = new ArrayList<>();
        List<RuntimeException> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < nodes.length; i++) {
            if (nodes[i] == null) {
                int idx = i;
                Thread t = new Thread(() -> {
                    try {
                        startNode(idx);
                    } catch (RuntimeException e) {
                        failures.add(e);
                    }
                }, "start-node-" + i);
                t.start();
                threads.add(t);
            }
        }
        for (Thread t : threads) {
            try {
                t.join(120_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        if (!failures.isEmpty()) {
            throw failures.get(0);
        }
    }

    /** Stops node {@code i}: gracefully, or abruptly ({@code cancel}: in-flight work is cancelled, no rebalancing wait). */
    public synchronized void stopNode(int i, boolean cancel) {
        HubNode n = nodes[i];
        nodes[i] = null;
        if (n == null) {
            return;
        }
        n.stop(cancel);
    }

    public HubNode node(int i) {
        HubNode n = nodes[i];
        if (n == null) {
            throw new IllegalStateException("node " + i + " is not running");
        }
        return n;
    }

    public int size() {
        return nodes.length;
    }

    public List<HubNode> running() {
        List<HubNode> out = new ArrayList<>();
        for (HubNode n : nodes) {
            if (n != null) {
                out.add(n);
            }
        }
        return out;
    }

    public Path workRoot() {
        return workRoot;
    }

    @Override
    public synchronized void close() {
        for (int i = nodes.length - 1; i >= 0; i--) {
            try {
                stopNode(i, false);
            } catch (RuntimeException e) {
                System.err.println("could not stop test node " + i + ": " + e);
            }
        }
        try (Stream<Path> files = Files.walk(workRoot)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("could not delete " + workRoot + ": " + e);
        }
    }
}
