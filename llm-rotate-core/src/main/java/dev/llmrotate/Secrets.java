package dev.llmrotate;

import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.SecretRef;
import dev.llmrotate.error.ConfigurationException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Resolves keys' secrets at use, masks them for display and scrubs them out of provider messages. */
final class Secrets {
    private static final Logger LOG = LoggerFactory.getLogger("llm_rotate.secrets");

    /** Keys whose unresolvable secret was already logged, so a broken key warns once, not once per call. */
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    /** The last mask computed per key, with the hash and length of the secret it masks (never the secret). */
    private final ConcurrentHashMap<String, Mask> masks = new ConcurrentHashMap<>();

    private record Mask(int secretHash, int secretLength, String text) {}

    /** The mask of {@code secret}, the secret of {@code key}; computed once per key and secret. */
    String mask(KeySpec key, String secret) {
        Mask known = masks.get(key.keyId());
        if (known != null && known.secretHash == secret.hashCode() && known.secretLength == secret.length()) {
            return known.text;
        }
        String text = SecretRef.mask(secret);
        masks.put(key.keyId(), new Mask(secret.hashCode(), secret.length(), text));
        return text;
    }

    /** The secret, or null after logging (once per key) why it cannot be read. */
    String resolveOrWarn(KeySpec key) {
        try {
            String secret = key.secretRef().resolve();
            warned.remove(key.keyId());
            return secret;
        } catch (ConfigurationException e) {
            if (warned.add(key.keyId())) {
                LOG.warn(
                        "key {} is skipped: its secret_ref {} cannot be resolved: {}",
                        key.keyId(),
                        key.secretRef(),
                        e.getMessage());
            }
            return null;
        }
    }

    /** {@code key_id (sk-…9f2a)}, or just the key id when there is no mask. */
    static String describe(String keyId, String mask) {
        return mask == null ? keyId : keyId + " (" + mask + ")";
    }

    /** The mask of a key's secret, or null when it cannot be read now. */
    static String maskOf(KeySpec key) {
        try {
            return SecretRef.mask(key.secretRef().resolve());
        } catch (ConfigurationException e) {
            return null;
        }
    }

    /** {@code text} with every occurrence of {@code secret} replaced by its mask. */
    static String scrub(String text, String secret) {
        if (text == null || secret == null || secret.isEmpty()) {
            return text;
        }
        return text.replace(secret, SecretRef.mask(secret));
    }
}
