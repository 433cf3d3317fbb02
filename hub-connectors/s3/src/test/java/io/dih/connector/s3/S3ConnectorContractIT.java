package io.dih.connector.s3;

import io.dih.api.BindingSpec;
import io.dih.spi.ConnectorContract;
import io.dih.spi.ConnectorFactory;
import io.dih.testing.TestingS3Server;
import io.minio.ListObjectsArgs;
import io.minio.Result;
import io.minio.messages.Item;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;

/**
 * The shared connector contract for the MinIO/S3 connector: a "table" is the CSV objects under the prefix
 * {@code <table>/} of one bucket; creating it writes one object of all its rows, and an insert adds an object.
 */
class S3ConnectorContractIT extends ConnectorContract {
    static final String BUCKET = "contract";
    static TestingS3Server s3;

    @BeforeAll
    static void start() {
        s3 = TestingS3Server.shared();
        s3.createBucket(BUCKET);
    }

    @Override
    protected ConnectorFactory factory() {
        return new S3ConnectorFactory();
    }

    @Override
    protected Map<String, Object> connectionParams() {
        return Map.of("endpoint", s3.endpoint(), "access_key", s3.accessKey(), "secret_key", s3.secretKey());
    }

    /** The table's objects, with the fixture's types declared (a CSV has none: "0.70" would be read as a DOUBLE). */
    @Override
    protected BindingSpec binding(String table, String watermarkColumn) {
        return new BindingSpec(null, null, List.of("id"), null, null, null, Map.of("bucket", BUCKET, "prefix", table + "/",
                "column_types", Map.of("id", "BIGINT", "amount", "DECIMAL", "version", "BIGINT")));
    }

    @Override
    protected Map.Entry<BindingSpec, String> missingTable() {
        // with no object there, the columns can come from nowhere (declared column_types would do: objects may arrive later)
        return Map.entry(new BindingSpec(null, null, List.of("id"), null, null, null, Map.of("bucket", BUCKET, "prefix", "no_such_table_anywhere/")),
                "prefix");
    }

    @Override
    protected void createTable(String table, List<Object[]> rows) {
        for (Result<Item> r : s3.client().listObjects(ListObjectsArgs.builder().bucket(BUCKET).prefix(table + "/").recursive(true).build())) {
            try {
                s3.remove(BUCKET, r.get().objectName());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        StringBuilder csv = new StringBuilder("id,name,amount,version\n");
        for (Object[] row : rows) {
            csv.append(row[0]).append(',').append(row[1]).append(',').append(((BigDecimal) row[2]).toPlainString()).append(',').append(row[3]).append('\n');
        }
        s3.put(BUCKET, table + "/part-0.csv", csv.toString());
    }

    @Override
    protected void insert(String table, long id, String name, BigDecimal amount, long version) {
        s3.put(BUCKET, table + "/part-" + id + ".csv", "id,name,amount,version\n" + id + "," + name + "," + amount.toPlainString() + "," + version + "\n");
    }

    // a MinIO/S3 source only loads: the contract asks for the rest only of connectors that read through or write
    @Override
    protected void updateTwiceInOneTransaction(String table, long id) {
        throw new UnsupportedOperationException("objects have no transactions");
    }

    @Override
    protected void delete(String table, long id) {
        throw new UnsupportedOperationException("rows of objects are not deleted one by one");
    }

    @Override
    protected Optional<Map<String, Object>> rowInSource(String table, long id) {
        throw new UnsupportedOperationException("a MinIO/S3 source does not read through");
    }
}
