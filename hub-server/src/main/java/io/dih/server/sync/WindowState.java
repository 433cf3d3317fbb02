package io.dih.server.sync;

import java.io.Serializable;
import java.util.HashMap;

/**
 * The running totals of one window row of an aggregating binding ({@code dih_window_state}), and per stream (topic
 * partition) the position of the last message folded in: a message delivered again is never counted twice. A plain
 * class: Ignite marshals it.
 */
final class WindowState implements Serializable {
    private static final long serialVersionUID = 1L;

    long count;
    /** Per measure column: {sum, values counted, min, max}. */
    HashMap<String, double[]> measures = new HashMap<>();
    /** Per stream id: {position, sequence} of the last message folded in. */
    HashMap<Long, long[]> folded = new HashMap<>();

    double[] measure(String column) {
        return measures.computeIfAbsent(column, c -> new double[] {0, 0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY});
    }
}
