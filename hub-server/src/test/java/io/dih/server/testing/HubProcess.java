package io.dih.server.testing;

import io.dih.testing.Await;
import io.dih.testing.FreePorts;
import io.dih.testing.HubCredentials;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A hub node in its own JVM, started from the runnable jar exactly as an operator would ({@code java -jar
 * hub-server.jar}), configured through {@code DIH_*} environment variables on free loopback ports. It exits with
 * the test JVM (its standard input is a pipe from us), and can be stopped with SIGTERM or killed with SIGKILL.
 */
public final class HubProcess implements AutoCloseable {
    private final Process process;
    private final OutputStream stdin;
    private final Path log;
    private final int gatewayPort;
    private final int thinClientPort;

    private HubProcess(Process process, Path log, int gatewayPort, int thinClientPort) {
        this.process = process;
        this.stdin = process.getOutputStream();
        this.log = log;
        this.gatewayPort = gatewayPort;
        this.thinClientPort = thinClientPort;
    }

    /** The jar under test: built by the package phase, before failsafe runs. */
    public static Path jar() {
        String prop = System.getProperty("hub.jar");
        Path jar = prop != null ? Path.of(prop) : Path.of("target", "hub-server.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("the runnable jar " + jar.toAbsolutePath() + " is missing; run `mvn package` first");
        }
        return jar;
    }

    /**
     * Starts {@code size} node processes that form one cluster (node names {@code <name>-0..n}, each with a work
     * directory under {@code work}), one after another; {@code env} goes to every node. Close each when done.
     */
    public static List<HubProcess> startCluster(Path work, String name, int size, Map<String, String> env) {
        int[] disco = new int[size];
        for (int i = 0; i < size; i++) {
            disco[i] = FreePorts.next();
        }
        String addresses = java.util.stream.IntStream.of(disco).mapToObj(p -> "127.0.0.1:" + p)
                .collect(java.util.stream.Collectors.joining(","));
        List<HubProcess> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < size; i++) {
                Path dir = work.resolve("node-" + i);
                Files.createDirectories(dir);
                Path cfg = Files.writeString(dir.resolve("hub.yaml"), "node: {name: " + name + "-" + i + ", work_dir: " + dir.resolve("ignite") + "}\n");
                Map<String, String> nodeEnv = new java.util.HashMap<>(env);
                nodeEnv.put("DIH_DISCOVERY_PORT", Integer.toString(disco[i]));
                nodeEnv.put("DIH_DISCOVERY_PORT_RANGE", "0");
                nodeEnv.put("DIH_DISCOVERY_ADDRESSES", addresses);
                nodeEnv.put("DIH_COMMUNICATION_PORT", Integer.toString(FreePorts.next()));
                nodeEnv.put("DIH_COMMUNICATION_PORT_RANGE", "0");
                nodes.add(start(dir, nodeEnv, List.of("--config", cfg.toString())));
            }
            return nodes;
        } catch (IOException | RuntimeException e) {
            nodes.forEach(HubProcess::close);
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    /**
     * Starts {@code java -jar hub-server.jar [args]} with {@code env} on top of free ports for the gateway and
     * the thin client, and waits until its health endpoint answers.
     */
    public static HubProcess start(Path workDir, Map<String, String> env, List<String> args) {
        return start(workDir, env, args, 384);
    }

    /** {@link #start(Path, Map, List)} with a heap of {@code heapMb} megabytes. */
    public static HubProcess start(Path workDir, Map<String, String> env, List<String> args, int heapMb) {
        int gateway = FreePorts.next();
        int thin = FreePorts.next();
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heapMb + "m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar", jar().toAbsolutePath().toString(), "--exit-on-stdin-eof"));
        cmd.addAll(args);
        try {
            Files.createDirectories(workDir);
            Path log = workDir.resolve("node.log");
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().keySet().removeIf(k -> k.startsWith("DIH_") || k.startsWith("IGNITE_HOST_"));
            pb.environment().put("DIH_GATEWAY_HOST", "127.0.0.1");
            pb.environment().put("DIH_GATEWAY_PORT", Integer.toString(gateway));
            pb.environment().put("DIH_THIN_CLIENT_HOST", "127.0.0.1");
            pb.environment().put("DIH_THIN_CLIENT_PORT", Integer.toString(thin));
            pb.environment().put("DIH_STORAGE_DATA_REGION_MAX_MB", "256");
            pb.environment().put("DIH_ADMIN_KEY", HubCredentials.ADMIN_KEY);
            pb.environment().putAll(env);
            HubProcess p = new HubProcess(pb.start(), log, gateway, thin);
            Runtime.getRuntime().addShutdownHook(new Thread(p::kill));
            p.awaitHealthy(Duration.ofSeconds(90));
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitHealthy(Duration timeout) {
        Rest rest = new Rest(baseUrl());
        try {
            Await.until(timeout, "the hub process answers /health on port " + gatewayPort, () -> {
                if (!process.isAlive()) {
                    return true; // reported below: Await would only retry a failure
                }
                try {
                    return rest.get("/api/v1/dih/health").status() == 200;
                } catch (UncheckedIOException notYet) {
                    return false;
                }
            });
        } catch (AssertionError e) {
            kill();
            throw new AssertionError(e.getMessage() + "\n" + logTail(), e);
        }
        if (!process.isAlive()) {
            throw new IllegalStateException("the hub process exited with " + process.exitValue() + ":\n" + logTail());
        }
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + gatewayPort;
    }

    public int thinClientPort() {
        return thinClientPort;
    }

    public Process process() {
        return process;
    }

    /** SIGTERM, as Kubernetes or Ctrl-C would; returns the exit code. */
    public int terminate(Duration timeout) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("the hub process did not stop within " + timeout.toSeconds() + " s of SIGTERM\n" + logTail());
        }
        return process.exitValue();
    }

    /** SIGKILL: no shutdown hook, no goodbye to the cluster. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The log lines that contain {@code text} (any letter case). */
    public String logLines(String text) {
        try {
            StringBuilder out = new StringBuilder();
            for (String line : Files.readAllLines(log)) {
                if (line.toLowerCase(java.util.Locale.ROOT).contains(text.toLowerCase(java.util.Locale.ROOT))) {
                    out.append(line).append('\n');
                }
            }
            return out.toString();
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /**
     * Stops the node gracefully when it still runs (SIGTERM, so the demo's PostgreSQL, a daemon that outlives a
     * SIGKILL-ed parent, is stopped by the node's shutdown hook), and kills it only if it does not stop.
     */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            stdin.close();
        } catch (IOException ignored) {
            // already gone
        }
        kill();
    }
}
