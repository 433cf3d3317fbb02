package io.dih.server.source;

import io.dih.api.SourceSpec;

/**
 * What the data path does when sources come and go: it starts their loads, change feeds and streams, and says what a
 * delete would lose. Installed on the {@link SourceRegistry} by the node, so registration knows nothing of it.
 */
public interface SourceLifecycle {
    /** Before a source is deleted: throws a {@link io.dih.spi.ConflictException} when it must stay (pending writes). */
    void checkDelete(SourceSpec spec, boolean discardPending);

    /** A source was stored: its first load, feed or stream starts. */
    void registered(SourceSpec spec);

    /** A source was removed from the registry: its feeds stop, its progress goes (its regions keep their data). */
    void deleted(SourceSpec spec);

    /** Nothing attached. */
    SourceLifecycle NONE = new SourceLifecycle() {
        @Override
        public void checkDelete(SourceSpec spec, boolean discardPending) {
        }

        @Override
        public void registered(SourceSpec spec) {
        }

        @Override
        public void deleted(SourceSpec spec) {
        }
    };
}
