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

    /** {@code key_id (sk-…9f2a)}, or just the key id when the secret cannot be read now. */
    static String describe(KeySpec key, String secret) {
        return secret == null ? key.keyId() : key.keyId() + " (" + SecretRef.mask(secret) + ")";
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
