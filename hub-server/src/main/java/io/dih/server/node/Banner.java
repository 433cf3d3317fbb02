package io.dih.server.node;

import io.dih.api.RegionSpec;
import io.dih.api.SourceSpec;
import io.dih.server.gateway.GatewayApp;
import io.dih.server.security.SecurityService;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** What a node prints once it is ready: where to reach it, what it holds, how long it took. Nothing else follows. */
final class Banner {
    static final String VERSION = "0.1.0";

    private Banner() {
    }

    static String text(HubNode node, int demoPostgresPort, String jar, long uptimeMillis) {
        StringBuilder b = new StringBuilder();
        String rest = node.baseUrl() + GatewayApp.API;
        b.append("Digital Integration Hub ").append(VERSION).append(" - node ").append(node.config().node().name()).append('\n');
        b.append("  REST     ").append(rest).append("   (OpenAPI: ").append(rest).append("/openapi.json)\n");
        b.append("  JDBC     jdbc:ignite:thin://127.0.0.1:").append(node.thinClientPort())
                .append("   (").append(jar).append(" sql \"SELECT ...\")\n");
        List<RegionSpec> regions = node.regions().list();
        b.append("  Regions  ").append(regions.stream().map(RegionSpec::name).sorted().collect(Collectors.joining(", ")))
                .append(" (").append(regions.size()).append(")\n");
        List<SourceSpec> sources = node.sources().list();
        if (!sources.isEmpty()) {
            b.append("  Sources  ").append(sources.stream().sorted(java.util.Comparator.comparing(SourceSpec::sourceName))
                    .map(s -> s.sourceName() + " (" + s.sourceType() + ", " + s.syncMode().name().toLowerCase(Locale.ROOT) + " -> "
                            + String.join(", ", s.targetRegions()) + ")")
                    .collect(Collectors.joining(", "))).append('\n');
        }
        if (demoPostgresPort > 0) {
            b.append("  Demo PostgreSQL is up on 127.0.0.1:").append(demoPostgresPort).append(" (database postgres, user postgres):\n");
            b.append("           psql -h 127.0.0.1 -p ").append(demoPostgresPort).append(" -U postgres\n");
            b.append("           ").append(jar).append(" sql --url \"jdbc:postgresql://127.0.0.1:").append(demoPostgresPort)
                    .append("/postgres?user=postgres\" \"SELECT ...\"\n");
        }
        SecurityService security = node.security();
        if (!security.enabled()) {
            b.append("  Security off: every request is the operator's (DIH_SECURITY_ENABLED=true turns it on)\n");
        }
        security.generatedAdminKey().ifPresent(key -> b.append("  Admin key ").append(key)
                .append("   (shown once: send it as 'Authorization: Bearer <key>'; set DIH_ADMIN_KEY to choose your own)\n"));
        b.append(String.format(Locale.ROOT, "Ready in %.1f s. Ctrl-C stops it.%n", uptimeMillis / 1000.0));
        return b.toString();
    }

    /** How the user started this jar, as a command to paste: relative to the working directory where it can be. */
    static String jarCommand() {
        try {
            Path jar = Path.of(Banner.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path cwd = Path.of("").toAbsolutePath();
            Path shown = jar.startsWith(cwd) ? cwd.relativize(jar) : jar;
            return "java -jar " + shown;
        } catch (URISyntaxException | RuntimeException e) {
            return "java -jar hub-server.jar";
        }
    }
}
