package io.dih.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dih.api.BindingSpec;
import io.dih.api.RegionSpec;
import io.dih.api.SourceSpec;
import io.dih.api.SqlType;
import io.dih.server.json.Json;
import io.dih.server.node.HubConfigLoader;
import io.dih.server.node.HubNode;
import io.dih.server.sync.SourceStatus;
import io.dih.testing.FreePorts;
import io.dih.testing.TestingPostgresServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * What transforms cost a load: the same PostgreSQL table loaded into three regions, through bindings with 0, 3 and 8
 * transform steps, in one run (each after a warm-up load of its own pipeline); rows/s as a ratio to 0 steps.
 */
@Command(name = "transforms", mixinStandardHelpOptions = true, description = "Load rows/s with 0, 3 and 8 transform steps, as ratios to 0 steps.")
public final class TransformBenchmark implements Callable<Integer> {
    @Option(names = "--rows", defaultValue = "100000", description = "rows in the table (default ${DEFAULT-VALUE})")
    long rows;

    static final String THREE = """
            [{"compute": {"full_name": "first + ' ' + last"}}, {"filter": "age >= 0"}, {"drop": ["note"]}]""";
    static final String EIGHT = """
            [{"compute": {"full_name": "first + ' ' + last"}}, {"filter": "age >= 0"}, {"drop": ["note"]},
             {"rename": {"email": "mail"}}, {"compute": {"group": "age >= 18 ? 'adult' : 'minor'"}}, {"compute": {"score2": "score * 1.2"}},
             {"default": {"country": "NO"}}, {"cast": {"age": "BIGINT"}}]""";

    @Override
    public Integer call() throws Exception {
        Path work = Files.createTempDirectory("dih-bench-transforms-");
        Map<Integer, Double> seconds = new LinkedHashMap<>();
        try (TestingPostgresServer pg = TestingPostgresServer.start()) {
            pg.execute("CREATE TABLE people (id BIGINT PRIMARY KEY, first TEXT, last TEXT, age INT, email TEXT, score DOUBLE PRECISION, note TEXT)",
                    "INSERT INTO people SELECT g, 'first-' || g, 'last-' || g, g % 90, 'p' || g || '@example.org', g * 0.5, 'n' FROM generate_series(1, "
                            + rows + ") g",
                    "ANALYZE people");
            ObjectNode tree = BenchSupport.hubTree("bench-transforms", work, FreePorts.next());
            try (HubNode node = HubNode.start(new HubConfigLoader(Map.of()).load(tree))) {
                Map<String, Object> params = BenchSupport.connectionParams(pg);
                Map<Integer, String> pipelines = Map.of(0, "[]", 3, THREE, 8, EIGHT);
                for (int steps : List.of(0, 3, 8)) {
                    load(node, params, "warm_" + steps, pipelines.get(steps));
                }
                for (int steps : List.of(0, 3, 8)) {
                    seconds.put(steps, load(node, params, "steps_" + steps, pipelines.get(steps)));
                }
            }
        } finally {
            BenchSupport.deleteTree(work);
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "Loads of %,d PostgreSQL rows through 0, 3 and 8 transform steps, one hub node and PostgreSQL on the same %d cores%n",
                rows, Runtime.getRuntime().availableProcessors());
        System.out.println("| steps | seconds | rows/s | rows/s ÷ 0 steps |");
        System.out.println("|---:|---:|---:|---:|");
        seconds.forEach((steps, s) -> System.out.printf(Locale.ROOT, "| %d | %.2f | %,.0f | %.2f |%n", steps, s, rows / s, seconds.get(0) / s));
        return 0;
    }

    /** A region and a LOAD source of the table with these transforms; the load's own seconds. */
    private double load(HubNode node, Map<String, Object> params, String name, String transforms) throws Exception {
        node.regions().create(new RegionSpec(name, null, 0, null, null, null, null, null, List.of("id"), Map.of("id", SqlType.BIGINT)));
        @SuppressWarnings("unchecked")
        List<Object> steps = Json.MAPPER.readValue(transforms, List.class);
        node.sources().register(new SourceSpec(name, "postgresql", params, List.of(name), null, null, null,
                Map.of(name, new BindingSpec("people", null, null, null, null, null, steps.isEmpty() ? null : steps, null)), null, null));
        SourceStatus.RegionLoad load = BenchSupport.awaitLoad(node, name, name);
        if (load.rowsLoaded() != rows) {
            throw new IllegalStateException(name + " loaded " + load.rowsLoaded() + " rows, not " + rows);
        }
        return BenchSupport.loadSeconds(load);
    }
}
