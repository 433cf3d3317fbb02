package io.dih.server.node;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dih.spi.InvalidSpecException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code java -jar hub-server.jar} starts the one-node demo hub (REST on 8080, thin client / JDBC on 10800, demo
 * regions with sample data); {@code --config FILE} starts a real node from a hub.yaml.
 */
@Command(name = "hub-server", mixinStandardHelpOptions = true, version = "dih 0.1.0",
        description = "Starts a Digital Integration Hub node (Ignite server + REST gateway).",
        subcommands = SqlCommand.class)
public final class HubMain implements Callable<Integer> {
    /** The demo's bootstrap file, shipped in the jar. */
    public static final String DEMO_BOOTSTRAP = Bootstrap.CLASSPATH_PREFIX + HubConfigLoader.CLASSPATH_DIR + "demo-bootstrap.yaml";

    @Option(names = "--config", description = "hub.yaml of this node; without it the node starts the demo")
    Path config;

    @Option(names = "--demo", description = "apply the demo bootstrap even with --config")
    boolean demo;

    @Option(names = "--demo-postgres", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "with the demo: start a PostgreSQL with sample tables behind the customers, orders and order_notes regions (default: on)")
    boolean demoPostgres;

    @Option(names = "--verbose", description = "log at INFO: the hub and every library in it (same as DIH_LOG_LEVEL=INFO)")
    boolean verbose;

    @Option(names = "--exit-on-stdin-eof", hidden = true,
            description = "stop when standard input closes (test fixtures: the node dies with its parent)")
    boolean exitOnStdinEof;

    public static void main(String[] args) {
        // before anything logs: logback reads its level from here (see logback.xml)
        if (java.util.Arrays.asList(args).contains("--verbose") && System.getProperty("DIH_LOG_LEVEL") == null) {
            System.setProperty("DIH_LOG_LEVEL", "INFO");
        }
        System.setProperty("h2.serializeJavaObject", "false"); // values are BinaryObjects; no Java serialization in SQL
        System.setProperty("IGNITE_NO_SHUTDOWN_HOOK", "true"); // our hook stops the gateway first, then Ignite
        System.setProperty("IGNITE_UPDATE_NOTIFIER", "false");
        System.setProperty("IGNITE_QUIET", System.getProperty("IGNITE_QUIET", "true"));
        System.setProperty("IGNITE_NO_ASCII", "true");
        System.setProperty("IGNITE_PERFORMANCE_SUGGESTIONS_DISABLED", "true");
        System.setProperty("java.net.preferIPv4Stack", "true");
        System.exit(new CommandLine(new HubMain()).execute(args));
    }

    @Override
    public Integer call() throws InterruptedException {
        HubConfigLoader loader = new HubConfigLoader(System.getenv());
        HubConfig cfg;
        try {
            if (config == null) {
                ObjectNode demoTree = JsonNodeFactory.instance.objectNode();
                demoTree.put("bootstrap", DEMO_BOOTSTRAP);
                demoTree.putObject("node").put("work_dir", Path.of(System.getProperty("java.io.tmpdir"), "dih-demo-" + ProcessHandle.current().pid()).toString());
                demoTree.putObject("security").put("enabled", false); // the demo is open; DIH_SECURITY_ENABLED=true closes it
                cfg = loader.load(demoTree);
            } else {
                cfg = loader.load(config);
                if (demo && cfg.bootstrap() == null) {
                    cfg = cfg.withBootstrap(DEMO_BOOTSTRAP);
                }
            }
        } catch (InvalidSpecException e) {
            System.err.println("Invalid configuration: " + e.getMessage());
            return 2;
        }
        Optional<String> busy = PortCheck.busy(cfg);
        if (busy.isPresent()) {
            System.err.println(busy.get());
            return 2;
        }
        boolean demoRun = config == null;
        boolean withDemoDb = demoRun && demoPostgres;
        Path workDir = Path.of(cfg.node().workDir());
        CountDownLatch stopped = new CountDownLatch(1);
        String name = cfg.node().name();
        AtomicReference<HubNode> started = new AtomicReference<>();
        AtomicReference<DemoDatabase> demoStarted = new AtomicReference<>();
        // registered before anything starts: a Ctrl-C while the demo starts must still stop its PostgreSQL
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            HubNode n = started.get();
            if (n != null) {
                System.out.println("Stopping hub node " + name + " ...");
                n.close(); // write-behind drains into the demo PostgreSQL first, so it stops after the node
            }
            DemoDatabase db = demoStarted.get();
            if (db != null) {
                db.close();
            } else if (withDemoDb) {
                DemoDatabase.stopUnfinished(workDir);
            }
            if (demoRun) {
                deleteTree(workDir); // the demo keeps nothing between runs
            }
            if (n != null) {
                System.out.println("Stopped.");
            }
            stopped.countDown();
        }, "dih-shutdown"));
        DemoDatabase demoDb = withDemoDb ? startDemoDatabase(cfg) : null;
        demoStarted.set(demoDb);
        HubNode node = HubNode.start(cfg);
        started.set(node);
        if (demoDb != null) {
            DemoSources.register(node, demoDb.port());
        }
        if (exitOnStdinEof) {
            Thread watchdog = new Thread(() -> {
                try {
                    while (System.in.read() >= 0) {
                        // keep reading until the parent closes the pipe
                    }
                } catch (java.io.IOException ignored) {
                    // a broken pipe means the parent is gone as well
                }
                System.exit(0);
            }, "dih-stdin-watchdog");
            watchdog.setDaemon(true);
            watchdog.start();
        }
        System.out.print(Banner.text(node, demoDb == null ? -1 : demoDb.port(), Banner.jarCommand(),
                java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime()));
        System.out.flush();
        stopped.await();
        return 0;
    }

    private static DemoDatabase startDemoDatabase(HubConfig cfg) {
        try {
            String port = System.getenv("DIH_DEMO_POSTGRES_PORT");
            return DemoDatabase.start(Path.of(cfg.node().workDir()), port == null ? 0 : Integer.parseInt(port.trim()));
        } catch (java.io.IOException | RuntimeException e) {
            System.err.println("The demo PostgreSQL did not start (" + e.getMessage() + "); the demo runs without it. "
                    + "Use --no-demo-postgres to skip it.");
            return null;
        }
    }

    private static void deleteTree(Path dir) {
        try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            System.err.println("could not remove the demo work directory " + dir + ": " + e.getMessage());
        }
    }
}
