package io.dih.connector.s3;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.RuntimeJsonMappingException;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The records of one object, read as a stream (never held whole): CSV through Jackson's CSV parser, JSON lines one
 * line at a time. Each record arrives as text fields by column name (a JSON value that is an object or a list as its
 * JSON text), or as what could not be read, with its line (CSV: its record number counting the header as 1, which
 * is its line unless the file has blank lines or line breaks inside quoted fields).
 */
final class ObjectRows {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final CsvMapper CSV = new CsvMapper();

    /** Receives an object's records. */
    interface Visitor {
        /**
         * One record: its fields by column name as text ({@code null}: NULL), in the object's column order.
         *
         * @return false to stop reading
         */
        boolean record(long line, Map<String, String> fields);

        /** What could not be read as a record. */
        void unreadable(long line, String raw, String error);
    }

    private ObjectRows() {
    }

    /** Reads the whole object; the stream is closed by the caller. */
    static void read(S3Binding b, InputStream in, Visitor v) throws IOException {
        Reader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
        if (b.format() == S3Binding.Format.CSV) {
            csv(b, reader, v);
        } else {
            jsonLines(reader, v);
        }
    }

    private static void csv(S3Binding b, Reader reader, Visitor v) throws IOException {
        CsvSchema schema = CsvSchema.emptySchema().withColumnSeparator(b.delimiter()).withQuoteChar(b.quote());
        try (MappingIterator<String[]> it = CSV.readerFor(String[].class).with(schema)
                .with(CsvParser.Feature.WRAP_AS_ARRAY).with(CsvParser.Feature.SKIP_EMPTY_LINES).readValues(reader)) {
            List<String> columns = b.columns();
            long line = 0;
            while (true) {
                String[] fields;
                try {
                    if (!it.hasNextValue()) {
                        return;
                    }
                    // records, counted from 1 with the header: a file's line numbers unless it has blank lines (skipped)
                    // or line breaks inside quoted fields
                    line++;
                    fields = it.nextValue();
                } catch (IOException | RuntimeJsonMappingException e) {
                    long at = line + 1;
                    // a broken quote leaves the parser nowhere to resume from: the rest of this object is one dead letter
                    v.unreadable(at, "", "malformed CSV from here on, the rest of the object is not read: " + firstLine(e.getMessage()));
                    return;
                }
                if (columns.isEmpty()) { // the header
                    columns = Arrays.stream(fields).map(String::trim).toList();
                    continue;
                }
                if (fields.length != columns.size()) {
                    v.unreadable(line, String.join(String.valueOf(b.delimiter()), fields), "the line has " + fields.length
                            + " fields, the header " + columns.size());
                    continue;
                }
                Map<String, String> row = new LinkedHashMap<>();
                for (int i = 0; i < fields.length; i++) {
                    row.put(columns.get(i), fields[i].equals(b.nullValue()) ? null : fields[i]);
                }
                if (!v.record(line, row)) {
                    return;
                }
            }
        }
    }

    private static void jsonLines(Reader reader, Visitor v) throws IOException {
        BufferedReader lines = reader instanceof BufferedReader br ? br : new BufferedReader(reader);
        long line = 0;
        String text;
        while ((text = lines.readLine()) != null) {
            line++;
            if (text.isBlank()) {
                continue;
            }
            JsonNode node;
            try {
                node = JSON.readTree(text);
            } catch (JsonProcessingException e) {
                v.unreadable(line, text, "not JSON: " + firstLine(e.getOriginalMessage()));
                continue;
            }
            if (!node.isObject()) {
                v.unreadable(line, text, "not a JSON object");
                continue;
            }
            Map<String, String> row = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> f = node.fields(); f.hasNext(); ) {
                Map.Entry<String, JsonNode> e = f.next();
                JsonNode value = e.getValue();
                row.put(e.getKey(), value.isNull() ? null : value.isContainerNode() ? value.toString() : value.asText());
            }
            if (!v.record(line, row)) {
                return;
            }
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unknown error";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
