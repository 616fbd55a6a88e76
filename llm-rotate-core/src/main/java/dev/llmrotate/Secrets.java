package dev.llmrotate;

import dev.llmrotate.config.AuthMethod;
import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.SecretRef;
import dev.llmrotate.error.ConfigurationException;
import dev.llmrotate.observe.LogNames;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves keys' secrets at use, checks that they can be sent, masks them for display and scrubs them out of provider
 * messages.
 */
final class Secrets {
    private static final Logger LOG = LoggerFactory.getLogger(LogNames.SECRETS);

    /** A run of the secret this long, at its start or its end, is scrubbed even where the rest is not echoed. */
    static final int SCRUBBED_RUN = 8;

    /**
     * String fields of a JSON secret (service account, AWS credentials) whose values are secret on their own. The
     * value is matched as an unrolled loop of possessive runs: an alternation per character would recurse once per
     * character and overflow the stack on a private key.
     */
    private static final Pattern JSON_SECRET_FIELD = Pattern.compile("\"(?:private_key|secret_access_key"
            + "|aws_secret_access_key|SecretAccessKey|session_token|aws_session_token|SessionToken|client_secret"
            + "|refresh_token)\"\\s*:\\s*\"([^\"\\\\]*+(?:\\\\.[^\"\\\\]*+)*+)\"");

    private static final Pattern PEM_PRIVATE_KEY = Pattern.compile(
            "-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----.*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|\\z)", Pattern.DOTALL);
    private static final Pattern AWS_SECRET = Pattern.compile(
            "(?i)((?:aws_)?secret_?access_?key[\"']?\\s*[:=]\\s*[\"']?)[A-Za-z0-9/+=]{16,}(?![A-Za-z0-9/+=])");
    private static final Pattern AWS_SESSION_TOKEN = Pattern.compile(
            "(?i)((?:aws_)?session_?token|x-amz-security-token)([\"']?\\s*[:=]\\s*[\"']?)[A-Za-z0-9/+=]{16,}");
    private static final Pattern AUTHORIZATION = Pattern.compile("(?i)\\b(bearer|basic)(\\s+)([A-Za-z0-9._~+/=-]{8,})");
    private static final Pattern API_KEY_HEADER = Pattern.compile(
            "(?i)\\b((?:x-goog-|x-)?api[-_]?key)([\"']?\\s*[:=]\\s*[\"']?)([^\\s\"',;&<>{}()\\[\\]]{8,})");
    private static final Pattern KEY_SHAPE = Pattern.compile("\\b(?:sk-[A-Za-z0-9_-]{16,}|AIza[0-9A-Za-z_-]{30,})");

    /** Keys whose unresolvable or unusable secret was already logged, so a broken key warns once, not per call. */
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    /** The last mask computed per key, with the hash and length of the secret it masks (never the secret). */
    private final ConcurrentHashMap<String, Mask> masks = new ConcurrentHashMap<>();

    /** Told about a key whose secret resolves but cannot be sent (marks it {@code invalid_auth}). */
    private final Consumer<KeySpec> unusable;

    /** Told a key's new mask (key id, mask), to publish it for processes that do not resolve secrets. */
    private final BiConsumer<String, String> newMask;

    private record Mask(int secretHash, int secretLength, String text) {}

    /**
     * @param unusable told about a key whose secret resolves to a value its provider's headers cannot carry
     * @param newMask told the key id and mask whenever a key's mask is computed anew (first use, a changed secret)
     */
    Secrets(Consumer<KeySpec> unusable, BiConsumer<String, String> newMask) {
        this.unusable = unusable;
        this.newMask = newMask;
    }

    /** The mask of {@code secret}, the secret of {@code key}; computed once per key and secret. */
    String mask(KeySpec key, String secret) {
        Mask known = masks.get(key.keyId());
        if (known != null && known.secretHash == secret.hashCode() && known.secretLength == secret.length()) {
            return known.text;
        }
        String text = maskFor(key, secret);
        masks.put(key.keyId(), new Mask(secret.hashCode(), secret.length(), text));
        newMask.accept(key.keyId(), text);
        return text;
    }

    /**
     * The secret, or null when the key cannot be used now: its {@code secret_ref} cannot be resolved (the key is
     * skipped, its health untouched: the variable or file may appear), or the secret cannot go into its provider's
     * header (a newline, a control, zero-width or non-ASCII character; see {@link SecretRef#problemFor}), which is
     * reported as unusable so that the key is quarantined as {@code invalid_auth} like a key the provider refuses.
     * Either is logged once per key, with a masked reason that never quotes the secret.
     */
    String resolveOrWarn(KeySpec key) {
        String secret;
        try {
            secret = key.secretRef().resolve();
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
        String problem = AuthMethod.BEDROCK_API_KEY.equals(key.authMethod())
                ? SecretRef.problemFor(dev.llmrotate.config.ProviderCatalog.OPENAI, secret) // a bearer token too
                : SecretRef.problemFor(key.provider(), secret);
        if (problem != null) {
            if (warned.add(key.keyId())) {
                LOG.warn(
                        "key '{}': {}; the key is set aside as invalid_auth (fix the value behind secret_ref {}, then"
                                + " reload or resetKey)",
                        key.keyId(),
                        problem,
                        key.secretRef());
            }
            unusable.accept(key);
            return null;
        }
        warned.remove(key.keyId());
        return secret;
    }

    /**
     * How {@code secret}, the secret of {@code key}, is shown: masked ({@link SecretRef#mask}), or, for a key that
     * finds its own credentials ({@link SecretRef.Scheme#AMBIENT}), its non-secret identity as it is.
     */
    static String maskFor(KeySpec key, String secret) {
        return key.secretRef().scheme() == SecretRef.Scheme.AMBIENT ? secret : SecretRef.mask(secret);
    }

    /** The secret to scrub out of messages about {@code key}: none for a key whose "secret" is its identity. */
    static String scrubbable(KeySpec key, String secret) {
        return key != null && key.secretRef().scheme() == SecretRef.Scheme.AMBIENT ? null : secret;
    }

    /** {@code key_id (sk-…9f2a)}, or just the key id when there is no mask. */
    static String describe(String keyId, String mask) {
        return mask == null ? keyId : keyId + " (" + mask + ")";
    }

    /**
     * Computes the mask of each key's secret that can be resolved now, so that it is published (a process that
     * shares a store announces every key's mask at start, not only those of the keys it happens to use).
     */
    void maskAll(List<KeySpec> keys) {
        for (KeySpec key : keys) {
            try {
                mask(key, key.secretRef().resolve());
            } catch (ConfigurationException e) {
                // not resolvable now: its mask is published when it is, at its first use
            }
        }
    }

    /** The mask of a key's secret, or null when it cannot be read now. */
    static String maskOf(KeySpec key) {
        try {
            return maskFor(key, key.secretRef().resolve());
        } catch (ConfigurationException e) {
            return null;
        }
    }

    /**
     * {@code text} (a provider's message) with secrets scrubbed: {@code secret} (may be null) in any letter case, its
     * URL-encoded and JSON-escaped forms, and any run of 8 or more of its first or last characters, each replaced by
     * its mask; for a JSON secret, the same for each secret field in it (a private key, a secret access key, a session
     * token). Then, whatever the secret: PEM private keys, AWS secret access keys and session tokens after their
     * names, {@code Bearer}/{@code Basic} credentials, {@code x-api-key:}/{@code api-key:}/{@code x-goog-api-key:}
     * values, and {@code sk-…}/{@code AIza…} keys. Runs on failure paths only; linear in the text for each rule.
     */
    static String scrub(String text, String secret) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String out = text;
        if (secret != null && !secret.isEmpty()) {
            out = scrubSecret(out, secret);
        }
        return scrubShapes(out);
    }

    private static String scrubSecret(String text, String secret) {
        String mask = SecretRef.mask(secret);
        String trimmed = secret.strip();
        if (!trimmed.startsWith("{")) {
            return scrubValue(text, secret, mask);
        }
        String out = text.replace(secret, mask);
        Matcher field = JSON_SECRET_FIELD.matcher(secret);
        while (field.find()) {
            String escaped = field.group(1);
            if (escaped.length() >= SCRUBBED_RUN) {
                out = scrubValue(out, escaped, "…");
                out = scrubValue(out, unescapeJson(escaped), "…");
            }
        }
        return out;
    }

    /**
     * {@code value} and its URL-encoded and JSON-escaped forms, each as a whole or as runs of its ends; the encoded
     * forms first, so that an echo of one goes whole rather than around the parts it shares with the plain value. Of
     * a PEM key, each line of its body too (an echo may quote the key material without its armour).
     */
    private static String scrubValue(String text, String value, String mask) {
        String out = text;
        String encoded = URLEncoder.encode(value, StandardCharsets.UTF_8);
        if (!encoded.equals(value)) {
            out = scrubRuns(out, encoded, mask);
        }
        String escaped = escapeJson(value);
        if (!escaped.equals(value)) {
            out = scrubRuns(out, escaped, mask);
        }
        out = scrubRuns(out, value, mask);
        if (value.contains("-----BEGIN")) {
            for (String line : value.split("\\R")) {
                String body = line.strip();
                if (body.length() >= 2 * SCRUBBED_RUN && !body.startsWith("-----")) {
                    out = scrubRuns(out, body, mask);
                }
            }
        }
        return out;
    }

    /**
     * Replaces by {@code mask} every stretch of {@code text} that equals, ignoring case, the whole {@code value} or
     * (for values of at least {@value #SCRUBBED_RUN} characters) its first or last {@value #SCRUBBED_RUN} or more
     * characters. Returns {@code text} itself when there is none.
     */
    private static String scrubRuns(String text, String value, String mask) {
        int n = value.length();
        List<int[]> found = null;
        int run = Math.min(n, SCRUBBED_RUN);
        for (int i = 0; i + run <= text.length(); i++) {
            int start = -1;
            int end = -1;
            if (text.regionMatches(true, i, value, 0, run)) {
                // The secret's start: extend to the right as far as it goes on matching.
                int k = run;
                while (k < n && i + k < text.length() && sameIgnoringCase(text.charAt(i + k), value.charAt(k))) {
                    k++;
                }
                start = i;
                end = i + k;
            } else if (n > run && text.regionMatches(true, i, value, n - run, run)) {
                // The secret's end: extend to the left as far as it goes on matching.
                int k = run;
                while (k < n
                        && i - (k - run) - 1 >= 0
                        && sameIgnoringCase(text.charAt(i - (k - run) - 1), value.charAt(n - k - 1))) {
                    k++;
                }
                start = i - (k - run);
                end = i + run;
            }
            if (start >= 0) {
                if (found == null) {
                    found = new ArrayList<>(2);
                }
                if (!found.isEmpty() && start <= found.get(found.size() - 1)[1]) {
                    int[] last = found.get(found.size() - 1);
                    last[0] = Math.min(last[0], start);
                    last[1] = Math.max(last[1], end);
                } else {
                    found.add(new int[] {start, end});
                }
                i = end - 1;
            }
        }
        if (found == null) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        int at = 0;
        for (int[] range : found) {
            int from = Math.max(range[0], at);
            out.append(text, at, from).append(mask);
            at = Math.max(at, range[1]);
        }
        return out.append(text, at, text.length()).toString();
    }

    private static boolean sameIgnoringCase(char a, char b) {
        return a == b
                || Character.toUpperCase(a) == Character.toUpperCase(b)
                || Character.toLowerCase(a) == Character.toLowerCase(b);
    }

    /** Secrets of known shapes, whoever's they are. */
    private static String scrubShapes(String text) {
        String out = text;
        if (out.contains("PRIVATE KEY-----")) {
            out = PEM_PRIVATE_KEY.matcher(out).replaceAll("[private key]");
        }
        out = AWS_SECRET.matcher(out).replaceAll("$1***");
        out = AWS_SESSION_TOKEN.matcher(out).replaceAll("$1$2***");
        out = AUTHORIZATION
                .matcher(out)
                .replaceAll(m -> Matcher.quoteReplacement(m.group(1)
                        + m.group(2)
                        + ("basic".equalsIgnoreCase(m.group(1)) ? "***" : SecretRef.mask(m.group(3)))));
        out = API_KEY_HEADER
                .matcher(out)
                .replaceAll(m -> Matcher.quoteReplacement(m.group(1) + m.group(2) + SecretRef.mask(m.group(3))));
        return KEY_SHAPE.matcher(out).replaceAll(m -> Matcher.quoteReplacement(SecretRef.mask(m.group())));
    }

    private static String escapeJson(String value) {
        StringBuilder out = null;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            String replacement = switch (c) {
                case '"' -> "\\\"";
                case '\\' -> "\\\\";
                case '\n' -> "\\n";
                case '\r' -> "\\r";
                case '\t' -> "\\t";
                default -> c < 0x20 ? String.format("\\u%04x", (int) c) : null;
            };
            if (replacement != null && out == null) {
                out = new StringBuilder(value.length() + 8).append(value, 0, i);
            }
            if (out != null) {
                if (replacement != null) {
                    out.append(replacement);
                } else {
                    out.append(c);
                }
            }
        }
        return out == null ? value : out.toString();
    }

    /** The common escapes of a JSON string (enough to find a PEM key or token as it appears unescaped). */
    private static String unescapeJson(String escaped) {
        if (escaped.indexOf('\\') < 0) {
            return escaped;
        }
        return escaped.replace("\\n", "\n")
                .replace("\\r", "\r")
                .replace("\\t", "\t")
                .replace("\\/", "/")
                .replace("\\\"", "\"")
                .replace("\\\\", "\\");
    }
}
