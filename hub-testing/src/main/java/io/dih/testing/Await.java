package io.dih.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polls a condition until it holds; fails with a message saying what did not happen. */
public final class Await {
    private Await() {
    }

    public static void until(Duration timeout, String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Throwable last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
            } catch (RuntimeException | AssertionError e) {
                last = e;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting until " + what, e);
            }
        }
        throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting until " + what, last);
    }
}
