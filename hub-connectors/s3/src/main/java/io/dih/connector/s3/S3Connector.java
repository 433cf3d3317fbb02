package io.dih.connector.s3;

import io.dih.api.BindingSpec;
import io.dih.api.SqlType;
import io.dih.spi.Capability;
import io.dih.spi.Connector;
import io.dih.spi.InvalidSpecException;
import io.dih.spi.LoadPart;
import io.dih.spi.LoadParts;
import io.dih.spi.RowSink;
import io.dih.spi.SourceTable;
import io.dih.spi.UnavailableException;
import io.minio.GetObjectArgs;
import io.minio.ListObjectsArgs;
import io.minio.MinioClient;
import io.minio.Result;
import io.minio.errors.ErrorResponseException;
import io.minio.messages.Item;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A MinIO or S3 bucket as a source: each binding reads the CSV, JSON-lines or Parquet objects under a prefix (and/or
 * matching a glob), object by object ({@link #parts}, {@link #loadPart}), streaming each one (Parquet through ranged
 * reads). Columns come from the first object: a Parquet schema, or the CSV header (the JSON fields) typed by the
 * narrowest type that reads the first rows unless {@code column_types} declares them; every row also names its
 * object in {@code source_object}.
 */
final class S3Connector implements Connector {
    /** Rows of the first object that column types are inferred from. */
    static final int SAMPLE_ROWS = 1000;

    private final String sourceName;
    private final S3ConnectorConfig config;
    private final MinioClient client;
    private final Map<BindingSpec, Described> described = new ConcurrentHashMap<>();

    /** A binding as described: its options, and its columns with their types (object column included). */
    private record Described(S3Binding binding, Map<String, SqlType> columns) {
    }

    S3Connector(String sourceName, S3ConnectorConfig config) {
        this.sourceName = sourceName;
        this.config = config;
        this.client = MinioClient.builder().endpoint(config.endpoint()).credentials(config.accessKey(), config.secretKey())
                .region(config.region()).build();
        client.setTimeout(TimeUnit.SECONDS.toMillis(5), TimeUnit.SECONDS.toMillis(60), TimeUnit.SECONDS.toMillis(60));
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.BULK_LOAD);
    }

    @Override
    public SourceTable describe(BindingSpec binding) {
        S3Binding b = S3Binding.of(binding);
        List<Item> objects = list(b);
        Map<String, SqlType> columns = new LinkedHashMap<>();
        if (!objects.isEmpty()) {
            columns.putAll(sample(b, objects.get(0)));
        }
        b.columnTypes().forEach(columns::put); // declared types win, and declared columns exist even if not in the sample
        if (columns.isEmpty()) {
            throw new InvalidSpecException(b.glob() != null ? "glob" : "prefix", "no object in bucket '" + b.bucket() + "' matches "
                    + b.label() + " to take the columns from; put one there first, or declare the columns in column_types");
        }
        if (columns.containsKey(b.objectColumn())) {
            throw new InvalidSpecException("object_column", "the objects have a column '" + b.objectColumn()
                    + "' of their own; name another column for the object each row comes from");
        }
        columns.put(b.objectColumn(), SqlType.VARCHAR);
        List<String> key = binding.keyColumns();
        if (key == null) {
            throw new InvalidSpecException("key_columns", "a MinIO/S3 binding must name its key_columns (objects have no primary key); columns: "
                    + columns.keySet());
        }
        for (String k : key) {
            if (!columns.containsKey(k)) {
                throw new InvalidSpecException("key_columns", "'" + k + "' is not a column of " + b.label() + "; columns: " + columns.keySet());
            }
        }
        described.put(binding, new Described(b, columns));
        return new SourceTable(b.label(), columns, key);
    }

    @Override
    public Optional<LoadParts> parts(BindingSpec binding) {
        Described d = described(binding);
        List<LoadPart> parts = new ArrayList<>();
        for (Item i : list(d.binding())) {
            parts.add(new LoadPart(i.objectName(), i.etag(), i.size()));
        }
        return Optional.of(new LoadParts(d.binding().objectColumn(), parts));
    }

    @Override
    public Object load(BindingSpec binding, Object after, RowSink sink) {
        for (LoadPart p : parts(binding).orElseThrow().parts()) {
            loadPart(binding, p, sink);
        }
        return null;
    }

    @Override
    public void loadPart(BindingSpec binding, LoadPart part, RowSink sink) {
        Described d = described(binding);
        S3Binding b = d.binding();
        Map<String, Object> row = new HashMap<>();
        if (b.format() == S3Binding.Format.PARQUET) {
            loadParquet(d, part, sink);
            return;
        }
        try (InputStream in = client.getObject(GetObjectArgs.builder().bucket(b.bucket()).object(part.name()).build())) {
            ObjectRows.read(b, in, new ObjectRows.Visitor() {
                @Override
                public boolean record(long line, Map<String, String> fields) {
                    row.clear();
                    for (Map.Entry<String, String> f : fields.entrySet()) {
                        SqlType type = d.columns().get(f.getKey());
                        if (type == null || f.getKey().equals(b.objectColumn())) {
                            unreadable(line, String.valueOf(fields), "'" + f.getKey() + "' is not a column of " + b.label() + " (its columns come from "
                                    + "the first object's first rows; declare more in column_types)");
                            return true;
                        }
                        try {
                            row.put(f.getKey(), f.getValue() == null ? null : TextValues.read(type, f.getValue()));
                        } catch (IllegalArgumentException e) {
                            unreadable(line, String.valueOf(fields), "column '" + f.getKey() + "': " + e.getMessage());
                            return true;
                        }
                    }
                    row.put(b.objectColumn(), part.name());
                    sink.accept(row);
                    return true;
                }

                @Override
                public void unreadable(long line, String raw, String error) {
                    sink.unreadable(part.name() + ":" + line, raw, error);
                }
            });
        } catch (ErrorResponseException e) {
            if ("NoSuchKey".equals(e.errorResponse().code())) {
                return; // deleted since it was listed: the next load removes its rows
            }
            throw refused(b, e);
        } catch (IOException | java.security.GeneralSecurityException | io.minio.errors.MinioException e) {
            throw unavailable("reading " + b.bucket() + "/" + part.name(), e);
        }
    }

    /** A Parquet object's rows, through ranged reads of the object; a schema that does not fit is one dead letter. */
    private void loadParquet(Described d, LoadPart part, RowSink sink) {
        S3Binding b = d.binding();
        Map<String, SqlType> expected = new LinkedHashMap<>(d.columns());
        expected.remove(b.objectColumn());
        try {
            ParquetRows.read(new S3InputFile(client, b.bucket(), part.name(), part.bytes()), expected, new ParquetRows.Visitor() {
                @Override
                public void row(long number, Map<String, Object> row) {
                    row.put(b.objectColumn(), part.name());
                    sink.accept(row);
                }

                @Override
                public void unreadable(long number, String raw, String error) {
                    sink.unreadable(part.name() + (number == 0 ? "" : ":row " + number), raw, error);
                }
            });
        } catch (IOException e) {
            if (e.getCause() instanceof ErrorResponseException er && "NoSuchKey".equals(er.errorResponse().code())) {
                return; // deleted since it was listed: the next load removes its rows
            }
            throw unavailable("reading " + b.bucket() + "/" + part.name(), e);
        }
    }

    /** The binding as described last (describing it now if it never was on this node). */
    private Described described(BindingSpec binding) {
        Described d = described.get(binding);
        if (d == null) {
            describe(binding);
            d = described.get(binding);
        }
        return d;
    }

    /** The objects the binding reads, in key order. */
    private List<Item> list(S3Binding b) {
        List<Item> items = new ArrayList<>();
        try {
            for (Result<Item> r : client.listObjects(ListObjectsArgs.builder().bucket(b.bucket()).prefix(b.prefix()).recursive(true).build())) {
                Item i = r.get();
                if (!i.isDir() && b.reads(i.objectName())) {
                    items.add(i);
                }
            }
        } catch (ErrorResponseException e) {
            throw refused(b, e);
        } catch (IOException | java.security.GeneralSecurityException | io.minio.errors.MinioException e) {
            throw unavailable("listing bucket " + b.bucket(), e);
        }
        items.sort(Comparator.comparing(Item::objectName));
        return items;
    }

    /** Column types: a Parquet object's schema, or inferred from the first rows (declared types are applied by the caller). */
    private Map<String, SqlType> sample(S3Binding b, Item first) {
        if (b.format() == S3Binding.Format.PARQUET) {
            try {
                return ParquetRows.columns(ParquetRows.schema(new S3InputFile(client, b.bucket(), first.objectName(), first.size())));
            } catch (IOException | RuntimeException e) {
                throw new InvalidSpecException(b.glob() != null ? "glob" : "prefix", "the first object, " + b.bucket() + "/" + first.objectName()
                        + ", is not a Parquet file whose schema can be read: " + e.getMessage());
            }
        }
        Map<String, List<String>> values = new LinkedHashMap<>();
        int[] rows = {0};
        try (InputStream in = client.getObject(GetObjectArgs.builder().bucket(b.bucket()).object(first.objectName()).build())) {
            ObjectRows.read(b, in, new ObjectRows.Visitor() {
                @Override
                public boolean record(long line, Map<String, String> fields) {
                    fields.forEach((k, v) -> {
                        List<String> seen = values.computeIfAbsent(k, x -> new ArrayList<>());
                        if (v != null) {
                            seen.add(v);
                        }
                    });
                    return ++rows[0] < SAMPLE_ROWS;
                }

                @Override
                public void unreadable(long line, String raw, String error) {
                    // the load will make it a dead letter; the sample goes on
                }
            });
        } catch (ErrorResponseException e) {
            throw refused(b, e);
        } catch (IOException | java.security.GeneralSecurityException | io.minio.errors.MinioException e) {
            throw unavailable("reading " + b.bucket() + "/" + first.objectName(), e);
        }
        Map<String, SqlType> types = new LinkedHashMap<>();
        values.forEach((column, texts) -> types.put(column, TextValues.infer(texts)));
        return types;
    }

    /** What the server's refusal means for the user, naming the field to fix. */
    private InvalidSpecException refused(S3Binding b, ErrorResponseException e) {
        String code = e.errorResponse().code();
        return switch (code) {
            case "NoSuchBucket" -> new InvalidSpecException("bucket", "bucket '" + b.bucket() + "' does not exist at " + config.where());
            case "InvalidAccessKeyId" -> new InvalidSpecException("connection_params.access_key", "the server at " + config.where()
                    + " does not know access key '" + config.accessKey() + "'");
            case "SignatureDoesNotMatch" -> new InvalidSpecException("connection_params.secret_key", "the server at " + config.where()
                    + " refused the secret key of access key '" + config.accessKey() + "'");
            case "AccessDenied" -> new InvalidSpecException("bucket", "access key '" + config.accessKey() + "' may not read bucket '"
                    + b.bucket() + "' at " + config.where());
            default -> new InvalidSpecException("bucket", "the server at " + config.where() + " refused to read " + b.label() + ": " + code
                    + " " + e.errorResponse().message());
        };
    }

    private UnavailableException unavailable(String what, Exception e) {
        return new UnavailableException("connection_params.endpoint", "cannot reach MinIO/S3 at " + config.where() + " (" + what + ") [source=" + sourceName + "]: " + e, e);
    }

    @Override
    public void close() {
        try {
            client.close();
        } catch (Exception e) {
            // nothing to release beyond the HTTP client's pool
        }
    }
}
