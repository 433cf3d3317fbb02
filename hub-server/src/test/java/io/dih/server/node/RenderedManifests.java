package io.dih.server.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.dih.testing.Kubectl;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The objects {@code kubectl kustomize} renders for one kustomization directory of {@code k8s/}, parsed. */
final class RenderedManifests {
    static final YAMLMapper YAML = new YAMLMapper();

    private final String name;
    private final List<JsonNode> objects;

    private RenderedManifests(String name, List<JsonNode> objects) {
        this.name = name;
        this.objects = objects;
    }

    /** The repository's root: the nearest directory, from the working directory up, that holds {@code k8s/}. */
    static Path repoRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isDirectory(dir.resolve("k8s").resolve("base"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no k8s/ directory above " + Path.of("").toAbsolutePath());
    }

    /** Renders {@code k8s/<dir>} (e.g. {@code overlays/dev}). */
    static RenderedManifests render(String dir) {
        String yaml = Kubectl.kustomize(repoRoot().resolve("k8s").resolve(dir));
        List<JsonNode> objects = new ArrayList<>();
        try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(yaml)) {
            while (docs.hasNext()) {
                JsonNode doc = docs.next();
                if (doc != null && !doc.isNull() && !doc.isEmpty()) {
                    objects.add(doc);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("kubectl kustomize k8s/" + dir + " rendered no valid YAML", e);
        }
        return new RenderedManifests(dir, List.copyOf(objects));
    }

    List<JsonNode> all() {
        return objects;
    }

    List<JsonNode> all(String kind) {
        return objects.stream().filter(o -> kind.equals(o.path("kind").asText())).toList();
    }

    /** The only object of this kind; fails when there is none or more than one. */
    JsonNode one(String kind) {
        List<JsonNode> found = all(kind);
        assertThat(found).as("%s renders exactly one %s", name, kind).hasSize(1);
        return found.get(0);
    }

    JsonNode named(String kind, String objectName) {
        return all(kind).stream().filter(o -> objectName.equals(o.path("metadata").path("name").asText())).findFirst()
                .orElseThrow(() -> new AssertionError(name + " renders no " + kind + " " + objectName));
    }

    JsonNode statefulSet() {
        return one("StatefulSet");
    }

    JsonNode podTemplate() {
        return statefulSet().path("spec").path("template");
    }

    /** The hub's container (the StatefulSet's container named {@code hub}). */
    JsonNode hubContainer() {
        for (JsonNode c : podTemplate().path("spec").path("containers")) {
            if ("hub".equals(c.path("name").asText())) {
                return c;
            }
        }
        throw new AssertionError(name + ": the StatefulSet has no container named hub");
    }

    /** The hub container's ports, name to number. */
    Map<String, Integer> containerPorts() {
        Map<String, Integer> ports = new LinkedHashMap<>();
        for (JsonNode p : hubContainer().path("ports")) {
            ports.put(p.path("name").asText(), p.path("containerPort").asInt());
        }
        return ports;
    }

    /** A container port given by name or number, as a Service or NetworkPolicy may give it: its number. */
    int resolvePort(JsonNode port) {
        if (port.isInt()) {
            return port.asInt();
        }
        Integer n = containerPorts().get(port.asText());
        assertThat(n).as("%s: port '%s' names a container port %s", name, port.asText(), containerPorts()).isNotNull();
        return n;
    }

    /** The hub container's environment variable of this name; fails when it has none. */
    JsonNode env(String variable) {
        for (JsonNode e : hubContainer().path("env")) {
            if (variable.equals(e.path("name").asText())) {
                return e;
            }
        }
        throw new AssertionError(name + ": the hub container has no env " + variable);
    }

    /** hub.yaml as mounted into the pods: the data of the generated ConfigMap dih-config-<hash>. */
    JsonNode hubYaml() {
        JsonNode cm = all("ConfigMap").stream().filter(o -> o.path("metadata").path("name").asText().startsWith("dih-config"))
                .findFirst().orElseThrow(() -> new AssertionError(name + " renders no ConfigMap dih-config"));
        try {
            return YAML.readTree(cm.path("data").path("hub.yaml").asText());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
