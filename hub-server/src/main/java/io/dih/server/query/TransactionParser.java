package io.dih.server.query;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.dih.api.AtomicityMode;
import io.dih.api.SqlType;
import io.dih.server.region.EntryCodec;
import io.dih.server.region.Region;
import io.dih.server.region.RegionService;
import io.dih.spi.FieldError;
import io.dih.spi.InvalidSpecException;
import io.dih.spi.NotFoundException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.ignite.IgniteBinary;
import org.apache.ignite.binary.BinaryObject;

/**
 * Checks a transaction request (seed 004's body: {@code operations} of {@code {region, operation, data: {key,
 * updates}, require}}, {@code isolation}, {@code timeout} in ms) before anything runs. Every error names its field
 * ({@code operations[1].data.updates.balance}); keys and values are converted exactly as the entries API does.
 */
final class TransactionParser {
    static final long DEFAULT_TIMEOUT_MS = 10_000;
    static final long MAX_TIMEOUT_MS = 600_000;
    private static final Set<String> TOP = Set.of("operations", "isolation", "timeout");
    private static final Set<String> OPERATION = Set.of("region", "operation", "data", "require");
    private static final Set<String> DATA = Set.of("key", "updates");
    private static final Set<SqlType> NUMERIC = Set.of(SqlType.TINYINT, SqlType.SMALLINT, SqlType.INT, SqlType.BIGINT,
            SqlType.REAL, SqlType.DOUBLE, SqlType.DECIMAL);

    private final RegionService regions;
    private final IgniteBinary binary;
    private final int maxOperations;

    TransactionParser(RegionService regions, IgniteBinary binary, int maxOperations) {
        this.regions = requireNonNull(regions, "regions is null");
        this.binary = requireNonNull(binary, "binary is null");
        if (maxOperations < 1) {
            throw new IllegalArgumentException("maxOperations must be positive");
        }
        this.maxOperations = maxOperations;
    }

    TransactionPlan parse(JsonNode body, Predicate<String> visible) {
        if (body == null || !body.isObject()) {
            throw new InvalidSpecException("body", "must be a JSON object with operations, isolation and timeout");
        }
        unknown(body, TOP, "");
        JsonNode ops = body.get("operations");
        if (ops == null || !ops.isArray() || ops.isEmpty()) {
            throw new InvalidSpecException("operations", "must be a non-empty array of {region, operation, data: {key, updates}}");
        }
        if (ops.size() > maxOperations) {
            throw new InvalidSpecException("operations", "holds " + ops.size() + " operations; at most " + maxOperations + " per transaction");
        }
        Isolation isolation = isolation(body.get("isolation"));
        long timeout = timeout(body.get("timeout"));
        List<TxOperation> out = new ArrayList<>();
        List<FieldError> errors = new ArrayList<>();
        boolean hidden = false;
        for (int i = 0; i < ops.size(); i++) {
            try {
                out.add(operation(i, ops.get(i), visible));
            } catch (InvalidSpecException e) {
                errors.addAll(e.errors());
                hidden |= e instanceof HiddenObjectException;
            }
        }
        if (!errors.isEmpty()) {
            throw hidden ? new HiddenObjectException(errors) : new InvalidSpecException(errors);
        }
        return new TransactionPlan(out, isolation, timeout);
    }

    private static Isolation isolation(JsonNode n) {
        if (n == null || n.isNull()) {
            return Isolation.DEFAULT;
        }
        Isolation i = n.isTextual() ? Isolation.parse(n.asText()) : null;
        if (i == null) {
            throw new InvalidSpecException("isolation", "must be one of " + Isolation.names() + ", got " + n);
        }
        return i;
    }

    private static long timeout(JsonNode n) {
        if (n == null || n.isNull()) {
            return DEFAULT_TIMEOUT_MS;
        }
        if (!n.isIntegralNumber() || n.asLong() < 1 || n.asLong() > MAX_TIMEOUT_MS) {
            throw new InvalidSpecException("timeout", "must be a whole number of milliseconds from 1 to " + MAX_TIMEOUT_MS + ", got " + n);
        }
        return n.asLong();
    }

    private TxOperation operation(int i, JsonNode op, Predicate<String> visible) {
        String path = "operations[" + i + "]";
        if (op == null || !op.isObject()) {
            throw new InvalidSpecException(path, "must be an object {region, operation, data: {key, updates}}");
        }
        unknown(op, OPERATION, path + ".");
        TxOperation.Kind kind = kind(op.get("operation"), path + ".operation");
        Region region = region(op.get("region"), path + ".region", visible);
        JsonNode data = op.get("data");
        if (data == null || !data.isObject()) {
            throw new InvalidSpecException(path + ".data", "must be an object {key, updates}");
        }
        unknown(data, DATA, path + ".data.");
        JsonNode keyNode = data.get("key");
        if (keyNode == null || keyNode.isNull() || keyNode.isContainerNode()) {
            throw new InvalidSpecException(path + ".data.key", "is required: the entry's key as the entries API writes it (composite: comma-separated)");
        }
        String keyText = keyNode.asText();
        Object key;
        try {
            key = EntryCodec.key(region, binary, keyText);
        } catch (InvalidSpecException e) {
            throw prefixed(e, path + ".data.");
        }
        JsonNode updates = data.get("updates");
        String updatesPath = path + ".data.updates";
        BinaryObject row = null;
        Map<String, Object> values = null;
        switch (kind) {
            case GET, DELETE -> {
                if (updates != null && !updates.isNull()) {
                    throw new InvalidSpecException(updatesPath, "a " + kind.wire() + " takes no updates");
                }
            }
            case PUT, INSERT -> row = EntryCodec.value(region, binary, key, required(updates, updatesPath, false), updatesPath);
            case UPDATE -> values = EntryCodec.columnValues(region, key, required(updates, updatesPath, true), updatesPath);
            case INCREMENT -> values = deltas(region, key, required(updates, updatesPath, true), updatesPath);
        }
        List<RowGuard> guards = RowGuard.parse(region, op.get("require"), path + ".require");
        return new TxOperation(i, kind, region, keyText, key, row, values, guards);
    }

    private static JsonNode required(JsonNode updates, String path, boolean nonEmpty) {
        if (updates == null || updates.isNull() || (nonEmpty && updates.isObject() && updates.isEmpty())) {
            throw new InvalidSpecException(path, "is required: an object of column values");
        }
        return updates;
    }

    private static Map<String, Object> deltas(Region region, Object key, JsonNode updates, String path) {
        List<FieldError> errors = new ArrayList<>();
        if (updates.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> it = updates.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> f = it.next();
                String col = f.getKey();
                SqlType type = region.columns().get(col);
                if (region.spec().keyFields().contains(col)) {
                    errors.add(new FieldError(path + "." + col, "is a key column; an increment changes value columns only"));
                } else if (type != null && !NUMERIC.contains(type)) {
                    errors.add(new FieldError(path + "." + col, "is a " + type + " column; an increment adds to numeric columns only"));
                } else if (type != null && !f.getValue().isNumber()) {
                    errors.add(new FieldError(path + "." + col, "must be a number (the amount to add), got " + f.getValue()));
                }
            }
        }
        if (!errors.isEmpty()) {
            throw new InvalidSpecException(errors);
        }
        return EntryCodec.columnValues(region, key, updates, path); // types and unknown columns as the entries API says
    }

    private static TxOperation.Kind kind(JsonNode n, String path) {
        if (n != null && n.isTextual()) {
            try {
                return TxOperation.Kind.valueOf(n.asText().trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException ignored) {
                // reported below
            }
        }
        throw new InvalidSpecException(path, "must be one of get, put, update, increment, insert, delete; got " + n);
    }

    private Region region(JsonNode n, String path, Predicate<String> visible) {
        if (n == null || !n.isTextual() || n.asText().isBlank()) {
            throw new InvalidSpecException(path, "is required: the name of a cache region");
        }
        if (!visible.test(n.asText())) { // another tenant's: answered as missing (and audited)
            throw new HiddenObjectException(path, "there is no region '" + n.asText() + "'");
        }
        Region r;
        try {
            r = regions.get(n.asText());
        } catch (NotFoundException e) {
            throw new InvalidSpecException(path, "there is no region '" + n.asText() + "'");
        }
        if (r.spec().atomicityMode() != AtomicityMode.TRANSACTIONAL) {
            throw new InvalidSpecException(path, "region '" + r.name() + "' is " + r.spec().atomicityMode()
                    + "; transactions need TRANSACTIONAL regions (atomicity_mode)");
        }
        return r;
    }

    private static void unknown(JsonNode node, Set<String> known, String prefix) {
        List<FieldError> errors = new ArrayList<>();
        node.fieldNames().forEachRemaining(f -> {
            if (!known.contains(f)) {
                errors.add(new FieldError(prefix + f, "is not a field here; use " + known.stream().sorted().toList()));
            }
        });
        if (!errors.isEmpty()) {
            throw new InvalidSpecException(errors);
        }
    }

    private static InvalidSpecException prefixed(InvalidSpecException e, String prefix) {
        List<FieldError> errors = new ArrayList<>();
        for (FieldError fe : e.errors()) {
            errors.add(new FieldError(prefix + fe.field(), fe.message()));
        }
        return new InvalidSpecException(errors);
    }
}
