package io.dih.server.sync;

import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The watermark of a load by parts: the version (ETag) of every part (object) as the last successful load read it, so
 * the next load reads only the parts whose version changed and removes the rows of the parts that are gone. A plain
 * class: Ignite's marshaller cannot rebuild records.
 */
final class PartVersions implements Serializable {
    private static final long serialVersionUID = 1L;

    private final LinkedHashMap<String, String> versions;

    PartVersions(Map<String, String> versions) {
        this.versions = new LinkedHashMap<>(versions);
    }

    Map<String, String> versions() {
        return Collections.unmodifiableMap(versions);
    }

    @Override
    public String toString() {
        return versions.size() + " parts";
    }
}
