package io.dih.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/** Server processes that fixtures must not leave behind, and their work directories. */
final class ProcessTrees {
    private ProcessTrees() {
    }

    /** The live process whose id is on the first line of a pid file (PostgreSQL, MariaDB), if any. */
    static Optional<ProcessHandle> fromPidFile(Path pidFile) {
        try {
            List<String> lines = Files.readAllLines(pidFile, StandardCharsets.US_ASCII);
            if (lines.isEmpty() || lines.get(0).isBlank()) {
                return Optional.empty();
            }
            return ProcessHandle.of(Long.parseLong(lines.get(0).trim())).filter(ProcessHandle::isAlive);
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * Ends a process and its descendants: a polite signal first, a kill after {@code grace}.
     *
     * @throws IllegalStateException if the process is still alive 10 s after the kill
     */
    static void terminate(ProcessHandle process, Duration grace, String what) {
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroy();
        if (!awaitExit(process, grace)) {
            process.destroyForcibly();
        }
        descendants.forEach(ProcessHandle::destroyForcibly);
        if (!awaitExit(process, Duration.ofSeconds(10))) {
            throw new IllegalStateException(what + " [pid=" + process.pid() + "] did not exit 10 s after SIGKILL");
        }
    }

    private static boolean awaitExit(ProcessHandle process, Duration timeout) {
        try {
            process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return !process.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }

    /** Deletes a directory tree; what cannot be deleted stays (the caller's log says where). */
    static void deleteQuietly(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // best effort: a left-over file in the temporary directory does no harm
                }
            });
        } catch (IOException e) {
            // best effort, as above
        }
    }

    /** The last lines of a server's log file, for failure messages. */
    static String tail(Path logFile, int lines) {
        try {
            List<String> all = new String(Files.readAllBytes(logFile), StandardCharsets.UTF_8).lines().toList();
            return String.join(System.lineSeparator(), all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log at " + logFile + ": " + e + ")";
        }
    }

    /** Whether work directories are kept after close, for post-mortems: {@code -Ddih.testing.keepWorkDirs=true}. */
    /** Removes a fixture's shutdown hook unless the JVM is already running it (then its stop is underway anyway). */
    static void removeShutdownHook(Thread hook) {
        if (hook == null || Thread.currentThread() == hook) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: the hook runs (or ran) the fixture's stop, which is idempotent
        }
    }

    /** A new work directory for a fixture under {@code java.io.tmpdir}. */
    static Path createWorkDir(String prefix, String what) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a work directory for " + what, e);
        }
    }

    static boolean keepWorkDirs() {
        return Boolean.getBoolean("dih.testing.keepWorkDirs");
    }

    /**
     * Stops a fixture's server once ({@code stopped} guards it): its shutdown hook goes, its process tree is terminated
     * (no process: nothing to terminate), and its work directory is deleted — unless {@code keepWorkDir} (a start that
     * failed: the logs explain it) or {@code -Ddih.testing.keepWorkDirs=true}.
     */
    static void stopOnce(AtomicBoolean stopped, Thread shutdownHook, Process process, Duration grace, String what, Path workDir,
                         boolean keepWorkDir) {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        removeShutdownHook(shutdownHook);
        if (process != null) {
            terminate(process.toHandle(), grace, what);
        }
        if (!keepWorkDir && !keepWorkDirs()) {
            deleteQuietly(workDir);
        }
    }
}
