package io.dih.server.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.dih.server.testing.HubProcess;
import io.dih.server.testing.ReadmeTour;
import io.dih.testing.Await;
import io.dih.testing.FreePorts;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's 5-minute tour, run as written against the demo hub started as the quick start says: every shell
 * command of the tour in order, in one bash session, each output the README shows checked; then the SDK snippet,
 * compiled and run. A README edit that breaks the tour fails here.
 *
 * <p>Only the ports differ from a reader's run: the hub listens on free ports, so {@code localhost:8080} and
 * {@code localhost:10800} in the commands are replaced by them, and the shell has {@code DIH_THIN_CLIENT_PORT} (which
 * the jar's {@code sql} command reads, as the node does). A read whose output is shown is repeated for up to 30 s
 * until it shows it: CDC, loads and write-behind are asynchronous, and the README says so next to them.
 */
class ReadmeTourIT {
    private static final String END = "@@DIH_STEP_END";
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration EVENTUALLY = Duration.ofSeconds(30);

    @TempDir
    Path work;

    @Test
    void theTourRunsAsWritten() throws Exception {
        Path jar = HubProcess.jar().toAbsolutePath();
        Path root = jar.getParent().getParent().getParent();
        ReadmeTour tour = ReadmeTour.parse(Files.readString(root.resolve("README.md")));
        assertThat(tour.steps()).as("the tour's shell commands").hasSizeGreaterThan(20);
        assertThat(tour.snippets()).as("the tour's SDK snippet").hasSize(1);

        int disco = FreePorts.next();
        Map<String, String> env = Map.of(
                "DIH_DISCOVERY_PORT", Integer.toString(disco), "DIH_DISCOVERY_PORT_RANGE", "0",
                "DIH_DISCOVERY_ADDRESSES", "127.0.0.1:" + disco,
                "DIH_COMMUNICATION_PORT", Integer.toString(FreePorts.next()), "DIH_COMMUNICATION_PORT_RANGE", "0");
        try (HubProcess hub = HubProcess.start(work.resolve("hub"), env, List.of())) {
            Path log = work.resolve("hub/node.log");
            Await.until(Duration.ofSeconds(60), "the demo hub prints 'Ready in'", () -> {
                try {
                    return Files.readString(log).contains("Ready in");
                } catch (IOException e) {
                    return false;
                }
            });
            String gateway = hub.baseUrl().substring(hub.baseUrl().lastIndexOf(':') + 1);
            String thin = Integer.toString(hub.thinClientPort());
            List<String> failures = new ArrayList<>();
            try (Shell shell = new Shell(root, Map.of("DIH_THIN_CLIENT_PORT", thin))) {
                for (ReadmeTour.Step step : tour.steps()) {
                    String command = step.command().replace("localhost:8080", "localhost:" + gateway).replace("localhost:10800", "localhost:" + thin);
                    Shell.Result r = shell.run(command);
                    long until = System.nanoTime() + EVENTUALLY.toNanos();
                    while (step.expected() != null && step.readOnly() && r.exit() == 0 && !ReadmeTour.matches(step.expected(), r.output())
                            && System.nanoTime() < until) {
                        Thread.sleep(500);
                        r = shell.run(command);
                    }
                    System.out.println("$ " + command + "\n" + r.output() + "[exit " + r.exit() + "]");
                    if (r.exit() != 0) {
                        failures.add(String.format("README line %d exits %d: %s%n%s", step.line(), r.exit(), command, r.output()));
                    } else if (step.expected() != null && !ReadmeTour.matches(step.expected(), r.output())) {
                        failures.add(String.format("README line %d: %s%nprints%n%s%nbut the README shows%n%s", step.line(), command, r.output(),
                                step.expected()));
                    }
                }
            }
            ReadmeTour.JavaSnippet snippet = tour.snippets().get(0);
            try {
                List<String> printed = runSnippet(snippet, "localhost:" + gateway, "localhost:" + thin);
                boolean same = printed.size() == snippet.expectedLines().size();
                for (int i = 0; same && i < printed.size(); i++) {
                    same = ReadmeTour.matches(snippet.expectedLines().get(i), printed.get(i));
                }
                if (!same) {
                    failures.add(String.format("the SDK snippet (README line %d) prints%n%s%nbut the README shows%n%s", snippet.line(),
                            String.join("\n", printed), String.join("\n", snippet.expectedLines())));
                }
            } catch (Exception | AssertionError e) {
                failures.add(String.format("the SDK snippet (README line %d) fails: %s", snippet.line(), e));
            }
            // every broken step at once: one README edit can then fix them all
            assertThat(failures).as("tour steps that do not do what the README shows (node log tail:%n%s)", hub.logTail()).isEmpty();
            assertThat(hub.terminate(Duration.ofSeconds(60))).as(hub.logTail()).isIn(0, 143);
        }
    }

    /** Compiles the snippet as the body of a main method (its imports above) and runs it; returns the lines it printed. */
    private List<String> runSnippet(ReadmeTour.JavaSnippet snippet, String rest, String thin) throws Exception {
        String body = snippet.body().replace("localhost:8080", rest).replace("localhost:10800", thin);
        String source = String.join("\n", snippet.imports()) + "\n\npublic class ReadmeSnippet {\n"
                + "    public static void main(String[] args) throws Exception {\n" + body + "    }\n}\n";
        Path src = Files.createDirectories(work.resolve("snippet/src"));
        Path classes = Files.createDirectories(work.resolve("snippet/classes"));
        Files.writeString(src.resolve("ReadmeSnippet.java"), source);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int rc = javac.run(null, diagnostics, diagnostics, "-d", classes.toString(), "-cp", System.getProperty("java.class.path"),
                src.resolve("ReadmeSnippet.java").toString());
        assertThat(rc).as("the README's SDK snippet compiles:%n%s%n%s", source, diagnostics.toString(StandardCharsets.UTF_8)).isZero();
        PrintStream out = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader())) {
            Method main = loader.loadClass("ReadmeSnippet").getMethod("main", String[].class);
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            main.invoke(null, (Object) new String[0]);
        } finally {
            System.setOut(out);
        }
        String printed = captured.toString(StandardCharsets.UTF_8);
        System.out.println("SDK snippet printed:\n" + printed);
        List<String> lines = new ArrayList<>();
        printed.lines().filter(l -> !l.isBlank()).forEach(lines::add);
        return lines;
    }

    /** One bash session: variables set by one command are there for the next, as in a reader's terminal. */
    private static final class Shell implements AutoCloseable {
        record Result(int exit, String output) {
        }

        private final Process bash;
        private final OutputStream stdin;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

        Shell(Path dir, Map<String, String> env) throws IOException {
            ProcessBuilder pb = new ProcessBuilder("bash", "--noprofile", "--norc").directory(dir.toFile()).redirectErrorStream(true);
            pb.environment().putAll(env);
            bash = pb.start();
            stdin = bash.getOutputStream();
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(bash.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line = r.readLine(); line != null; line = r.readLine()) {
                        lines.add(line);
                    }
                } catch (IOException ignored) {
                    // the shell is gone
                }
            }, "readme-tour-shell");
            reader.setDaemon(true);
            reader.start();
        }

        Result run(String command) throws IOException, InterruptedException {
            stdin.write((command + "\nprintf '\\n" + END + " %s\\n' $?\n").getBytes(StandardCharsets.UTF_8));
            stdin.flush();
            StringBuilder out = new StringBuilder();
            long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
            while (true) {
                String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (line == null) {
                    throw new AssertionError("no answer within " + STEP_TIMEOUT.toSeconds() + " s from: " + command + "\n" + out);
                }
                if (line.startsWith(END)) {
                    return new Result(Integer.parseInt(line.substring(END.length()).trim()), out.toString());
                }
                out.append(line).append('\n');
            }
        }

        @Override
        public void close() {
            bash.destroyForcibly();
        }
    }
}
