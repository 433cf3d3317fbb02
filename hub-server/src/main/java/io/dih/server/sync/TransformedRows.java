package io.dih.server.sync;

import io.dih.server.region.Region;
import io.dih.server.source.Plan;
import io.dih.server.transform.Pipeline;
import io.dih.spi.ChangeEvent;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What a binding's transforms make of the rows and changes the {@link Applier} takes, and of their failures. */
final class TransformedRows {
    private static final Logger LOG = LoggerFactory.getLogger(TransformedRows.class);

    private TransformedRows() {
    }

    /**
     * A row read through, after the binding's transforms: {@code null} when they filter it out (it would not be in the
     * region) or fail on it (logged: such a row is a dead letter when a load or a feed meets it).
     */
    static Map<String, Object> readThrough(Region region, Plan plan, Map<String, Object> sourceRow) {
        if (plan.transforms().isEmpty()) {
            return sourceRow;
        }
        Pipeline.Outcome o = plan.transforms().apply(sourceRow);
        if (o instanceof Pipeline.Failed f) {
            LOG.warn("A row read through for region {} fails its transforms ({}); it is answered as missing", region.name(), error(f));
            return null;
        }
        return o instanceof Pipeline.Row r ? r.row() : null;
    }

    /** A row's failure in its binding's transforms, for its dead letter: the step and the error. */
    static String error(Pipeline.Failed f) {
        return "transforms[" + f.step() + "]: " + f.error();
    }

    /**
     * A change after its binding's transforms: the same change with the transformed row; a DELETE of its key when a
     * filter says the row no longer belongs in the region (an update that stops matching removes it); {@code null}
     * when the transforms fail on it (the caller keeps it as a dead letter).
     */
    static ChangeEvent change(Applier.Target t, ChangeEvent e, Pipeline.Outcome o) {
        if (o instanceof Pipeline.Row r) {
            return new ChangeEvent(e.kind(), e.table(), e.key(), r.row(), e.position(), e.sequence(), e.commitMillis(), e.snapshot(),
                    e.stream(), e.raw(), e.error());
        }
        if (o instanceof Pipeline.Filtered) {
            Map<String, Object> key = new HashMap<>(e.key());
            for (String col : t.region().spec().keyFields()) {
                String src = t.plan().columnMap().get(col);
                if (src != null && !key.containsKey(src)) {
                    key.put(src, e.row().get(src)); // transforms never change key columns
                }
            }
            return new ChangeEvent(ChangeEvent.Kind.DELETE, e.table(), key, null, e.position(), e.sequence(), e.commitMillis(), e.snapshot(),
                    e.stream(), e.raw(), null);
        }
        return null;
    }
}
