package io.dih.server.source;

import static java.util.Objects.requireNonNull;

import io.dih.api.BindingSpec;
import io.dih.api.Names;
import io.dih.api.SourceSpec;
import io.dih.api.SqlType;
import io.dih.server.region.Region;
import io.dih.server.transform.Pipeline;
import io.dih.server.region.RegionService;
import io.dih.spi.Connector;
import io.dih.spi.FieldError;
import io.dih.spi.InvalidSpecException;
import io.dih.spi.SourceTable;
import io.dih.spi.UnavailableException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Works out how each binding of a source feeds its region: the source's key against the region's, region column to
 * source column, types that would not fit (a 400 at registration), and the columns the region must gain.
 */
public final class Planner {
    /**
     * A stream binding's key for message fields its region lacks: {@code dead_letter} (the default: the message is a dead
     * letter, so a mapping mistake shows) or {@code ignore} (the fields are left out).
     */
    public static final String EXTRA_FIELDS = "extra_fields";
    public static final String IGNORE = "ignore";
    private final RegionService regions;

    public Planner(RegionService regions) {
        this.regions = requireNonNull(regions, "regions is null");
    }

    /** Whether every value of a source type converts to a region type without loss or failure. */
    static boolean fits(SqlType from, SqlType to) {
        if (from == to || to == SqlType.VARCHAR) {
            return true;
        }
        List<SqlType> ints = List.of(SqlType.TINYINT, SqlType.SMALLINT, SqlType.INT, SqlType.BIGINT);
        if (ints.contains(from) && ints.contains(to)) {
            return ints.indexOf(from) <= ints.indexOf(to);
        }
        if (ints.contains(from) || from == SqlType.REAL || from == SqlType.DOUBLE) {
            return to == SqlType.DECIMAL || to == SqlType.DOUBLE || (from == SqlType.REAL && to == SqlType.DOUBLE)
                    || (ints.contains(from) && ints.indexOf(from) <= 2 && to == SqlType.DOUBLE);
        }
        return from == SqlType.DATE && to == SqlType.TIMESTAMP;
    }

    /**
     * The plan of every binding of a source, by region name, as registration checks it: a source column whose type
     * would not fit its region column is an error.
     *
     * @throws InvalidSpecException naming each binding's problem (fields prefixed {@code bindings.<region>.})
     */
    public Map<String, Plan> plan(SourceSpec spec, Connector connector) {
        return plan(spec, connector, true);
    }

    /**
     * The plan of a registered source, as its data flows: a column whose type changed in the source since (so that
     * some values may not fit) is no error here; each value that does not fit makes its row a dead letter instead.
     */
    public Map<String, Plan> planRegistered(SourceSpec spec, Connector connector) {
        return plan(spec, connector, false);
    }

    private Map<String, Plan> plan(SourceSpec spec, Connector connector, boolean strictTypes) {
        Map<String, Plan> plans = new LinkedHashMap<>();
        List<FieldError> errors = new ArrayList<>();
        for (String regionName : spec.targetRegions()) {
            String prefix = "bindings." + regionName + ".";
            BindingSpec binding = spec.binding(regionName);
            SourceTable table;
            try {
                table = connector.describe(binding);
            } catch (InvalidSpecException e) {
                // a connection parameter the describe call found wrong (a refused key) is named as such, not as the binding's
                e.errors().forEach(fe -> errors.add(new FieldError(fe.field().startsWith("connection_params.") ? fe.field() : prefix + fe.field(),
                        fe.message())));
                continue;
            } catch (UnavailableException e) {
                throw new InvalidSpecException(e.field(), e.getMessage());
            }
            Region region = regions.get(regionName);
            Pipeline transforms = Transforms.compile(binding, table, prefix, errors);
            if (transforms == null) {
                continue;
            }
            table = Transforms.transformed(table, transforms);
            Plan p = table.schemaless() ? planSchemaless(region, binding, table, connector.partitionOrdered(), prefix, errors)
                    : planTable(region, binding, table, prefix, strictTypes ? errors : new ArrayList<>(), errors);
            if (p != null) {
                plans.put(region.name(), Transforms.flattened(p.withTransforms(transforms), region, binding));
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidSpecException(errors);
        }
        return plans;
    }

    /** A stream of JSON messages: each region column takes the field of its name (or mapping); the key likewise. */
    private static Plan planSchemaless(Region region, BindingSpec binding, SourceTable table, boolean ordered, String prefix,
                                       List<FieldError> errors) {
        Object extra = binding.option(EXTRA_FIELDS);
        if (extra != null && !IGNORE.equals(extra) && !"dead_letter".equals(extra)) {
            errors.add(new FieldError(prefix + EXTRA_FIELDS, "must be dead_letter (a message with a field the region lacks is a dead letter) "
                    + "or ignore (such fields are left out), was " + extra));
        }
        if (binding.option("aggregate") != null) {
            if (!ordered) {
                // a window's totals skip a message at or below the last position folded per partition: members that share
                // a partition (Pulsar Shared, Key_Shared) fold its messages out of order, so some would be lost
                errors.add(new FieldError(prefix + "aggregate", "windows need each partition read in order by one consumer: "
                        + "Kafka, or Pulsar with subscription_type Failover or Exclusive"));
                return null;
            }
            return planAggregate(region, binding, table, prefix, errors);
        }
        List<String> regionKey = region.spec().keyFields();
        List<String> sourceKey = table.primaryKey();
        if (!sourceKey.isEmpty() && sourceKey.size() != regionKey.size()) {
            errors.add(new FieldError(prefix + "key_columns", "region '" + region.name() + "' has the key " + regionKey
                    + " but key_columns names " + sourceKey + "; name as many key columns as the region's key has"));
            return null;
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < regionKey.size(); i++) {
            String explicit = binding.mapping() == null ? null : binding.mapping().get(regionKey.get(i));
            map.put(regionKey.get(i), explicit != null ? explicit : sourceKey.isEmpty() ? regionKey.get(i) : sourceKey.get(i));
        }
        for (String col : region.columns().keySet()) {
            map.putIfAbsent(col, binding.sourceColumn(col));
        }
        return new Plan(table, map, Map.of());
    }

    /** Tumbling windows: the region is keyed by the group columns and window_start, and gets window_end and the measures. */
    private static Plan planAggregate(Region region, BindingSpec binding, SourceTable table, String prefix, List<FieldError> errors) {
        AggregateSpec agg = AggregateSpec.parse(binding.option("aggregate"), prefix + "aggregate", errors);
        if (agg == null) {
            return null;
        }
        Map<String, SqlType> columns = new LinkedHashMap<>();
        region.columns().forEach((c, t) -> columns.put(c.toLowerCase(Locale.ROOT), t));
        Set<String> wanted = new HashSet<>();
        agg.groupBy().forEach(g -> wanted.add(g.toLowerCase(Locale.ROOT)));
        wanted.add(AggregateSpec.WINDOW_START);
        Set<String> key = new HashSet<>();
        region.spec().keyFields().forEach(k -> key.add(k.toLowerCase(Locale.ROOT)));
        if (!key.equals(wanted)) {
            errors.add(new FieldError(prefix + "aggregate.group_by", "region '" + region.name() + "' must be keyed by the group_by columns and "
                    + AggregateSpec.WINDOW_START + " (key_fields " + wanted + ", a TIMESTAMP " + AggregateSpec.WINDOW_START + "); it is keyed by "
                    + region.spec().keyFields()));
            return null;
        }
        if (columns.get(AggregateSpec.WINDOW_START) != SqlType.TIMESTAMP) {
            errors.add(new FieldError(prefix + "aggregate", "region '" + region.name() + "' must declare " + AggregateSpec.WINDOW_START
                    + " as TIMESTAMP, not " + columns.get(AggregateSpec.WINDOW_START)));
            return null;
        }
        Map<String, SqlType> newColumns = new LinkedHashMap<>();
        if (!columns.containsKey(AggregateSpec.WINDOW_END)) {
            newColumns.put(AggregateSpec.WINDOW_END, SqlType.TIMESTAMP);
        }
        Set<SqlType> numeric = Set.of(SqlType.TINYINT, SqlType.SMALLINT, SqlType.INT, SqlType.BIGINT, SqlType.REAL, SqlType.DOUBLE, SqlType.DECIMAL);
        for (AggregateSpec.Measure m : agg.measures()) {
            SqlType have = columns.get(m.column());
            if (have == null) {
                newColumns.put(m.column(), m.fn() == AggregateSpec.Fn.COUNT ? SqlType.BIGINT : SqlType.DOUBLE);
            } else if (!numeric.contains(have) || key.contains(m.column())) {
                errors.add(new FieldError(prefix + "aggregate.measures." + m.column(), "region column '" + m.column() + "' is " + have
                        + (key.contains(m.column()) ? " and part of the key" : "") + "; a measure needs a numeric value column"));
            }
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (String g : agg.groupBy()) {
            map.put(g.toLowerCase(Locale.ROOT), binding.sourceColumn(g));
        }
        return new Plan(table, map, newColumns, agg);
    }

    private static Plan planTable(Region region, BindingSpec binding, SourceTable table, String prefix, List<FieldError> typeErrors,
                                  List<FieldError> errors) {
        String regionName = region.name();
        List<String> regionKey = region.spec().keyFields();
        if (regionKey.size() != table.primaryKey().size()) {
            errors.add(new FieldError(prefix + "key_columns", "region '" + regionName + "' has the key " + regionKey
                    + " but the source's key is " + table.primaryKey() + "; name matching key_columns"));
            return null;
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < regionKey.size(); i++) {
            String explicit = binding.mapping() == null ? null : binding.mapping().get(regionKey.get(i));
            map.put(regionKey.get(i), explicit != null ? explicit : table.primaryKey().get(i));
        }
        Set<String> mappedSources = new HashSet<>(map.values());
        Map<String, SqlType> newColumns = new LinkedHashMap<>();
        Map<String, SqlType> regionColumns = region.columns();
        Set<String> regionUpper = new HashSet<>();
        regionColumns.keySet().forEach(c -> regionUpper.add(c.toUpperCase(Locale.ROOT)));
        for (String col : regionColumns.keySet()) {
            if (!map.containsKey(col)) {
                String src = binding.sourceColumn(col);
                if (table.columns().containsKey(src)) {
                    map.put(col, src);
                    mappedSources.add(src);
                }
            }
        }
        for (Map.Entry<String, String> m : map.entrySet()) {
            SqlType from = table.columns().get(m.getValue());
            SqlType to = region.columns().get(m.getKey());
            if (from != null && to != null && !fits(from, to)) {
                typeErrors.add(new FieldError(prefix + "mapping." + m.getKey(), "source column '" + m.getValue() + "' is " + from
                        + " but region column '" + m.getKey() + "' is " + to + "; its values would not fit"));
            }
        }
        for (Map.Entry<String, SqlType> c : table.columns().entrySet()) {
            if (mappedSources.contains(c.getKey())) {
                continue;
            }
            String target = c.getKey().toLowerCase(Locale.ROOT);
            if (Names.problem(target) != null || regionUpper.contains(target.toUpperCase(Locale.ROOT))) {
                continue; // not a usable SQL name, or the region already has a column of that name for something else
            }
            newColumns.put(target, c.getValue());
            map.put(target, c.getKey());
        }
        return new Plan(table, map, newColumns);
    }
}
