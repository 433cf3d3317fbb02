package io.dih.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/** Runs one operation from N threads for a fixed time and records every call's latency. */
final class LoadRunner {
    /** One call of the operation under test, for a random key; throws on a wrong answer. */
    interface Op {
        void call(long key) throws Exception;
    }

    record Result(String name, int threads, long ops, double seconds, Histogram latency) {
        double opsPerSecond() {
            return ops / seconds;
        }

        double p50Micros() {
            return latency.getValueAtPercentile(50) / 1000.0;
        }

        double p99Micros() {
            return latency.getValueAtPercentile(99) / 1000.0;
        }
    }

    private LoadRunner() {
    }

    static Result run(String name, int threads, long keys, double warmupSeconds, double seconds, Op op) throws InterruptedException {
        warmUp(threads, keys, warmupSeconds, op);
        return measure(name, threads, keys, seconds, op);
    }

    /** Calls the operation from N threads for a while and records nothing (the JIT, pools, caches). */
    static void warmUp(int threads, long keys, double seconds, Op op) throws InterruptedException {
        drive(threads, keys, seconds, op, null);
    }

    /** Calls the operation from N threads for a fixed time, with no warm-up, and records every call's latency. */
    static Result measure(String name, int threads, long keys, double seconds, Op op) throws InterruptedException {
        Histogram total = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        long ops = drive(threads, keys, seconds, op, total);
        return new Result(name, threads, ops, seconds, total);
    }

    private static long drive(int threads, long keys, double seconds, Op op, Histogram into) throws InterruptedException {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        CountDownLatch done = new CountDownLatch(threads);
        List<Histogram> hs = new ArrayList<>();
        long[] counts = new long[threads];
        List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < threads; t++) {
            Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
            hs.add(h);
            int idx = t;
            Thread th = new Thread(() -> {
                try {
                    ThreadLocalRandom rnd = ThreadLocalRandom.current();
                    long n = 0;
                    while (System.nanoTime() < end) {
                        long key = rnd.nextLong(keys);
                        long t0 = System.nanoTime();
                        op.call(key);
                        h.recordValue(Math.min(System.nanoTime() - t0, TimeUnit.SECONDS.toNanos(10)));
                        n++;
                    }
                    counts[idx] = n;
                } catch (Throwable e) {
                    errors.add(e);
                } finally {
                    done.countDown();
                }
            }, "bench-" + t);
            th.setDaemon(true);
            th.start();
        }
        done.await();
        if (!errors.isEmpty()) {
            throw new IllegalStateException("a benchmark call failed", errors.get(0));
        }
        long ops = 0;
        for (int t = 0; t < threads; t++) {
            ops += counts[t];
            if (into != null) {
                into.add(hs.get(t));
            }
        }
        return ops;
    }
}
