package io.dih.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar hub-bench/target/hub-bench.jar <benchmark> [options]}. */
@Command(name = "hub-bench", mixinStandardHelpOptions = true,
        description = "Benchmarks of the Digital Integration Hub; each prints ratios against a baseline measured in the same run.",
        subcommands = {GetBenchmark.class, SourceBenchmark.class, WriteBenchmark.class, CdcBenchmark.class, QueryBenchmark.class,
                SubscribeBenchmark.class, StreamBenchmark.class, StoresBenchmark.class, TransformBenchmark.class, SecurityBenchmark.class,
                ReadThroughBenchmark.class})
public final class BenchMain implements Runnable {
    public static void main(String[] args) {
        System.setProperty("IGNITE_QUIET", "true");
        System.setProperty("IGNITE_UPDATE_NOTIFIER", "false");
        System.setProperty("IGNITE_NO_ASCII", "true");
        System.setProperty("IGNITE_PERFORMANCE_SUGGESTIONS_DISABLED", "true");
        System.setProperty("java.net.preferIPv4Stack", "true");
        System.setProperty("h2.serializeJavaObject", "false"); // as the hub's own main: values are BinaryObjects
        System.exit(new CommandLine(new BenchMain()).execute(args));
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
