package io.dih.bench;

import io.dih.testing.TestingPostgresServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;

/** What the benchmarks share: a source's connection parameters for a PostgreSQL, and cleaning up a work directory. */
final class BenchSupport {
    private BenchSupport() {
    }

    /** {@code connection_params} of a source on {@code pg}, as a registration body would carry them. */
    static Map<String, Object> connectionParams(TestingPostgresServer pg) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("host", "127.0.0.1");
        params.put("port", pg.port());
        params.put("database", pg.database());
        params.put("user", pg.user());
        params.put("password", pg.password());
        return params;
    }

    /** Deletes a directory and everything below it. */
    static void deleteTree(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
