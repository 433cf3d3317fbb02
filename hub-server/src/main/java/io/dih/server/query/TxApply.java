package io.dih.server.query;

import io.dih.server.region.EntryCodec;
import io.dih.server.region.Region;
import io.dih.spi.ConflictException;
import io.dih.spi.NotFoundException;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.ignite.IgniteBinary;
import org.apache.ignite.binary.BinaryObject;

/** What one operation makes of the row it finds: the row after it ({@code null}: no row), or why it fails. */
final class TxApply {
    private TxApply() {
    }

    static Object apply(TxOperation op, Object before, IgniteBinary binary) {
        Region r = op.region();
        return switch (op.kind()) {
            case GET -> before;
            case PUT -> op.row();
            case INSERT -> {
                if (before != null) {
                    throw new ConflictException(op.describe() + ": the entry already exists; an insert adds new keys only; nothing was applied");
                }
                yield op.row();
            }
            case DELETE -> {
                requirePresent(op, before);
                yield null;
            }
            case UPDATE -> {
                requirePresent(op, before);
                yield EntryCodec.merge(r, binary, before, op.values());
            }
            case INCREMENT -> {
                requirePresent(op, before);
                yield EntryCodec.merge(r, binary, before, sums(op, (BinaryObject) before));
            }
        };
    }

    private static void requirePresent(TxOperation op, Object before) {
        if (before == null) {
            throw new NotFoundException(op.describe() + ": no entry with key '" + op.keyText() + "' in region '"
                    + op.region().name() + "'; nothing was applied");
        }
    }

    private static Map<String, Object> sums(TxOperation op, BinaryObject row) {
        Map<String, Object> out = new LinkedHashMap<>();
        op.values().forEach((col, delta) -> {
            Object current = row.hasField(col) ? row.field(col) : null;
            if (current == null) {
                throw new ConflictException(op.describe() + ": column " + col + " is null and cannot be incremented; nothing was applied");
            }
            try {
                out.put(col, add(current, delta));
            } catch (ArithmeticException e) {
                throw new ConflictException(op.describe() + ": " + col + " + " + delta + " is out of the column's range; nothing was applied");
            }
        });
        return out;
    }

    /** {@code a + b} in the type of {@code b} (the column's type); integers never overflow silently. */
    static Object add(Object a, Object b) {
        if (b instanceof BigDecimal d) {
            return new BigDecimal(a.toString()).add(d);
        }
        if (b instanceof Double d) {
            return ((Number) a).doubleValue() + d;
        }
        if (b instanceof Float f) {
            return ((Number) a).floatValue() + f;
        }
        long sum = Math.addExact(((Number) a).longValue(), ((Number) b).longValue());
        if (b instanceof Long) {
            return sum;
        }
        if (b instanceof Integer) {
            return Math.toIntExact(sum);
        }
        if (b instanceof Short && sum >= Short.MIN_VALUE && sum <= Short.MAX_VALUE) {
            return (short) sum;
        }
        if (b instanceof Byte && sum >= Byte.MIN_VALUE && sum <= Byte.MAX_VALUE) {
            return (byte) sum;
        }
        throw new ArithmeticException("out of range");
    }
}
