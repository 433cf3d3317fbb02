package io.dih.connector.jdbc;

import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;
import io.debezium.embedded.Connect;
import io.dih.spi.ChangeFeed;
import io.dih.spi.ChangeSink;
import io.dih.spi.OffsetStore;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A change feed on Debezium's embedded engine: PostgreSQL (pgoutput on a replication slot and a publication of the
 * feed's name, limited to the bound tables) or MariaDB/MySQL (the binlog, with its schema history in the hub's store).
 * With no stored offsets it snapshots the tables first. Offsets live in the hub's {@link OffsetStore}; Debezium saves
 * them only after {@link ChangeSink#apply} returned for the changes before them.
 */
final class DebeziumChangeFeed implements ChangeFeed {
    private static final Logger LOG = LoggerFactory.getLogger(DebeziumChangeFeed.class);

    private final String name;
    private final Properties props = new Properties();
    private final ChangeSink sink;
    private final String storeId = UUID.randomUUID().toString();
    private final OffsetStore offsets;
    /** Debezium's table id (schema.table or database.table), lower case, to the name the hub's bindings use. */
    private final Map<String, String> tableNames;
    private final LongSupplier snapshotRows;
    private final boolean binlog;
    private final Path work;
    private volatile DebeziumEngine<RecordChangeEvent<SourceRecord>> engine;
    private volatile boolean closed;
    private volatile boolean streaming;

    private DebeziumChangeFeed(String name, JdbcConnectorConfig config, String password, Map<String, String> tableNames,
                               OffsetStore offsets, ChangeSink sink, LongSupplier snapshotRows, boolean binlog) {
        this.name = name;
        this.sink = sink;
        this.offsets = offsets;
        this.tableNames = Map.copyOf(tableNames);
        this.snapshotRows = snapshotRows;
        this.binlog = binlog;
        try {
            this.work = Files.createTempDirectory("dih-cdc-");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot create a work directory for the change feed", e);
        }
        props.setProperty("name", name);
        props.setProperty("offset.storage", GridOffsetBackingStore.class.getName());
        props.setProperty("offset.storage.file.filename", work.resolve("unused-offsets.dat").toString());
        props.setProperty(GridOffsetBackingStore.STORE_ID, storeId);
        props.setProperty("offset.flush.interval.ms", "200");
        props.setProperty("database.hostname", config.host());
        props.setProperty("database.port", Integer.toString(config.port()));
        props.setProperty("database.user", config.user());
        props.setProperty("database.password", password == null ? "" : password);
        props.setProperty("topic.prefix", name);
        props.setProperty("table.include.list", String.join(",", tableNames.keySet().stream().map(DebeziumChangeFeed::regexQuote).toList()));
        props.setProperty("snapshot.mode", "initial");
        props.setProperty("skipped.operations", "none"); // the default drops TRUNCATE
        props.setProperty("tombstones.on.delete", "false");
        props.setProperty("time.precision.mode", "connect");
        props.setProperty("decimal.handling.mode", "precise");
        props.setProperty("binary.handling.mode", "bytes");
        // Debezium hands a batch over when it is full or after this wait (default 500 ms: half a second of lag when quiet)
        props.setProperty("poll.interval.ms", "10");
        props.setProperty("errors.max.retries", "0"); // the hub retries the whole feed, with backoff and a status
    }

    /** A PostgreSQL feed: slot and publication {@link #slotName(String)} of the feed's name. */
    static DebeziumChangeFeed postgres(String name, JdbcConnectorConfig config, String password, Map<String, String> tableNames,
                                       OffsetStore offsets, ChangeSink sink, LongSupplier snapshotRows) {
        DebeziumChangeFeed f = new DebeziumChangeFeed(name, config, password, tableNames, offsets, sink, snapshotRows, false);
        String slot = slotName(name);
        f.props.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
        f.props.setProperty("database.dbname", config.database());
        f.props.setProperty("database.connectTimeout", Integer.toString(config.connectTimeoutSeconds() * 1000));
        f.props.setProperty("plugin.name", "pgoutput");
        f.props.setProperty("slot.name", slot);
        f.props.setProperty("publication.name", slot);
        f.props.setProperty("publication.autocreate.mode", "filtered");
        return f;
    }

    /**
     * A MariaDB/MySQL feed on the binlog: it connects as a replica with a server id derived from the feed's name, and
     * keeps the DDL it has seen (its schema history) in the hub's store next to the offsets.
     */
    static DebeziumChangeFeed mariadb(String name, JdbcConnectorConfig config, String password, Map<String, String> tableNames,
                                      OffsetStore offsets, ChangeSink sink, LongSupplier snapshotRows) {
        DebeziumChangeFeed f = new DebeziumChangeFeed(name, config, password, tableNames, offsets, sink, snapshotRows, true);
        f.props.setProperty("connector.class", "io.debezium.connector.mariadb.MariaDbConnector");
        f.props.setProperty("database.server.id", Long.toString(serverId(name)));
        f.props.setProperty("database.include.list", regexQuote(config.database()));
        f.props.setProperty("database.ssl.mode", "disable");
        f.props.setProperty("connect.timeout.ms", Integer.toString(config.connectTimeoutSeconds() * 1000));
        f.props.setProperty("schema.history.internal", GridSchemaHistory.class.getName());
        // the history sees only the settings under its prefix
        f.props.setProperty(GridSchemaHistory.STORE_ID, f.storeId);
        f.props.setProperty("schema.history.internal.store.only.captured.tables.ddl", "true");
        f.props.setProperty("include.schema.changes", "false");
        return f;
    }

    /** The replica server id of a binlog feed: stable per feed name, away from the small ids servers use. */
    static long serverId(String feedName) {
        return 100_000L + (feedName.toLowerCase(java.util.Locale.ROOT).hashCode() & 0x3fffffffL);
    }

    private static String regexQuote(String name) {
        return name.replace(".", "\\.");
    }

    /** The replication slot and publication of a feed: its name, as a PostgreSQL identifier. */
    static String slotName(String feedName) {
        return feedName.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
    }

    @Override
    public void run() throws Exception {
        GridOffsetBackingStore.STORES.put(storeId, offsets);
        if (offsets.load().isEmpty()) { // a snapshot comes first: count its rows for progress, off the engine's way
            Thread counter = new Thread(() -> {
                try {
                    sink.snapshotTotal(snapshotRows.getAsLong());
                } catch (RuntimeException e) {
                    LOG.debug("Counting the snapshot rows of {} failed: {}", name, e.getMessage());
                }
            }, "dih-cdc-count-" + name);
            counter.setDaemon(true);
            counter.start();
        }
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try {
            engine = DebeziumEngine.create(ChangeEventFormat.of(Connect.class))
                    .using(props)
                    .notifying(this::handle)
                    .using((success, message, error) -> {
                        if (!success && !closed) {
                            failure.set(error != null ? error : new IllegalStateException(message));
                        }
                    })
                    .build();
            if (closed) {
                return;
            }
            engine.run();
        } finally {
            GridOffsetBackingStore.STORES.remove(storeId);
            close();
            deleteQuietly(work);
        }
        Throwable t = failure.get();
        if (t != null) {
            throw t instanceof Exception e ? e : new IllegalStateException(t);
        }
    }

    private void handle(List<RecordChangeEvent<SourceRecord>> records,
                        DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer) throws InterruptedException {
        List<io.dih.spi.ChangeEvent> events = new ArrayList<>(records.size());
        for (RecordChangeEvent<SourceRecord> r : records) {
            io.dih.spi.ChangeEvent e = convert(r.record());
            if (e != null) {
                events.add(e);
            }
        }
        if (!events.isEmpty()) {
            if (!streaming && events.stream().anyMatch(e -> !e.snapshot())) {
                streaming = true;
                sink.phase("STREAMING");
            } else if (!streaming) {
                sink.phase("SNAPSHOT");
            }
            sink.apply(events); // a throw leaves the offsets unsaved: the changes come again
        }
        if (!streaming && records.stream().anyMatch(r -> lastOfSnapshot(r.record()))) {
            streaming = true; // the snapshot is complete; what comes next is streamed
            sink.phase("STREAMING");
        }
        for (RecordChangeEvent<SourceRecord> r : records) {
            committer.markProcessed(r);
        }
        committer.markBatchFinished();
    }

    private static boolean lastOfSnapshot(SourceRecord record) {
        if (!(record.value() instanceof Struct value) || value.schema().field("source") == null) {
            return false;
        }
        Struct source = value.getStruct("source");
        return source.schema().field("snapshot") != null && "last".equals(String.valueOf(source.get("snapshot")));
    }

    /** One Debezium change record as the hub's change event; {@code null} for what is not a row change of a bound table. */
    io.dih.spi.ChangeEvent convert(SourceRecord record) {
        if (!(record.value() instanceof Struct value) || value.schema().field("op") == null) {
            return null; // a tombstone, a heartbeat, a schema change
        }
        String op = value.getString("op");
        Struct source = value.getStruct("source");
        String id = (binlog ? source.getString("db") : source.getString("schema")) + "." + source.getString("table");
        String table = tableNames.get(id.toLowerCase(java.util.Locale.ROOT));
        if (table == null) {
            return null; // a table the feed does not follow (a publication can name more than the bindings do)
        }
        long ts = source.getInt64("ts_ms") == null ? System.currentTimeMillis() : source.getInt64("ts_ms");
        Object snap = source.schema().field("snapshot") == null ? null : source.get("snapshot");
        boolean snapshot = "r".equals(op) || (snap != null && !"false".equals(snap.toString()));
        // without a primary key there is no record key: the row image before the change holds the key columns
        Map<String, Object> key = record.key() instanceof Struct k ? values(k)
                : value.schema().field("before") != null ? values(value.getStruct("before")) : Map.of();
        long position = binlog ? binlogPosition(source) : lsn(source);
        long sequence = binlog ? binlogSequence(record.sourceOffset()) : 0;
        return switch (op) {
            case "c", "u", "r" -> new io.dih.spi.ChangeEvent(io.dih.spi.ChangeEvent.Kind.UPSERT, table, key, values(value.getStruct("after")),
                    position, sequence, ts, snapshot);
            case "d" -> new io.dih.spi.ChangeEvent(io.dih.spi.ChangeEvent.Kind.DELETE, table, key, null, position, sequence, ts, snapshot);
            case "t" -> new io.dih.spi.ChangeEvent(io.dih.spi.ChangeEvent.Kind.TRUNCATE, table, Map.of(), null, position, sequence, ts, snapshot);
            default -> null;
        };
    }

    private static long lsn(Struct source) {
        Long lsn = source.schema().field("lsn") == null ? null : source.getInt64("lsn");
        return lsn == null ? 0 : lsn;
    }

    /**
     * A binlog change's position: its transaction's binlog file sequence number (high 32 bits) and offset in that file
     * (low 32 bits; files stop at 1 GiB). Every change of one transaction shares it: {@link #binlogSequence} orders them.
     */
    static long binlogPosition(Struct source) {
        String file = source.getString("file");
        long fileIndex = 0;
        if (file != null && file.lastIndexOf('.') >= 0) {
            try {
                fileIndex = Long.parseLong(file.substring(file.lastIndexOf('.') + 1));
            } catch (NumberFormatException ignored) {
                // not a numbered binlog file: order by offset only
            }
        }
        long pos = source.getInt64("pos") == null ? 0 : source.getInt64("pos");
        return (fileIndex << 32) | (pos & 0xffffffffL);
    }

    /**
     * Orders the changes of one binlog transaction: the number of binlog events since the transaction began (high 40
     * bits) and the row within its event (low 24 bits), as Debezium's offset counts them to resume mid-transaction.
     */
    static long binlogSequence(Map<String, ?> offset) {
        long event = offset.get("event") instanceof Number n ? n.longValue() : 0;
        long row = offset.get("row") instanceof Number n ? n.longValue() : 0;
        return (event << 24) | Math.min(row, (1L << 24) - 1);
    }

    /** A row struct's columns as plain Java values (timestamps, dates, decimals, bytes as JDBC would give them). */
    static Map<String, Object> values(Struct s) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (s == null) {
            return out;
        }
        for (Field f : s.schema().fields()) {
            out.put(f.name(), value(f.schema(), s.get(f)));
        }
        return out;
    }

    private static Object value(Schema schema, Object v) {
        if (v == null) {
            return null;
        }
        String logical = schema.name();
        if (logical != null) {
            switch (logical) {
                case "org.apache.kafka.connect.data.Timestamp" -> {
                    return new java.sql.Timestamp(((java.util.Date) v).getTime());
                }
                case "org.apache.kafka.connect.data.Date" -> {
                    return java.sql.Date.valueOf(((java.util.Date) v).toInstant().atZone(ZoneOffset.UTC).toLocalDate());
                }
                case "org.apache.kafka.connect.data.Time" -> {
                    return java.sql.Time.valueOf(((java.util.Date) v).toInstant().atZone(ZoneOffset.UTC).toLocalTime());
                }
                case "io.debezium.data.VariableScaleDecimal" -> {
                    Struct d = (Struct) v;
                    byte[] unscaled = d.getBytes("value");
                    return new BigDecimal(new BigInteger(unscaled), d.getInt32("scale"));
                }
                default -> {
                    // Decimal arrives as BigDecimal; zoned timestamps, UUIDs and JSON as text
                }
            }
        }
        if (v instanceof ByteBuffer b) {
            byte[] bytes = new byte[b.remaining()];
            b.duplicate().get(bytes);
            return bytes;
        }
        if (v instanceof Struct st) {
            return values(st);
        }
        return v;
    }

    @Override
    public void close() {
        closed = true;
        DebeziumEngine<?> e = engine;
        if (e != null) {
            try {
                e.close();
            } catch (java.io.IOException | RuntimeException ex) {
                LOG.debug("Closing the change feed {} failed: {}", name, ex.getMessage());
            }
        }
    }

    private static void deleteQuietly(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (java.io.IOException | RuntimeException ignored) {
            // a temp directory left behind
        }
    }
}
