package dev.llmrotate;

import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.SecretRef;

/** Test keys whose secrets the fake servers recognise. */
public final class Keys {
    private Keys() {}

    /** A secret of realistic shape for a key id: {@code sk-test-<id>-0123456789abcdef}. */
    public static String secret(String keyId) {
        return "sk-test-" + keyId + "-0123456789abcdef";
    }

    public static KeySpec.Builder key(String keyId, String provider, String... models) {
        return KeySpec.builder(keyId, provider)
                .secretRef(SecretRef.parse("env://" + envName(keyId), Keys::env))
                .models(models);
    }

    public static KeySpec openai(String keyId, String... models) {
        return key(keyId, "openai", models.length == 0 ? new String[] {"gpt-4o-mini"} : models)
                .build();
    }

    static String envName(String keyId) {
        return "LLMROTATE_TEST_" + keyId.toUpperCase().replace('-', '_');
    }

    /** The test environment: every LLMROTATE_TEST_* variable maps to its key's secret, except MISSING ones. */
    private static String env(String name) {
        if (!name.startsWith("LLMROTATE_TEST_") || name.contains("MISSING")) {
            return null;
        }
        String id = name.substring("LLMROTATE_TEST_".length()).toLowerCase().replace('_', '-');
        return secret(id);
    }
}
