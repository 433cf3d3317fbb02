package io.dih.server.sync;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class LoadStateTest {
    @Test
    void aQueuedLoadKeepsItsStartWhenItRunsAndWhenItIsDone() {
        LoadState done = LoadState.initial().started("full", 10, 1_000).finished(10, 0, null, 2_000);
        LoadState queued = done.queued("full", 5_000, "node-1");
        SourceStatus.RegionLoad q = queued.toStatus(5_500);
        assertThat(q.state()).isEqualTo("QUEUED");
        assertThat(q.startedAt()).isEqualTo(Instant.ofEpochMilli(5_000).toString());
        assertThat(q.rowsLoaded()).isZero();
        assertThat(q.rowsPerSecond()).as("nothing loads yet").isNull();
        assertThat(q.lastLoadedAt()).as("the last load's end stays").isEqualTo(Instant.ofEpochMilli(2_000).toString());
        assertThat(queued.queuedOn).isEqualTo("node-1");

        LoadState running = queued.started("full", 20, 6_000);
        assertThat(running.toStatus(6_100).state()).isEqualTo("LOADING");
        assertThat(running.startedAtMillis).isEqualTo(5_000);
        assertThat(running.queuedOn).isNull();
        assertThat(running.finished(20, 0, null, 7_000).toStatus(7_000).startedAt()).isEqualTo(Instant.ofEpochMilli(5_000).toString());

        assertThat(done.started("full", 10, 9_000).startedAtMillis).as("a load nobody queued starts when it runs").isEqualTo(9_000);
    }
}
