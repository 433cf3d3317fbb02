package io.dih.connector.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dih.api.BindingSpec;
import io.dih.api.SqlType;
import io.dih.spi.Connector;
import io.dih.spi.ConnectorContext;
import io.dih.spi.InvalidSpecException;
import io.dih.spi.LoadPart;
import io.dih.spi.LoadParts;
import io.dih.spi.RowSink;
import io.dih.spi.SourceTable;
import io.dih.spi.UnavailableException;
import io.dih.testing.FreePorts;
import io.dih.testing.TestingS3Server;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.io.LocalOutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The MinIO/S3 connector against a real S3 API server (S3Proxy): describe, parts, loads of CSV and Parquet, errors. */
class S3ConnectorIT {
    static TestingS3Server s3;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        s3 = TestingS3Server.shared();
    }

    private static Connector connect(String secret) {
        Map<String, Object> params = Map.of("endpoint", s3.endpoint(), "access_key", s3.accessKey(), "secret_key", secret);
        return new S3ConnectorFactory().create("lake", params, ConnectorContext.of(Map.of()));
    }

    private static BindingSpec binding(Map<String, Object> options) {
        return new BindingSpec(null, null, List.of("id"), null, null, null, options);
    }

    /** Loads every part, collecting rows and unreadables as text. */
    private static List<String> loadAll(Connector c, BindingSpec b, List<String> unreadable) {
        List<String> rows = new ArrayList<>();
        LoadParts parts = c.parts(b).orElseThrow();
        for (LoadPart p : parts.parts()) {
            c.loadPart(b, p, new RowSink() {
                @Override
                public void accept(Map<String, Object> row) {
                    rows.add(new java.util.TreeMap<>(row).toString());
                }

                @Override
                public void unreadable(String position, String raw, String error) {
                    unreadable.add(position + " " + error);
                }
            });
        }
        return rows;
    }

    @Test
    void csvColumnsAreInferredAndDeclaredTypesWin() {
        s3.createBucket("infer");
        s3.put("infer", "a.csv", "id,qty,price,day,flag,note\n1,2,2.5,2026-01-01,true,x\n2,3,4,2026-01-02,false,\n");
        try (Connector c = connect(s3.secretKey())) {
            SourceTable t = c.describe(binding(Map.of("bucket", "infer", "column_types", Map.of("price", "DECIMAL"))));
            assertThat(t.columns()).containsExactly(Map.entry("id", SqlType.INT), Map.entry("qty", SqlType.INT), Map.entry("price", SqlType.DECIMAL),
                    Map.entry("day", SqlType.DATE), Map.entry("flag", SqlType.BOOLEAN), Map.entry("note", SqlType.VARCHAR),
                    Map.entry("source_object", SqlType.VARCHAR));
            assertThat(t.primaryKey()).containsExactly("id");
            List<String> unreadable = new ArrayList<>();
            assertThat(loadAll(c, binding(Map.of("bucket", "infer", "column_types", Map.of("price", "DECIMAL"))), unreadable)).containsExactly(
                    "{day=2026-01-01, flag=true, id=1, note=x, price=2.5, qty=2, source_object=a.csv}",
                    "{day=2026-01-02, flag=false, id=2, note=null, price=4, qty=3, source_object=a.csv}");
            assertThat(unreadable).isEmpty();
            LoadPart part = c.parts(binding(Map.of("bucket", "infer"))).orElseThrow().parts().get(0);
            assertThat(part.version()).isNotBlank();
            assertThat(part.bytes()).isPositive();
        }
    }

    private Path parquet(String name, String schemaText, List<Map<String, Object>> rows) throws Exception {
        Path f = dir.resolve(name);
        Files.deleteIfExists(f);
        MessageType schema = MessageTypeParser.parseMessageType(schemaText);
        SimpleGroupFactory groups = new SimpleGroupFactory(schema);
        try (ParquetWriter<Group> w = ExampleParquetWriter.builder(new LocalOutputFile(f)).withType(schema)
                .withConf(new PlainParquetConfiguration()).build()) {
            for (Map<String, Object> row : rows) {
                Group g = groups.newGroup();
                row.forEach((k, v) -> {
                    if (v instanceof Long l) {
                        g.append(k, l);
                    } else if (v instanceof Integer i) {
                        g.append(k, i);
                    } else if (v instanceof Double d) {
                        g.append(k, d);
                    } else if (v instanceof Boolean b) {
                        g.append(k, b);
                    } else if (v instanceof String s) {
                        g.append(k, s);
                    } else if (v instanceof List<?> tags) {
                        tags.forEach(t -> g.append(k, (String) t));
                    }
                });
                w.write(g);
            }
        }
        return f;
    }

    @Test
    void parquetTypesComeFromTheSchemaAndAMisfitObjectIsOneDeadLetter() throws Exception {
        s3.createBucket("pqt");
        String schema = "message m { required int64 id; optional binary name (STRING); optional int32 day (DATE);"
                + " optional int64 at (TIMESTAMP(MILLIS,true)); optional int64 cents (DECIMAL(12,2)); optional double score;"
                + " repeated binary tags (STRING); }";
        Map<String, Object> r1 = new LinkedHashMap<>();
        r1.put("id", 1L);
        r1.put("name", "ada");
        r1.put("day", 20_000);
        r1.put("at", 1_700_000_000_123L);
        r1.put("cents", 12_345L);
        r1.put("score", 0.5);
        r1.put("tags", List.of("a", "b"));
        s3.upload("pqt", "t/1.parquet", parquet("1.parquet", schema, List.of(r1, Map.of("id", 2L))));
        s3.upload("pqt", "t/2.parquet", parquet("2.parquet", "message m { required binary id (STRING); }", List.of(Map.of("id", "x"))));
        BindingSpec b = binding(Map.of("bucket", "pqt", "prefix", "t/", "format", "parquet"));
        try (Connector c = connect(s3.secretKey())) {
            SourceTable t = c.describe(b);
            assertThat(t.columns()).containsExactly(Map.entry("id", SqlType.BIGINT), Map.entry("name", SqlType.VARCHAR), Map.entry("day", SqlType.DATE),
                    Map.entry("at", SqlType.TIMESTAMP), Map.entry("cents", SqlType.DECIMAL), Map.entry("score", SqlType.DOUBLE),
                    Map.entry("tags", SqlType.VARCHAR), Map.entry("source_object", SqlType.VARCHAR));
            List<Map<String, Object>> rows = new ArrayList<>();
            List<String> unreadable = new ArrayList<>();
            for (LoadPart p : c.parts(b).orElseThrow().parts()) {
                c.loadPart(b, p, new RowSink() {
                    @Override
                    public void accept(Map<String, Object> row) {
                        rows.add(new LinkedHashMap<>(row));
                    }

                    @Override
                    public void unreadable(String position, String raw, String error) {
                        unreadable.add(position + " " + error);
                    }
                });
            }
            assertThat(rows).hasSize(2);
            Map<String, Object> first = rows.get(0);
            assertThat(first).containsEntry("id", 1L).containsEntry("name", "ada").containsEntry("day", Date.valueOf("2024-10-04"))
                    .containsEntry("at", Timestamp.from(Instant.ofEpochMilli(1_700_000_000_123L))).containsEntry("cents", new BigDecimal("123.45"))
                    .containsEntry("score", 0.5).containsEntry("tags", "[\"a\",\"b\"]").containsEntry("source_object", "t/1.parquet");
            assertThat(rows.get(1)).containsEntry("id", 2L).containsEntry("name", null);
            assertThat(unreadable).singleElement().asString().startsWith("t/2.parquet the object's schema does not fit")
                    .contains("column 'id' is VARCHAR here but BIGINT in the binding");
        }
    }

    @Test
    void errorsNameTheFieldOrTheServer() {
        s3.createBucket("errs");
        s3.put("errs", "a.csv", "id\n1\n");
        try (Connector c = connect("wrong-secret")) {
            assertThatThrownBy(() -> c.describe(binding(Map.of("bucket", "errs"))))
                    .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("connection_params.secret_key"))
                    .hasMessageNotContaining("wrong-secret");
        }
        try (Connector c = connect(s3.secretKey())) {
            assertThatThrownBy(() -> c.describe(binding(Map.of("bucket", "no-such-bucket"))))
                    .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("bucket"));
            assertThatThrownBy(() -> c.describe(new BindingSpec(null, null, List.of("nope"), null, null, null, Map.of("bucket", "errs"))))
                    .isInstanceOfSatisfying(InvalidSpecException.class, e -> assertThat(e.field()).isEqualTo("key_columns"));
        }
        int closed = FreePorts.next();
        try (Connector c = new S3ConnectorFactory().create("lake", Map.of("endpoint", "127.0.0.1:" + closed, "access_key", "a", "secret_key", "s"),
                ConnectorContext.of(Map.of()))) {
            assertThatThrownBy(() -> c.describe(binding(Map.of("bucket", "errs")))).isInstanceOf(UnavailableException.class)
                    .hasMessageContaining("127.0.0.1:" + closed);
        }
        assertThat(new S3ConnectorFactory().validate(Map.of("endpoint", "ftp://x", "access_key", "a", "secret_key", "s", "port", 1)))
                .extracting(f -> f.field()).containsExactlyInAnyOrder("connection_params.endpoint", "connection_params.port");
    }
}
