package io.dih.connector.s3;

import static java.util.Objects.requireNonNull;

import io.dih.api.BindingSpec;
import io.dih.api.SqlType;
import io.dih.spi.FieldError;
import io.dih.spi.InvalidSpecException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What one binding of a MinIO/S3 source reads, from its keys: the objects ({@code bucket}, {@code prefix} and/or
 * {@code glob} over the object's whole key), their {@code format}, the CSV options, declared column types and the
 * column that names each row's object.
 *
 * @param bucket       the bucket
 * @param prefix       only objects whose key starts with it ({@code ""}: all)
 * @param glob         only objects whose whole key matches it ({@code orders/*.csv}, {@code **}{@code /*.jsonl}), or {@code null}
 * @param format       how objects are read
 * @param header       CSV: the first line names the columns
 * @param columns      CSV without a header: the column names, in order; empty otherwise
 * @param delimiter    CSV: the field separator
 * @param quote        CSV: the quote character
 * @param nullValue    CSV: the text that means NULL ({@code ""} by default: an empty field is NULL)
 * @param columnTypes  declared column types; the others are inferred from the first rows
 * @param objectColumn the column every row names its object in
 */
record S3Binding(String bucket, String prefix, String glob, Format format, boolean header, List<String> columns, char delimiter,
                 char quote, String nullValue, Map<String, SqlType> columnTypes, String objectColumn) {

    /** How an object is read. */
    enum Format { CSV, JSONL, PARQUET }

    /** The binding keys of a MinIO/S3 source besides the hub's common ones. */
    static final Set<String> KEYS = Set.of("bucket", "prefix", "glob", "format", "header", "columns", "delimiter", "quote", "null_value",
            "column_types", "object_column");
    static final String DEFAULT_OBJECT_COLUMN = "source_object";

    S3Binding {
        requireNonNull(bucket, "bucket is null");
        requireNonNull(prefix, "prefix is null");
        requireNonNull(format, "format is null");
        columns = List.copyOf(columns);
        columnTypes = Collections.unmodifiableMap(new LinkedHashMap<>(columnTypes));
        requireNonNull(objectColumn, "objectColumn is null");
    }

    /** Whether the binding reads the object with this key. */
    boolean reads(String key) {
        if (!key.startsWith(prefix) || key.endsWith("/")) {
            return false;
        }
        if (glob == null) {
            return true;
        }
        PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + glob);
        return m.matches(Path.of(key));
    }

    /** A short label: {@code bucket/prefix*} or the glob. */
    String label() {
        return bucket + "/" + (glob != null ? glob : prefix + "*");
    }

    /**
     * Reads a binding's keys.
     *
     * @throws InvalidSpecException with one error per unknown or wrong key
     */
    static S3Binding of(BindingSpec b) {
        List<FieldError> errors = new ArrayList<>();
        for (String k : new TreeSet<>(b.options().keySet())) {
            if (!KEYS.contains(k)) {
                errors.add(new FieldError(k, "is not a key of a MinIO/S3 binding; known: " + new TreeSet<>(KEYS) + ", key_columns, mapping, schedule"));
            }
        }
        if (b.query() != null) {
            errors.add(new FieldError("query", "a MinIO/S3 binding reads objects (bucket, prefix, glob), not a query"));
        }
        if (b.watermarkColumn() != null) {
            errors.add(new FieldError("watermark_column", "has no meaning for objects: a load reads again only the objects whose ETag changed"));
        }
        String bucket = text(b, "bucket", errors);
        if (bucket == null && !errors.stream().anyMatch(e -> e.field().equals("bucket"))) {
            errors.add(new FieldError("bucket", "is required"));
        } else if (bucket != null && !bucket.matches("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")) {
            errors.add(new FieldError("bucket", "'" + bucket + "' is not a bucket name (3-63 lower-case letters, digits, dots and dashes)"));
        }
        String prefix = text(b, "prefix", errors);
        String glob = text(b, "glob", errors);
        if (glob != null) {
            try {
                FileSystems.getDefault().getPathMatcher("glob:" + glob);
            } catch (RuntimeException e) {
                errors.add(new FieldError("glob", "is not a glob: " + e.getMessage()));
            }
        }
        Format format = Format.CSV;
        String f = text(b, "format", errors);
        if (f != null) {
            switch (f.toLowerCase(Locale.ROOT)) {
                case "csv" -> format = Format.CSV;
                case "jsonl", "ndjson", "json_lines" -> format = Format.JSONL;
                case "parquet" -> format = Format.PARQUET;
                default -> errors.add(new FieldError("format", "must be csv, jsonl or parquet, was '" + f + "'"));
            }
        }
        boolean header = true;
        Object h = b.option("header");
        if (h != null) {
            if (h instanceof Boolean hb) {
                header = hb;
            } else {
                errors.add(new FieldError("header", "must be true or false"));
            }
        }
        List<String> columns = new ArrayList<>();
        Object cols = b.option("columns");
        if (cols != null) {
            if (!(cols instanceof List<?> list) || list.isEmpty() || !list.stream().allMatch(c -> c instanceof String s && !s.isBlank())) {
                errors.add(new FieldError("columns", "must be a list of column names"));
            } else {
                list.forEach(c -> columns.add((String) c));
            }
        }
        if (format == Format.CSV && !header && columns.isEmpty()) {
            errors.add(new FieldError("columns", "CSV without a header (header: false) needs the column names, in order"));
        }
        if (!columns.isEmpty() && (format != Format.CSV || header)) {
            errors.add(new FieldError("columns", "names the columns of CSV objects without a header (format csv, header false)"));
        }
        char delimiter = character(b, "delimiter", ',', errors);
        char quote = character(b, "quote", '"', errors);
        if (format != Format.CSV) {
            for (String csvOnly : List.of("header", "delimiter", "quote", "null_value")) {
                if (b.option(csvOnly) != null) {
                    errors.add(new FieldError(csvOnly, "applies to format csv only"));
                }
            }
        }
        String nullValue = text(b, "null_value", errors);
        Map<String, SqlType> types = new LinkedHashMap<>();
        Object ct = b.option("column_types");
        if (ct != null) {
            if (!(ct instanceof Map<?, ?> m) || m.isEmpty()) {
                errors.add(new FieldError("column_types", "must be an object {column: SQL type}"));
            } else {
                m.forEach((col, type) -> {
                    try {
                        types.put(col.toString(), SqlType.of(String.valueOf(type)));
                    } catch (IllegalArgumentException e) {
                        errors.add(new FieldError("column_types." + col, "'" + type + "' is not an SQL type (" + e.getMessage() + ")"));
                    }
                });
            }
        }
        if (format == Format.PARQUET && !types.isEmpty()) {
            errors.add(new FieldError("column_types", "Parquet objects carry their column types in their schema"));
        }
        String objectColumn = text(b, "object_column", errors);
        if (objectColumn != null && !objectColumn.matches("[A-Za-z][A-Za-z0-9_]*")) {
            errors.add(new FieldError("object_column", "'" + objectColumn + "' is not a column name"));
        }
        if (!errors.isEmpty()) {
            throw new InvalidSpecException(errors);
        }
        return new S3Binding(bucket, prefix == null ? "" : prefix, glob, format, header, columns, delimiter, quote,
                nullValue == null ? "" : nullValue, types, objectColumn == null ? DEFAULT_OBJECT_COLUMN : objectColumn);
    }

    private static String text(BindingSpec b, String key, List<FieldError> errors) {
        Object v = b.option(key);
        if (v == null) {
            return null;
        }
        if (!(v instanceof String s)) {
            errors.add(new FieldError(key, "must be text"));
            return null;
        }
        return s;
    }

    private static char character(BindingSpec b, String key, char dflt, List<FieldError> errors) {
        String s = text(b, key, errors);
        if (s == null) {
            return dflt;
        }
        String unescaped = "\\t".equals(s) ? "\t" : s;
        if (unescaped.length() != 1) {
            errors.add(new FieldError(key, "must be one character, was '" + s + "'"));
            return dflt;
        }
        return unescaped.charAt(0);
    }
}
