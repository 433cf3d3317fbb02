package io.dih.server.source;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.dih.api.SourceSpec;
import io.dih.server.json.Json;

/** A source spec as the registry stores it. */
final class SourceJson {
    private SourceJson() {
    }

    static String write(SourceSpec spec) {
        try {
            return Json.MAPPER.writeValueAsString(spec);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize source spec", e);
        }
    }

    static SourceSpec read(String json) {
        try {
            return Json.STORED.forType(SourceSpec.class).readValue(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the registry holds an unreadable source spec: " + e.getOriginalMessage(), e);
        }
    }
}
