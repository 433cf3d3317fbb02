package io.dih.server.region;

import java.util.Collection;
import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One total order for cache keys (plain values and composite binary keys alike). Multi-key operations in a pessimistic
 * transaction lock their keys in iteration order; when every such operation of the hub iterates in this order, two
 * transactions can never wait on each other in a cycle (and Ignite's "unordered collection" deadlock warning is
 * answered).
 */
public final class KeyOrder implements Comparator<Object> {
    public static final KeyOrder INSTANCE = new KeyOrder();

    private KeyOrder() {
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public int compare(Object a, Object b) {
        if (a == b) {
            return 0;
        }
        if (a.getClass() == b.getClass() && a instanceof Comparable ca) {
            return ca.compareTo(b);
        }
        if (a instanceof org.apache.ignite.binary.BinaryObject x && b instanceof org.apache.ignite.binary.BinaryObject y) {
            return compareBinary(x, y); // composite keys: by type, then field by field, so equal keys compare equal
        }
        int c = a.getClass().getName().compareTo(b.getClass().getName());
        if (c != 0) {
            return c;
        }
        c = Integer.compare(a.hashCode(), b.hashCode());
        return c != 0 || a.equals(b) ? c : a.toString().compareTo(b.toString());
    }

    private int compareBinary(org.apache.ignite.binary.BinaryObject x, org.apache.ignite.binary.BinaryObject y) {
        int c = x.type().typeName().compareTo(y.type().typeName());
        if (c != 0) {
            return c;
        }
        TreeSet<String> fields = new TreeSet<>(x.type().fieldNames());
        fields.addAll(y.type().fieldNames());
        for (String f : fields) {
            Object fx = x.hasField(f) ? x.field(f) : null;
            Object fy = y.hasField(f) ? y.field(f) : null;
            if (fx == null || fy == null) {
                c = fx == fy ? 0 : fx == null ? -1 : 1;
            } else {
                c = compare(fx, fy);
            }
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    public static TreeSet<Object> sortedSet(Collection<?> keys) {
        TreeSet<Object> out = new TreeSet<>(INSTANCE);
        out.addAll(keys);
        return out;
    }

    public static <V> TreeMap<Object, V> sortedMap(Map<?, ? extends V> map) {
        TreeMap<Object, V> out = new TreeMap<>(INSTANCE);
        out.putAll(map);
        return out;
    }
}
