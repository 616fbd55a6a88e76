package dev.llmrotate.internal.provider.tools;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * The tool-call ids sent to a provider. Providers differ in the ids they accept: OpenAI at most 40 characters,
 * Anthropic and Bedrock only {@code [a-zA-Z0-9_-]} (Bedrock at most 64), and OpenAI-compatible servers return ids
 * such as {@code functions.get_weather:0}. A conversation begun on one provider and continued on another (a fallback)
 * carries the first provider's ids.
 *
 * <p>{@link #portable(String)} maps an id to one every provider takes: an id that already fits ({@value #PATTERN})
 * is sent as it is, so a provider always gets its own ids back unchanged; any other id becomes {@code call_} and 32
 * characters of the base64url SHA-256 of the id. The function is pure: a call and the result that answers it map to
 * the same id in every request, in every process, without any table. (A collision needs a SHA-256 collision on
 * 192 bits.)
 */
public final class ToolCallIds {
    /** The ids every provider accepts unchanged. */
    public static final String PATTERN = "[A-Za-z0-9_-]{1,40}";

    private static final Pattern PORTABLE = Pattern.compile(PATTERN);

    private ToolCallIds() {}

    /** {@code id} if every provider takes it, else its fixed portable form. */
    public static String portable(String id) {
        if (PORTABLE.matcher(id).matches()) {
            return id;
        }
        byte[] hash;
        try {
            hash = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
        return "call_"
                + Base64.getUrlEncoder().withoutPadding().encodeToString(hash).substring(0, 32);
    }
}
