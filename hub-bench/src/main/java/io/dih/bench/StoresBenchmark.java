package io.dih.bench;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import io.dih.api.BindingSpec;
import io.dih.api.RegionSpec;
import io.dih.api.SourceSpec;
import io.dih.api.SqlType;
import io.dih.server.json.Json;
import io.dih.server.node.HubConfigLoader;
import io.dih.server.node.HubNode;
import io.dih.server.sync.SourceStatus;
import io.dih.testing.FreePorts;
import io.dih.testing.TestingCassandraServer;
import io.dih.testing.TestingElasticsearchServer;
import io.dih.testing.TestingS3Server;
import io.minio.DownloadObjectArgs;
import io.minio.GetObjectArgs;
import java.io.BufferedWriter;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.LocalInputFile;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Loads from the stores of issue 14, each against the same data read by the store's own client alone, in one run:
 * a MinIO/S3 CSV object and the same rows as Parquet (the SDK, then Jackson's CSV parser or parquet-java), an
 * Elasticsearch index (a point in time paged with search_after over the REST API, documents parsed) and a Cassandra
 * table (the driver's paged full scan). The hub's time
 * is the load's own (first object or page read → last row in the region), after a warm-up load of the same data.
 */
@Command(name = "stores", mixinStandardHelpOptions = true,
        description = "MinIO/S3 (CSV, Parquet), Elasticsearch and Cassandra loads vs the store's client reading the same data alone.")
public final class StoresBenchmark implements Callable<Integer> {
    @Option(names = "--rows", defaultValue = "200000", description = "rows per store (default ${DEFAULT-VALUE})")
    int rows;

    private record Result(String path, long rows, double seconds) {
    }

    @Override
    public Integer call() throws Exception {
        Path work = Files.createTempDirectory("dih-bench-stores-");
        List<Result> results = new ArrayList<>();
        try (TestingS3Server s3 = TestingS3Server.start(); TestingElasticsearchServer es = TestingElasticsearchServer.start();
             TestingCassandraServer cassandra = TestingCassandraServer.start()) {
            s3.createBucket("bench");
            Path csv = work.resolve("rows.csv");
            try (BufferedWriter w = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
                w.write("id,name,amount,score\n");
                for (int i = 1; i <= rows; i++) {
                    w.write(i + ",name-" + i + "," + (i % 1000) + "," + (i % 97) * 0.5 + "\n");
                }
            }
            Path parquet = work.resolve("rows.parquet");
            writeParquet(parquet);
            for (String prefix : List.of("warm", "measured")) {
                s3.upload("bench", prefix + "-csv/rows.csv", csv);
                s3.upload("bench", prefix + "-parquet/rows.parquet", parquet);
            }
            fillIndex(es, "warm");
            fillIndex(es, "measured");
            fillTable(cassandra, "warm");
            fillTable(cassandra, "measured");

            rawCsv(s3, "warm-csv/rows.csv");
            results.add(timed("S3 SDK + Jackson CSV parse of the object", () -> rawCsv(s3, "measured-csv/rows.csv")));
            rawParquet(s3, work, "warm-parquet/rows.parquet");
            results.add(timed("S3 SDK download + parquet-java read of the object", () -> rawParquet(s3, work, "measured-parquet/rows.parquet")));
            rawEs(es, "warm");
            results.add(timed("Elasticsearch point in time + search_after pages (REST, JSON parsed)", () -> rawEs(es, "measured")));
            rawCassandra(cassandra, "warm");
            results.add(timed("Cassandra driver: paged full scan of the table, every column read", () -> rawCassandra(cassandra, "measured")));

            ObjectNode tree = BenchSupport.hubTree("bench-stores", work.resolve("hub"), FreePorts.next());
            try (HubNode node = HubNode.start(new HubConfigLoader(Map.of()).load(tree))) {
                Map<String, Object> s3Params = Map.of("endpoint", s3.endpoint(), "access_key", s3.accessKey(), "secret_key", s3.secretKey());
                for (String format : List.of("csv", "parquet")) {
                    load(node, "minio", s3Params, "warm_" + format, Map.of("bucket", "bench", "prefix", "warm-" + format + "/", "format", format));
                    results.add(new Result("hub load of the " + format.toUpperCase(Locale.ROOT) + " object", rows,
                            load(node, "minio", s3Params, "measured_" + format, Map.of("bucket", "bench", "prefix", "measured-" + format + "/",
                                    "format", format))));
                }
                Map<String, Object> esParams = Map.of("url", es.url(), "username", es.username(), "password", es.password());
                load(node, "elasticsearch", esParams, "warm_es", Map.of("index", "warm"));
                results.add(new Result("hub load of the index", rows, load(node, "elasticsearch", esParams, "measured_es", Map.of("index", "measured"))));
                Map<String, Object> cParams = Map.of("contact_points", cassandra.host(), "port", cassandra.port(), "local_datacenter",
                        cassandra.localDatacenter(), "keyspace", "bench", "username", TestingCassandraServer.USERNAME, "password",
                        TestingCassandraServer.PASSWORD);
                load(node, "cassandra", cParams, "warm_cassandra", Map.of("table", "warm"));
                results.add(new Result("hub load of the table", rows, load(node, "cassandra", cParams, "measured_cassandra", Map.of("table", "measured"))));
            }
        } finally {
            BenchSupport.deleteTree(work);
        }
        print(results);
        return 0;
    }

    private interface Body {
        long run() throws Exception;
    }

    private static Result timed(String path, Body body) throws Exception {
        long start = System.nanoTime();
        long n = body.run();
        return new Result(path, n, (System.nanoTime() - start) / 1e9);
    }

    private void writeParquet(Path file) throws Exception {
        MessageType schema = MessageTypeParser.parseMessageType(
                "message rows { required int32 id; required binary name (STRING); required int32 amount; required double score; }");
        SimpleGroupFactory groups = new SimpleGroupFactory(schema);
        try (ParquetWriter<Group> w = ExampleParquetWriter.builder(new LocalOutputFile(file)).withType(schema)
                .withConf(new PlainParquetConfiguration()).build()) {
            for (int i = 1; i <= rows; i++) {
                w.write(groups.newGroup().append("id", i).append("name", "name-" + i).append("amount", i % 1000).append("score", (i % 97) * 0.5));
            }
        }
    }

    private void fillIndex(TestingElasticsearchServer es, String index) {
        es.createIndex(index, "{\"properties\": {\"id\": {\"type\": \"integer\"}, \"name\": {\"type\": \"keyword\"}, "
                + "\"amount\": {\"type\": \"integer\"}, \"score\": {\"type\": \"double\"}}}");
        StringBuilder bulk = new StringBuilder();
        for (int i = 1; i <= rows; i++) {
            bulk.append("{\"index\": {\"_id\": \"").append(i).append("\"}}\n{\"id\": ").append(i).append(", \"name\": \"name-").append(i)
                    .append("\", \"amount\": ").append(i % 1000).append(", \"score\": ").append((i % 97) * 0.5).append("}\n");
            if (i % 5000 == 0 || i == rows) {
                es.request("POST", "/" + index + "/_bulk", bulk.toString());
                bulk.setLength(0);
            }
        }
        es.request("POST", "/" + index + "/_refresh", null);
    }

    private void fillTable(TestingCassandraServer cassandra, String table) {
        cassandra.createKeyspace("bench");
        cassandra.execute("CREATE TABLE bench." + table + " (id bigint PRIMARY KEY, name text, amount int, score double)");
        CqlSession session = cassandra.session();
        PreparedStatement insert = session.prepare("INSERT INTO bench." + table + " (id, name, amount, score) VALUES (?, ?, ?, ?)");
        List<CompletionStage<AsyncResultSet>> inFlight = new ArrayList<>();
        for (int i = 1; i <= rows; i++) {
            inFlight.add(session.executeAsync(insert.bind((long) i, "name-" + i, i % 1000, (i % 97) * 0.5)));
            if (inFlight.size() == 256 || i == rows) {
                inFlight.forEach(f -> f.toCompletableFuture().join());
                inFlight.clear();
            }
        }
    }

    private static long rawCassandra(TestingCassandraServer cassandra, String table) {
        long n = 0;
        for (Row r : cassandra.session().execute(SimpleStatement.newInstance("SELECT id, name, amount, score FROM bench." + table).setPageSize(1000))) {
            if (r.getLong(0) <= 0 || r.getString(1) == null) {
                throw new IllegalStateException("a bad row");
            }
            r.getInt(2);
            r.getDouble(3);
            n++;
        }
        return n;
    }

    private static long rawCsv(TestingS3Server s3, String object) throws Exception {
        long n = 0;
        try (InputStream in = s3.client().getObject(GetObjectArgs.builder().bucket("bench").object(object).build());
             MappingIterator<String[]> it = new CsvMapper().readerFor(String[].class).with(CsvSchema.emptySchema())
                     .with(CsvParser.Feature.WRAP_AS_ARRAY).readValues(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            while (it.hasNextValue()) {
                if (it.nextValue().length != 4) {
                    throw new IllegalStateException("a short line");
                }
                n++;
            }
        }
        return n - 1; // the header
    }

    private static long rawParquet(TestingS3Server s3, Path work, String object) throws Exception {
        Path local = work.resolve("download.parquet");
        Files.deleteIfExists(local);
        s3.client().downloadObject(DownloadObjectArgs.builder().bucket("bench").object(object).filename(local.toString()).build());
        long n = 0;
        try (ParquetFileReader r = ParquetFileReader.open(new LocalInputFile(local), ParquetReadOptions.builder(new PlainParquetConfiguration()).build())) {
            MessageType schema = r.getFooter().getFileMetaData().getSchema();
            PageReadStore pages;
            while ((pages = r.readNextRowGroup()) != null) {
                RecordReader<Group> records = new ColumnIOFactory().getColumnIO(schema).getRecordReader(pages, new GroupRecordConverter(schema));
                for (long i = 0; i < pages.getRowCount(); i++) {
                    Group g = records.read();
                    if (g.getInteger(0, 0) <= 0) {
                        throw new IllegalStateException("a bad row");
                    }
                    n++;
                }
            }
        }
        return n;
    }

    private static long rawEs(TestingElasticsearchServer es, String index) throws Exception {
        String pit = Json.MAPPER.readTree(es.request("POST", "/" + index + "/_pit?keep_alive=1m", null)).path("id").asText();
        long n = 0;
        JsonNode after = null;
        while (true) {
            ObjectNode q = Json.MAPPER.createObjectNode();
            q.put("size", 1000);
            q.putObject("pit").put("id", pit).put("keep_alive", "1m");
            q.putArray("sort").add("_shard_doc");
            if (after != null) {
                q.set("search_after", after);
            }
            JsonNode hits = Json.MAPPER.readTree(es.request("POST", "/_search", q.toString())).path("hits").path("hits");
            if (hits.isEmpty()) {
                break;
            }
            for (JsonNode h : hits) {
                if (!h.path("_source").has("id")) {
                    throw new IllegalStateException("a document without id");
                }
                n++;
            }
            after = (ArrayNode) hits.get(hits.size() - 1).path("sort");
        }
        es.request("DELETE", "/_pit", "{\"id\": \"" + pit + "\"}");
        return n;
    }

    /** A region and a source of one binding; the load's own seconds (first row read → last row in the region). */
    private double load(HubNode node, String type, Map<String, Object> params, String name, Map<String, Object> options) throws Exception {
        node.regions().create(new RegionSpec(name, null, 0, null, null, null, null, null, List.of("id"), Map.of("id", SqlType.BIGINT)));
        node.sources().register(new SourceSpec(name, type, params, List.of(name), null, null, null,
                Map.of(name, binding(options)), null, null));
        SourceStatus.RegionLoad load = BenchSupport.awaitLoad(node, name, name);
        if (load.rowsLoaded() != rows) {
            throw new IllegalStateException(name + " loaded " + load.rowsLoaded() + " rows, not " + rows);
        }
        return BenchSupport.loadSeconds(load);
    }

    /** A binding of key {@code id} with these keys; {@code table} is the common key, the others the connector's. */
    private static BindingSpec binding(Map<String, Object> keys) {
        Map<String, Object> options = new LinkedHashMap<>(keys);
        Object table = options.remove("table");
        return new BindingSpec((String) table, null, List.of("id"), null, null, null, options);
    }

    private void print(List<Result> results) {
        System.out.println();
        System.out.printf(Locale.ROOT, "Loads from the stores, %,d rows each, one hub node and the stores on the same %d cores%n", rows,
                Runtime.getRuntime().availableProcessors());
        System.out.println("| path | rows | seconds | rows/s |");
        System.out.println("|---|---:|---:|---:|");
        Map<String, Result> by = new LinkedHashMap<>();
        for (Result r : results) {
            by.put(r.path(), r);
            System.out.printf(Locale.ROOT, "| %s | %,d | %.2f | %,.0f |%n", r.path(), r.rows(), r.seconds(), r.rows() / r.seconds());
        }
        System.out.println();
        ratio("hub CSV load / SDK + CSV parse", by.get("hub load of the CSV object"), by.get("S3 SDK + Jackson CSV parse of the object"));
        ratio("hub Parquet load / SDK + parquet-java", by.get("hub load of the PARQUET object"), by.get("S3 SDK download + parquet-java read of the object"));
        ratio("hub Elasticsearch load / raw PIT scan", by.get("hub load of the index"),
                by.get("Elasticsearch point in time + search_after pages (REST, JSON parsed)"));
        ratio("hub Cassandra load / driver's paged scan", by.get("hub load of the table"),
                by.get("Cassandra driver: paged full scan of the table, every column read"));
    }

    private static void ratio(String what, Result hub, Result raw) {
        System.out.printf(Locale.ROOT, "%s rows/s: %.2f%n", what, raw.seconds() / hub.seconds());
    }
}
