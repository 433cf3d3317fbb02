package io.dih.server.query;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.ignite.internal.processors.query.GridQueryCancel;

/** Cancels a query when a request's time is up; {@link #fired} tells a timeout from any other failure. */
final class Deadline implements AutoCloseable {
    private final AtomicBoolean fired = new AtomicBoolean();
    private final ScheduledFuture<?> task;

    Deadline(ScheduledExecutorService timer, long millis, GridQueryCancel cancel) {
        requireNonNull(timer, "timer is null");
        requireNonNull(cancel, "cancel is null");
        this.task = timer.schedule(() -> {
            fired.set(true);
            cancel.cancel();
        }, millis, TimeUnit.MILLISECONDS);
    }

    boolean fired() {
        return fired.get();
    }

    /** Stops the clock; the query runs on untouched if it had not fired. */
    @Override
    public void close() {
        task.cancel(false);
    }
}
