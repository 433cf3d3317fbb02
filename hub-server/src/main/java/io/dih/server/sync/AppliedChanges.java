package io.dih.server.sync;

import static java.util.Objects.requireNonNull;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What {@link Applier#apply} did with a batch of CDC changes: how many were stale (skipped), and per
 * target region how many snapshot rows and how many change events it applied there.
 */
public final class AppliedChanges {
    /** One region's share of a batch. */
    public record Counts(long snapshotRows, long events) {
    }

    private int skipped;
    private int deadLettered;
    private String lastError;
    private final Map<String, long[]> regions = new HashMap<>();

    void skipped() {
        skipped++;
    }

    /** A change its region could not take: it went to the dead letters. */
    void deadLettered(String region, String error) {
        requireNonNull(region, "region is null");
        deadLettered++;
        lastError = error;
    }

    /** Why the last change that went to the dead letters could not be applied, or {@code null}. */
    public String lastError() {
        return lastError;
    }

    public int deadLetteredCount() {
        return deadLettered;
    }

    void applied(String region, boolean snapshot) {
        requireNonNull(region, "region is null");
        long[] c = regions.computeIfAbsent(region.toLowerCase(Locale.ROOT), r -> new long[2]);
        c[snapshot ? 0 : 1]++;
    }

    /** Adds another batch's counts to these. */
    void add(AppliedChanges other) {
        skipped += other.skipped;
        deadLettered += other.deadLettered;
        lastError = other.lastError != null ? other.lastError : lastError;
        other.regions.forEach((r, c) -> {
            long[] mine = regions.computeIfAbsent(r, k -> new long[2]);
            mine[0] += c[0];
            mine[1] += c[1];
        });
    }

    public int skippedCount() {
        return skipped;
    }

    /** Per region (lower-case name): the snapshot rows and change events applied to it. */
    public Map<String, Counts> regions() {
        Map<String, Counts> out = new HashMap<>();
        regions.forEach((r, c) -> out.put(r, new Counts(c[0], c[1])));
        return out;
    }
}
