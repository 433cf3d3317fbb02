package io.dih.api;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.dih.spi.FieldError;
import io.dih.spi.InvalidSpecException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How one source feeds one region: which table (or query) to read, its key columns, how source columns map to
 * region columns, and the watermark for incremental loads. With no binding, a region binds to the source table of
 * the same name and its primary key.
 *
 * @param table           the source table, optionally schema-qualified ({@code public.orders})
 * @param query           instead of a table, a SELECT whose result is loaded (loads only)
 * @param keyColumns      the source columns that form the key; default: the table's primary key
 * @param mapping         region column to source column; unmapped columns keep their names
 * @param watermarkColumn a column that grows with every change (an update timestamp, a sequence): periodic loads
 *                        read only rows past the last value seen
 * @param schedule        a cron expression (UTC) for periodic loads of this binding, instead of
 *                        {@code sync_interval_seconds}: 5 fields (Unix) or 6-7 with seconds (Quartz)
 * @param transforms      the ordered steps each row goes through on its way into the region ({@code rename},
 *                        {@code cast}, {@code compute}, {@code filter}, {@code drop}, {@code default}, {@code flatten},
 *                        {@code parse_json}), as given; the hub compiles and checks them at registration
 * @param options         every other key of the binding, as given: keys of the source's family ({@code topic},
 *                        {@code format}, ...), which its connector checks when it describes the binding (an unknown
 *                        key is an error naming it there)
 */
@JsonIgnoreProperties(ignoreUnknown = false)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record BindingSpec(
        @JsonProperty("table") String table,
        @JsonProperty("query") String query,
        @JsonProperty("key_columns") List<String> keyColumns,
        @JsonProperty("mapping") Map<String, String> mapping,
        @JsonProperty("watermark_column") String watermarkColumn,
        @JsonProperty("schedule") String schedule,
        @JsonProperty("transforms") List<Object> transforms,
        @JsonAnySetter Map<String, Object> options) {

    /** A binding with no connector-specific keys. */
    public BindingSpec(String table, String query, List<String> keyColumns, Map<String, String> mapping, String watermarkColumn,
                       String schedule) {
        this(table, query, keyColumns, mapping, watermarkColumn, schedule, null, null);
    }

    /** A binding without transforms. */
    public BindingSpec(String table, String query, List<String> keyColumns, Map<String, String> mapping, String watermarkColumn,
                       String schedule, Map<String, Object> options) {
        this(table, query, keyColumns, mapping, watermarkColumn, schedule, null, options);
    }

    public BindingSpec {
        List<FieldError> errors = new ArrayList<>();
        if (table != null && query != null) {
            errors.add(new FieldError("query", "give either table or query, not both"));
        }
        if (table != null && !table.matches("[A-Za-z_][A-Za-z0-9_$]*(\\.[A-Za-z_][A-Za-z0-9_$]*)?")) {
            errors.add(new FieldError("table", "'" + table + "' is not a table name (name or schema.name)"));
        }
        if (query != null && !query.trim().toLowerCase().startsWith("select")) {
            errors.add(new FieldError("query", "must be a SELECT statement"));
        }
        if (keyColumns != null) {
            if (keyColumns.isEmpty()) {
                errors.add(new FieldError("key_columns", "must name at least one column when given"));
            }
            keyColumns = List.copyOf(keyColumns);
        }
        if (mapping != null) {
            mapping.forEach((regionColumn, sourceColumn) -> {
                String p = Names.problem(regionColumn);
                if (p != null) {
                    errors.add(new FieldError("mapping." + regionColumn, p));
                }
                if (sourceColumn == null || sourceColumn.isBlank()) {
                    errors.add(new FieldError("mapping." + regionColumn, "must name a source column"));
                }
            });
            mapping = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(mapping));
        }
        if (transforms != null) {
            transforms = java.util.Collections.unmodifiableList(new ArrayList<>(transforms)); // steps may hold nulls (a default of NULL)
        }
        options = options == null || options.isEmpty() ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(options));
        if (!errors.isEmpty()) {
            throw new InvalidSpecException(errors);
        }
    }

    /** The connector-specific keys, written back as keys of the binding. */
    @Override
    @JsonAnyGetter
    public Map<String, Object> options() {
        return options;
    }

    /** One connector-specific key's value, or {@code null}. */
    public Object option(String key) {
        return options.get(key);
    }

    /** This binding reading another table (or query), everything else kept. */
    public BindingSpec withTable(String newTable) {
        return new BindingSpec(newTable, query, keyColumns, mapping, watermarkColumn, schedule, transforms, options);
    }

    /** The binding used when a source names none for a region: the table of the region's name. */
    public static BindingSpec defaultFor(String region) {
        return new BindingSpec(region, null, null, null, null, null);
    }

    /** The source column that feeds a region column. */
    public String sourceColumn(String regionColumn) {
        return mapping != null && mapping.containsKey(regionColumn) ? mapping.get(regionColumn) : regionColumn;
    }
}
