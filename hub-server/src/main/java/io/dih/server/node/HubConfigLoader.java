package io.dih.server.node;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dih.server.json.Json;
import io.dih.spi.InvalidSpecException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds a {@link HubConfig}: the defaults shipped in the jar ({@code dih-config/hub.yaml}), the operator's
 * file laid over them, then environment variables. Every key of the defaults can be overridden by
 * {@code DIH_<PATH>} (e.g. {@code DIH_GATEWAY_PORT}); seed 004's {@code IGNITE_HOST_1..n},
 * {@code DIH_DEFAULT_BACKUPS} and {@code DIH_DEFAULT_EVICTION_SIZE} are understood too.
 */
public final class HubConfigLoader {
    /** Classpath folder holding config/ (hub.yaml, the demo bootstrap…), packed into the jar by the build. */
    public static final String CLASSPATH_DIR = "dih-config/";

    private final Map<String, String> env;

    public HubConfigLoader(Map<String, String> env) {
        this.env = requireNonNull(env, "env is null");
    }

    /** Loads the defaults, then {@code file} (may be null), then the environment. */
    public HubConfig load(Path file) {
        ObjectNode tree = defaults();
        if (file != null) {
            merge(tree, read(file));
        }
        applyEnv(tree);
        return toConfig(tree);
    }

    /** Loads the defaults, then the given tree (tests and the demo build one in code), then the environment. */
    public HubConfig load(ObjectNode overrides) {
        ObjectNode tree = defaults();
        merge(tree, overrides);
        applyEnv(tree);
        return toConfig(tree);
    }

    /**
     * The overrides for a node bound to loopback only, on the given ports, that looks for peers on exactly the
     * given discovery ports: tests and benchmarks run nodes like this beside whatever else the machine runs.
     * The gateway takes any free port.
     */
    public static ObjectNode loopbackNode(String name, Path workDir, int discoveryPort, List<Integer> allDiscoveryPorts,
                                          int communicationPort, int thinClientPort) {
        ObjectNode t = JsonNodeFactory.instance.objectNode();
        t.putObject("node").put("name", name).put("work_dir", workDir.toString());
        ObjectNode d = t.putObject("discovery").put("local_address", "127.0.0.1").put("port", discoveryPort).put("port_range", 0);
        ArrayNode addrs = d.putArray("addresses");
        allDiscoveryPorts.forEach(p -> addrs.add("127.0.0.1:" + p));
        t.putObject("communication").put("local_address", "127.0.0.1").put("port", communicationPort).put("port_range", 0);
        t.putObject("thin_client").put("host", "127.0.0.1").put("port", thinClientPort).put("port_range", 0);
        t.putObject("gateway").put("host", "127.0.0.1").put("port", 0);
        return t;
    }

    public static ObjectNode defaults() {
        try (InputStream in = HubConfigLoader.class.getClassLoader().getResourceAsStream(CLASSPATH_DIR + "hub.yaml")) {
            if (in == null) {
                throw new IllegalStateException("hub.yaml defaults are missing from the classpath (" + CLASSPATH_DIR + ")");
            }
            return (ObjectNode) Json.YAML.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the default hub.yaml", e);
        }
    }

    private static ObjectNode read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new InvalidSpecException("config", "file " + file + " does not exist");
        }
        try {
            JsonNode node = Json.YAML.readTree(file.toFile());
            if (node == null || node.isMissingNode() || node.isNull()) {
                return JsonNodeFactory.instance.objectNode();
            }
            if (!node.isObject()) {
                throw new InvalidSpecException("config", file + " must hold a YAML mapping");
            }
            return (ObjectNode) node;
        } catch (JsonProcessingException e) {
            throw new InvalidSpecException("config", file + " is not valid YAML: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** Deep-merges {@code over} into {@code base}; objects merge, everything else replaces. */
    static void merge(ObjectNode base, JsonNode over) {
        Iterator<Map.Entry<String, JsonNode>> it = over.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode current = base.get(e.getKey());
            if (current instanceof ObjectNode obj && e.getValue().isObject()) {
                merge(obj, e.getValue());
            } else {
                base.set(e.getKey(), e.getValue());
            }
        }
    }

    private void applyEnv(ObjectNode tree) {
        Map<String, String> aliases = new TreeMap<>();
        aliases.put("DIH_DEFAULT_BACKUPS", "DIH_DEFAULTS_BACKUPS");
        aliases.put("DIH_DEFAULT_EVICTION_SIZE", "DIH_DEFAULTS_EVICTION_MAX_SIZE");
        aliases.put("DIH_ADMIN_KEY", "DIH_SECURITY_ADMIN_KEY");
        Map<String, String> vars = new TreeMap<>(env);
        aliases.forEach((alias, canonical) -> {
            if (vars.containsKey(alias) && !vars.containsKey(canonical)) {
                vars.put(canonical, vars.get(alias));
            }
        });
        overlay(tree, "DIH", vars);

        List<String> hosts = new ArrayList<>();
        for (int i = 1; env.containsKey("IGNITE_HOST_" + i); i++) {
            String h = env.get("IGNITE_HOST_" + i).trim();
            hosts.add(h.contains(":") ? h : h + ":" + tree.path("discovery").path("port").asInt(47500));
        }
        if (!hosts.isEmpty() && !env.containsKey("DIH_DISCOVERY_ADDRESSES")) {
            ArrayNode arr = ((ObjectNode) tree.get("discovery")).putArray("addresses");
            hosts.forEach(arr::add);
        }
    }

    private static void overlay(ObjectNode node, String prefix, Map<String, String> vars) {
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        List<Map.Entry<String, JsonNode>> fields = new ArrayList<>();
        it.forEachRemaining(fields::add);
        for (Map.Entry<String, JsonNode> f : fields) {
            String var = prefix + "_" + f.getKey().toUpperCase(Locale.ROOT);
            if (f.getValue() instanceof ObjectNode child) {
                overlay(child, var, vars);
            } else if (vars.containsKey(var)) {
                String v = vars.get(var);
                if (f.getValue().isArray()) {
                    ArrayNode arr = node.putArray(f.getKey());
                    for (String part : v.split(",")) {
                        if (!part.isBlank()) {
                            arr.add(part.trim());
                        }
                    }
                } else {
                    node.put(f.getKey(), v);
                }
            }
        }
    }

    private static HubConfig toConfig(ObjectNode tree) {
        try {
            return Json.YAML.treeToValue(tree, HubConfig.class);
        } catch (JsonProcessingException e) {
            throw Json.toInvalidSpec(e, "config");
        }
    }
}
