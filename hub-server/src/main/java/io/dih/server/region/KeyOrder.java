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
        int c = a.getClass().getName().compareTo(b.getClass().getName());
        if (c != 0) {
            return c;
        }
        c = Integer.compare(a.hashCode(), b.hashCode());
        return c != 0 || a.equals(b) ? c : a.toString().compareTo(b.toString());
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
