package io.dih.server.security;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectReader;
import io.dih.server.json.Json;
import io.dih.server.registry.Registry;
import io.dih.spi.NotFoundException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Predicate;

/**
 * API keys, kept in the registry (kind {@code api-key}) as a SHA-256 hash of their secret: the key itself is shown
 * once, when it is made or rotated, and never stored. A key reads {@code dih_<id>_<secret>}: the id finds the record
 * in one local read (the registry is replicated), the secret is compared in constant time. A key's 32 random bytes
 * need no slow hash: nobody can guess them, and a stolen registry holds no key.
 */
public final class ApiKeys {
    public static final String KIND = "api-key";
    private static final String PREFIX = "dih_";
    private static final int ID_CHARS = 16;
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Reads a stored key record; it runs for every request with an API key, so it is built once. */
    private static final ObjectReader RECORD = Json.STORED.forType(KeyRecord.class);

    private final Registry registry;

    public ApiKeys(Registry registry) {
        this.registry = requireNonNull(registry, "registry is null");
    }

    /**
     * A key's record as stored and listed (no secret, no hash in a listing).
     *
     * @param previousHash       the hash of the secret a rotation replaced, accepted until {@code previousValidUntil}
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record KeyRecord(@JsonProperty("id") String id,
                            @JsonProperty("name") String name,
                            @JsonProperty("tenant") String tenant,
                            @JsonProperty("role") String role,
                            @JsonProperty("created_at") @JsonFormat(shape = JsonFormat.Shape.STRING) Instant createdAt,
                            @JsonProperty("created_by") String createdBy,
                            @JsonProperty("expires_at") @JsonFormat(shape = JsonFormat.Shape.STRING) Instant expiresAt,
                            @JsonProperty("rotated_at") @JsonFormat(shape = JsonFormat.Shape.STRING) Instant rotatedAt,
                            @JsonProperty("previous_valid_until") @JsonFormat(shape = JsonFormat.Shape.STRING) Instant previousValidUntil,
                            @JsonProperty("hash") String hash,
                            @JsonProperty("previous_hash") String previousHash) {
        /** What a listing shows: everything but the hashes. */
        public KeyRecord withoutSecrets() {
            return new KeyRecord(id, name, tenant, role, createdAt, createdBy, expiresAt, rotatedAt, previousValidUntil, null, null);
        }

        Role roleValue() {
            return Role.parse("role", role);
        }
    }

    /** A key just made (or rotated): {@code key} is the only time its secret is seen. */
    public record Issued(KeyRecord record, String key) {
    }

    /** Makes a key; {@code tenant} null: an operator's key. */
    public Issued create(String name, String tenant, Role role, Instant expiresAt, String createdBy) {
        String id = HexFormat.of().formatHex(bytes(ID_CHARS / 2));
        String secret = secret();
        KeyRecord r = new KeyRecord(id, name, tenant, role.wireName(), Instant.now(), createdBy, expiresAt, null, null, hash(secret), null);
        if (registry.putIfAbsent(KIND, id, json(r)) != null) {
            throw new IllegalStateException("an API key id was drawn twice"); // 64 random bits: not in this universe
        }
        return new Issued(r.withoutSecrets(), PREFIX + id + "_" + secret);
    }

    /** The keys {@code visible} lets through, without secrets, oldest first. */
    public List<KeyRecord> list(Predicate<KeyRecord> visible) {
        List<KeyRecord> out = new ArrayList<>();
        registry.list(KIND).values().forEach(json -> {
            KeyRecord r = parse(json);
            if (visible.test(r)) {
                out.add(r.withoutSecrets());
            }
        });
        out.sort((a, b) -> a.createdAt().compareTo(b.createdAt()));
        return out;
    }

    /** A key's record (with hashes), or {@code null}. */
    public KeyRecord get(String id) {
        if (id == null || id.length() != ID_CHARS) {
            return null;
        }
        String json = registry.get(KIND, id);
        return json == null ? null : parse(json);
    }

    /** Revokes a key at once: its record is removed, so it no longer authenticates on any node. */
    public void revoke(String id) {
        String json = id == null ? null : registry.get(KIND, id);
        if (json == null || !registry.remove(KIND, id, json)) {
            throw notFound(id);
        }
    }

    /**
     * Gives a key a new secret; the old one keeps working for {@code overlapSeconds} (0: stops at once), so clients can
     * move to the new key without downtime.
     */
    public Issued rotate(String id, long overlapSeconds) {
        for (int attempt = 0; attempt < 10; attempt++) {
            String json = id == null ? null : registry.get(KIND, id);
            if (json == null) {
                throw notFound(id);
            }
            KeyRecord old = parse(json);
            Instant now = Instant.now();
            String secret = secret();
            KeyRecord r = new KeyRecord(old.id(), old.name(), old.tenant(), old.role(), old.createdAt(), old.createdBy(), old.expiresAt(), now,
                    overlapSeconds > 0 ? now.plusSeconds(overlapSeconds) : null, hash(secret), overlapSeconds > 0 ? old.hash() : null);
            if (registry.replace(KIND, id, json, json(r))) {
                return new Issued(r.withoutSecrets(), PREFIX + id + "_" + secret);
            }
        }
        throw new IllegalStateException("API key " + id + " changed under ten rotations in a row");
    }

    static NotFoundException notFound(String id) {
        return new NotFoundException("API key '" + id + "' does not exist");
    }

    /** Whether a credential has the shape of an API key (so other credential kinds are not tried on it). */
    static boolean looksLikeKey(String credential) {
        return credential.startsWith(PREFIX) && credential.length() > PREFIX.length() + ID_CHARS + 1
                && credential.charAt(PREFIX.length() + ID_CHARS) == '_';
    }

    /** The principal of a key, or an {@link UnauthenticatedException} saying (to the audit log) why not. */
    Principal authenticate(String credential, Instant now) {
        String id = credential.substring(PREFIX.length(), PREFIX.length() + ID_CHARS);
        String secret = credential.substring(PREFIX.length() + ID_CHARS + 1);
        KeyRecord r = get(id);
        if (r == null) {
            throw new UnauthenticatedException("unknown or revoked API key " + id);
        }
        String presented = hash(secret);
        boolean current = equal(presented, r.hash());
        boolean previous = !current && r.previousHash() != null && r.previousValidUntil() != null && now.isBefore(r.previousValidUntil())
                && equal(presented, r.previousHash());
        if (!current && !previous) {
            throw new UnauthenticatedException("wrong secret for API key " + id);
        }
        if (r.expiresAt() != null && !now.isBefore(r.expiresAt())) {
            throw new UnauthenticatedException("API key " + id + " expired at " + r.expiresAt());
        }
        return new Principal(id, r.tenant(), r.roleValue(), "api_key");
    }

    static boolean equal(String a, String b) {
        return b != null && MessageDigest.isEqual(a.getBytes(StandardCharsets.US_ASCII), b.getBytes(StandardCharsets.US_ASCII));
    }

    static String hash(String secret) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** 32 random bytes, base64url without padding. */
    static String secret() {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes(32));
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    private static KeyRecord parse(String json) {
        try {
            return RECORD.readValue(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an API key record in the registry is not readable: " + e.getOriginalMessage(), e);
        }
    }

    private static String json(KeyRecord r) {
        try {
            return Json.MAPPER.writeValueAsString(r);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
