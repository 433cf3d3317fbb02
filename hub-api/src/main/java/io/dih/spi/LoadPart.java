package io.dih.spi;

import static java.util.Objects.requireNonNull;

/**
 * One part of a source whose data lives in parts that change independently (an object of a bucket).
 *
 * @param name    the part's name, unique in its binding (the object's key)
 * @param version changes whenever the part's content does (the object's ETag)
 * @param bytes   its size, for progress; {@code -1} when unknown
 */
public record LoadPart(String name, String version, long bytes) {
    public LoadPart {
        requireNonNull(name, "name is null");
        requireNonNull(version, "version is null");
    }
}
