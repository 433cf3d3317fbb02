package io.dih.spi;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * What a binding of a parted source reads now: its parts, and the column each of its rows names its part in (one of
 * the binding's {@link SourceTable#columns()}), so rows of a part that changed or disappeared can leave the region.
 */
public record LoadParts(String column, List<LoadPart> parts) {
    public LoadParts {
        requireNonNull(column, "column is null");
        parts = List.copyOf(requireNonNull(parts, "parts is null"));
    }
}
