package io.dih.connector.s3;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dih.api.SqlType;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.sql.Date;
import java.sql.Time;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.parquet.ParquetReadOptions;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.conf.PlainParquetConfiguration;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.DecimalLogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.IntLogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimeLogicalTypeAnnotation;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimeUnit;
import org.apache.parquet.schema.LogicalTypeAnnotation.TimestampLogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType;
import org.apache.parquet.schema.Type;

/**
 * Parquet objects through parquet-java: the columns and their SQL types from the file's schema (nested groups and
 * repeated fields as JSON text), and the rows, one row group at a time. Types: INT32/INT64 as INT/BIGINT (8- and
 * 16-bit ints as TINYINT/SMALLINT), DATE, TIME, TIMESTAMP (any unit, and legacy INT96), DECIMAL (any physical type),
 * FLOAT/DOUBLE as REAL/DOUBLE, strings, enums and JSON as VARCHAR, UUID, other binary as BINARY.
 */
final class ParquetRows {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final long JULIAN_EPOCH_DAY = 2_440_588;

    /** Receives an object's rows. */
    interface Visitor {
        /** One row by column name, values of the column's SQL type ({@code null}: NULL). */
        void row(long number, Map<String, Object> row);

        /** What could not be read: a row group from {@code number} on, or the whole object (number 0). */
        void unreadable(long number, String raw, String error);
    }

    private ParquetRows() {
    }

    /** The columns of a schema and their SQL types, in schema order. */
    static Map<String, SqlType> columns(MessageType schema) {
        Map<String, SqlType> out = new LinkedHashMap<>();
        for (Type t : schema.getFields()) {
            out.put(t.getName(), sqlType(t));
        }
        return out;
    }

    /** A file's schema, read from its footer. */
    static MessageType schema(InputFile file) throws IOException {
        try (ParquetFileReader r = open(file)) {
            return r.getFooter().getFileMetaData().getSchema();
        }
    }

    /**
     * Reads every row of the file. A file whose schema does not fit {@code expected} (a column of another type, a
     * column the binding lacks) is one unreadable (row 0) and nothing of it is read; a row group that cannot be decoded
     * is one unreadable (its first row) and the next row group is read.
     */
    static void read(InputFile file, Map<String, SqlType> expected, Visitor v) throws IOException {
        try (ParquetFileReader r = open(file)) {
            MessageType schema = r.getFooter().getFileMetaData().getSchema();
            List<String> misfits = new ArrayList<>();
            columns(schema).forEach((name, type) -> {
                SqlType want = expected.get(name);
                if (want == null) {
                    misfits.add("column '" + name + "' is not a column of the binding");
                } else if (want != type) {
                    misfits.add("column '" + name + "' is " + type + " here but " + want + " in the binding");
                }
            });
            if (!misfits.isEmpty()) {
                v.unreadable(0, schema.toString(), "the object's schema does not fit the binding's columns (taken from its first object and "
                        + "column_types): " + String.join("; ", misfits));
                return;
            }
            List<Type> fields = schema.getFields();
            ColumnIOFactory io = new ColumnIOFactory();
            long number = 0;
            while (true) {
                PageReadStore pages;
                try {
                    pages = r.readNextRowGroup();
                } catch (IOException | RuntimeException e) {
                    v.unreadable(number + 1, "", "the object cannot be read from row " + (number + 1) + " on: " + e);
                    return;
                }
                if (pages == null) {
                    return;
                }
                long rows = pages.getRowCount();
                try {
                    RecordReader<Group> records = io.getColumnIO(schema).getRecordReader(pages, new GroupRecordConverter(schema));
                    Map<String, Object> row = new HashMap<>();
                    for (long i = 0; i < rows; i++) {
                        Group g = records.read();
                        row.clear();
                        for (int f = 0; f < fields.size(); f++) {
                            row.put(fields.get(f).getName(), value(g, f, fields.get(f)));
                        }
                        v.row(number + i + 1, row);
                    }
                } catch (RuntimeException e) {
                    v.unreadable(number + 1, "", "row group of " + rows + " rows from row " + (number + 1) + " cannot be decoded: " + e);
                }
                number += rows;
            }
        }
    }

    private static ParquetFileReader open(InputFile file) throws IOException {
        return ParquetFileReader.open(file, ParquetReadOptions.builder(new PlainParquetConfiguration()).build());
    }

    private static SqlType sqlType(Type t) {
        if (!t.isPrimitive() || t.isRepetition(Type.Repetition.REPEATED)) {
            return SqlType.VARCHAR; // JSON text
        }
        PrimitiveType p = t.asPrimitiveType();
        LogicalTypeAnnotation l = p.getLogicalTypeAnnotation();
        if (l instanceof DecimalLogicalTypeAnnotation) {
            return SqlType.DECIMAL;
        }
        return switch (p.getPrimitiveTypeName()) {
            case BOOLEAN -> SqlType.BOOLEAN;
            case INT32 -> l instanceof LogicalTypeAnnotation.DateLogicalTypeAnnotation ? SqlType.DATE
                    : l instanceof TimeLogicalTypeAnnotation ? SqlType.TIME
                    : l instanceof IntLogicalTypeAnnotation i && i.getBitWidth() == 8 ? SqlType.TINYINT
                    : l instanceof IntLogicalTypeAnnotation i && i.getBitWidth() == 16 ? SqlType.SMALLINT : SqlType.INT;
            case INT64 -> l instanceof TimestampLogicalTypeAnnotation ? SqlType.TIMESTAMP
                    : l instanceof TimeLogicalTypeAnnotation ? SqlType.TIME : SqlType.BIGINT;
            case INT96 -> SqlType.TIMESTAMP;
            case FLOAT -> SqlType.REAL;
            case DOUBLE -> SqlType.DOUBLE;
            case BINARY -> l instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation || l instanceof LogicalTypeAnnotation.EnumLogicalTypeAnnotation
                    || l instanceof LogicalTypeAnnotation.JsonLogicalTypeAnnotation ? SqlType.VARCHAR : SqlType.BINARY;
            case FIXED_LEN_BYTE_ARRAY -> l instanceof LogicalTypeAnnotation.UUIDLogicalTypeAnnotation ? SqlType.UUID : SqlType.BINARY;
        };
    }

    private static Object value(Group g, int field, Type t) {
        if (g.getFieldRepetitionCount(field) == 0) {
            return null;
        }
        if (!t.isPrimitive() || t.isRepetition(Type.Repetition.REPEATED)) {
            return json(g, field, t).toString();
        }
        PrimitiveType p = t.asPrimitiveType();
        LogicalTypeAnnotation l = p.getLogicalTypeAnnotation();
        return switch (p.getPrimitiveTypeName()) {
            case BOOLEAN -> g.getBoolean(field, 0);
            case INT32 -> {
                int i = g.getInteger(field, 0);
                if (l instanceof DecimalLogicalTypeAnnotation d) {
                    yield BigDecimal.valueOf(i, d.getScale());
                }
                if (l instanceof LogicalTypeAnnotation.DateLogicalTypeAnnotation) {
                    yield Date.valueOf(LocalDate.ofEpochDay(i));
                }
                if (l instanceof TimeLogicalTypeAnnotation) {
                    yield Time.valueOf(LocalTime.ofNanoOfDay(i * 1_000_000L));
                }
                yield sqlType(t) == SqlType.TINYINT ? (Object) (byte) i : sqlType(t) == SqlType.SMALLINT ? (Object) (short) i : (Object) i;
            }
            case INT64 -> {
                long n = g.getLong(field, 0);
                if (l instanceof DecimalLogicalTypeAnnotation d) {
                    yield BigDecimal.valueOf(n, d.getScale());
                }
                if (l instanceof TimestampLogicalTypeAnnotation ts) {
                    yield timestamp(n, ts.getUnit());
                }
                if (l instanceof TimeLogicalTypeAnnotation tm) {
                    yield Time.valueOf(LocalTime.ofNanoOfDay(tm.getUnit() == TimeUnit.MICROS ? n * 1000 : tm.getUnit() == TimeUnit.MILLIS ? n * 1_000_000 : n));
                }
                yield n;
            }
            case INT96 -> {
                ByteBuffer b = ByteBuffer.wrap(g.getInt96(field, 0).getBytes()).order(ByteOrder.LITTLE_ENDIAN);
                long nanosOfDay = b.getLong();
                long day = b.getInt() - JULIAN_EPOCH_DAY;
                Timestamp ts = new Timestamp(day * 86_400_000L + nanosOfDay / 1_000_000);
                ts.setNanos((int) (nanosOfDay % 1_000_000_000));
                yield ts;
            }
            case FLOAT -> g.getFloat(field, 0);
            case DOUBLE -> g.getDouble(field, 0);
            case BINARY, FIXED_LEN_BYTE_ARRAY -> {
                byte[] bytes = g.getBinary(field, 0).getBytes();
                if (l instanceof DecimalLogicalTypeAnnotation d) {
                    yield new BigDecimal(new BigInteger(bytes), d.getScale());
                }
                if (l instanceof LogicalTypeAnnotation.UUIDLogicalTypeAnnotation) {
                    ByteBuffer b = ByteBuffer.wrap(bytes);
                    yield new UUID(b.getLong(), b.getLong());
                }
                yield sqlType(t) == SqlType.VARCHAR ? g.getString(field, 0) : bytes;
            }
        };
    }

    private static Timestamp timestamp(long n, TimeUnit unit) {
        long seconds;
        long nanos;
        switch (unit) {
            case MILLIS -> {
                seconds = Math.floorDiv(n, 1000);
                nanos = Math.floorMod(n, 1000) * 1_000_000L;
            }
            case MICROS -> {
                seconds = Math.floorDiv(n, 1_000_000);
                nanos = Math.floorMod(n, 1_000_000) * 1000L;
            }
            default -> {
                seconds = Math.floorDiv(n, 1_000_000_000);
                nanos = Math.floorMod(n, 1_000_000_000);
            }
        }
        Timestamp ts = new Timestamp(seconds * 1000);
        ts.setNanos((int) nanos);
        return ts;
    }

    /** A field (all its repetitions) as JSON: a group as an object, a LIST as an array, a repeated field as an array. */
    private static JsonNode json(Group g, int field, Type t) {
        int n = g.getFieldRepetitionCount(field);
        if (t.isRepetition(Type.Repetition.REPEATED)) {
            ArrayNode a = NODES.arrayNode();
            for (int i = 0; i < n; i++) {
                a.add(one(g, field, i, t));
            }
            return a;
        }
        return one(g, field, 0, t);
    }

    private static JsonNode one(Group g, int field, int index, Type t) {
        if (t.isPrimitive()) {
            PrimitiveType p = t.asPrimitiveType();
            return switch (p.getPrimitiveTypeName()) {
                case BOOLEAN -> NODES.booleanNode(g.getBoolean(field, index));
                case INT32 -> NODES.numberNode(g.getInteger(field, index));
                case INT64 -> NODES.numberNode(g.getLong(field, index));
                case FLOAT -> NODES.numberNode(g.getFloat(field, index));
                case DOUBLE -> NODES.numberNode(g.getDouble(field, index));
                default -> p.getLogicalTypeAnnotation() instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation
                        ? NODES.textNode(g.getString(field, index)) : NODES.textNode(g.getValueToString(field, index));
            };
        }
        Group child = g.getGroup(field, index);
        GroupType type = t.asGroupType();
        if (type.getLogicalTypeAnnotation() instanceof LogicalTypeAnnotation.ListLogicalTypeAnnotation && type.getFieldCount() == 1
                && !type.getType(0).isPrimitive() && type.getType(0).asGroupType().getFieldCount() == 1) {
            ArrayNode a = NODES.arrayNode(); // LIST: repeated group list { element }
            Type element = type.getType(0).asGroupType().getType(0);
            for (int i = 0; i < child.getFieldRepetitionCount(0); i++) {
                Group item = child.getGroup(0, i);
                a.add(item.getFieldRepetitionCount(0) == 0 ? NODES.nullNode() : one(item, 0, 0, element));
            }
            return a;
        }
        ObjectNode o = NODES.objectNode();
        for (int f = 0; f < type.getFieldCount(); f++) {
            Type ft = type.getType(f);
            if (child.getFieldRepetitionCount(f) == 0) {
                o.set(ft.getName(), ft.isRepetition(Type.Repetition.REPEATED) ? NODES.arrayNode() : NODES.nullNode());
            } else {
                o.set(ft.getName(), json(child, f, ft));
            }
        }
        return o;
    }
}
