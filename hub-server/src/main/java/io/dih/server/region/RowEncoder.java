package io.dih.server.region;

import static java.util.Objects.requireNonNull;

import io.dih.api.SqlType;
import java.util.Map;
import org.apache.ignite.IgniteBinary;
import org.apache.ignite.binary.BinaryObject;
import org.apache.ignite.binary.BinaryObjectBuilder;

/**
 * Encodes many rows of one region as values, for a bulk path (a load) on one thread: the value columns, their types
 * and Java classes are worked out once and one builder is reused, where {@link EntryCodec#valueOf} sets them up per
 * row. Not thread-safe.
 */
public final class RowEncoder {
    private final String[] names;
    private final SqlType[] types;
    private final Class<Object>[] classes;
    private final BinaryObjectBuilder builder;

    public RowEncoder(Region region, IgniteBinary binary) {
        requireNonNull(region, "region is null");
        Map<String, SqlType> values = region.valueColumns();
        this.names = values.keySet().toArray(String[]::new);
        this.types = values.values().toArray(SqlType[]::new);
        @SuppressWarnings("unchecked")
        Class<Object>[] cls = (Class<Object>[]) new Class<?>[names.length];
        this.classes = cls;
        for (int i = 0; i < names.length; i++) {
            classes[i] = ColumnValues.javaClass(types[i]);
        }
        this.builder = requireNonNull(binary, "binary is null").builder(region.valueType());
    }

    /** The value of a row given by region column name (as {@link EntryCodec#valueOf}: missing columns are null). */
    public BinaryObject value(Map<String, Object> row) {
        for (int i = 0; i < names.length; i++) {
            builder.setField(names[i], ColumnValues.coerce(names[i], types[i], row.get(names[i])), classes[i]);
        }
        return builder.build();
    }
}
