package io.dih.server.query;

import static java.util.Objects.requireNonNull;

import io.dih.server.region.Region;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.ignite.binary.BinaryObject;

/**
 * One checked operation of a transaction: its place in the request, its region and key, what it writes and the guards
 * its row must pass afterwards. {@code row} is the whole new row of a put or insert; {@code values} are the columns an
 * update sets or the deltas an increment adds (converted to the column types).
 */
record TxOperation(int index, Kind kind, Region region, String keyText, Object key, BinaryObject row,
                   Map<String, Object> values, List<RowGuard> guards) {
    TxOperation {
        requireNonNull(kind, "kind is null");
        requireNonNull(region, "region is null");
        requireNonNull(keyText, "keyText is null");
        requireNonNull(key, "key is null");
        values = values == null ? Map.of() : values;
        guards = List.copyOf(guards);
    }

    enum Kind {
        GET, PUT, UPDATE, INCREMENT, INSERT, DELETE;

        boolean writes() {
            return this != GET;
        }

        String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** How error messages name the operation: {@code operations[1] (increment 'account_456' in account_balances)}. */
    String describe() {
        return "operations[" + index + "] (" + kind.wire() + " '" + keyText + "' in " + region.name() + ")";
    }
}
