package dev.llmrotate.server.gateway;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;
import java.util.Set;

/**
 * A key a client presents to the gateway ({@code Authorization: Bearer <secret>}), as configured under {@code
 * gateway.keys}. Only a digest of the secret is kept, so that neither {@code toString()} nor a heap dump's strings
 * show it; requests are matched by comparing digests in constant time.
 *
 * @param id the key's id, shown in records, logs and metrics
 * @param digest SHA-256 of the secret
 * @param models the model ids this key may call (as the client addresses them); empty: every model
 * @param rateLimitRpm requests per minute this key may make, or null for no limit
 */
public record GatewayKey(String id, byte[] digest, Set<String> models, Integer rateLimitRpm) {

    /**
     * Checks the key; null {@code models} is read as every model.
     *
     * @param id the key's id, not null
     * @param digest SHA-256 of the secret, not null; copied
     * @param models the model ids the key may call, or null or empty for every model; copied
     * @param rateLimitRpm requests per minute, positive, or null for no limit
     * @throws NullPointerException when {@code id} or {@code digest} is null
     * @throws IllegalArgumentException when {@code rateLimitRpm} is not positive
     */
    public GatewayKey {
        Objects.requireNonNull(id, "id");
        digest = Objects.requireNonNull(digest, "digest").clone();
        models = models == null ? Set.of() : Set.copyOf(models);
        if (rateLimitRpm != null && rateLimitRpm <= 0) {
            throw new IllegalArgumentException("gateway key " + id + ": rate_limit_rpm must be positive");
        }
    }

    /**
     * The SHA-256 of the secret.
     *
     * @return a copy, so that the key cannot be changed from outside
     */
    @Override
    public byte[] digest() {
        return digest.clone();
    }

    /**
     * Whether {@code presentedDigest} is this key's digest, compared in constant time.
     *
     * @param presentedDigest the SHA-256 of the token a client presented
     * @return true when it matches
     */
    public boolean matches(byte[] presentedDigest) {
        return MessageDigest.isEqual(presentedDigest, digest);
    }

    /**
     * A key with its secret, kept as a digest.
     *
     * @param id the key's id, not null
     * @param secret what clients present as the bearer token, not blank; not kept
     * @param models the model ids the key may call, or null or empty for every model
     * @param rateLimitRpm requests per minute, positive, or null for no limit
     * @return the key
     * @throws IllegalArgumentException when the secret is null or blank, or the rate limit is not positive
     */
    public static GatewayKey of(String id, String secret, Set<String> models, Integer rateLimitRpm) {
        if (secret == null || secret.isBlank()) {
            throw new IllegalArgumentException("gateway key " + id + ": the secret is empty");
        }
        return new GatewayKey(id, digest(secret), models, rateLimitRpm);
    }

    /**
     * Whether this key may call {@code model}.
     *
     * @param model the model id as the client addresses it
     * @return true when the key lists it or lists no model
     */
    public boolean allows(String model) {
        return models.isEmpty() || models.contains(model);
    }

    static byte[] digest(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GatewayKey k
                && id.equals(k.id)
                && MessageDigest.isEqual(digest, k.digest)
                && models.equals(k.models)
                && Objects.equals(rateLimitRpm, k.rateLimitRpm);
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }

    @Override
    public String toString() {
        return "GatewayKey[" + id + ", models " + (models.isEmpty() ? "all" : models)
                + (rateLimitRpm == null ? "" : ", rpm " + rateLimitRpm) + "]";
    }
}
