package dev.llmrotate.config;

import dev.llmrotate.error.ConfigurationException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a key's secret lives: {@code env://NAME}, {@code file:///path} (content trimmed) or {@code literal://value}
 * (logs a warning once, for demos and tests). The secret is read each time the key is used and never kept in the
 * configuration; {@link #toString()} shows the reference, never a literal value.
 */
public final class SecretRef {
    private static final java.util.regex.Pattern JSON_ACCESS_KEY_ID = java.util.regex.Pattern.compile(
            "\"(?:aws_access_key_id|access_key_id|AccessKeyId|private_key_id)\"\\s*:\\s*\"([^\"]+)\"");

    private static final Logger LOG = LoggerFactory.getLogger(dev.llmrotate.observe.LogNames.CONFIG);

    /** A scheme name short and plain enough to be a typo of one (echoed); anything else may be a secret (not). */
    private static final java.util.regex.Pattern SCHEME_NAME =
            java.util.regex.Pattern.compile("[A-Za-z][A-Za-z0-9+.-]{0,15}");

    /**
     * Providers whose secret is an API key sent as it is in a request header. The secrets of {@code google_vertex}
     * (service-account JSON) and {@code aws_bedrock} (credentials JSON) may hold newlines; the header values derived
     * from them (an OAuth token, an access key id, a session token) are checked where they are derived.
     */
    private static final Set<String> HEADER_SECRET_PROVIDERS = Set.of(
            ProviderCatalog.OPENAI,
            ProviderCatalog.ANTHROPIC,
            ProviderCatalog.GOOGLE_AI_STUDIO,
            ProviderCatalog.OPENROUTER,
            ProviderCatalog.AZURE_OPENAI);

    /** The supported schemes. */
    public enum Scheme {
        /** An environment variable, {@code env://NAME}; its value trimmed. */
        ENV,
        /** A file, {@code file:///path}; its content trimmed. */
        FILE,
        /** The value itself, {@code literal://value}; logs a warning once. */
        LITERAL,
        /**
         * No secret: the key finds its own credentials ({@code auth_method: adc} or {@code default_chain}). It
         * resolves to the key's non-secret identity, which is also what the key is shown as.
         */
        AMBIENT
    }

    private final Scheme scheme;
    private final String location;
    private final UnaryOperator<String> environment;
    private final AtomicBoolean literalWarned = new AtomicBoolean();

    private SecretRef(Scheme scheme, String location, UnaryOperator<String> environment) {
        this.scheme = scheme;
        this.location = location;
        this.environment = environment;
    }

    /**
     * Parses a reference; throws {@link IllegalArgumentException} with a message naming the problem (never the value
     * of a literal).
     *
     * @param ref {@code env://NAME}, {@code file:///path} or {@code literal://value}
     * @return the reference; nothing is read yet
     */
    public static SecretRef parse(String ref) {
        return parse(ref, System::getenv);
    }

    /**
     * Parses a reference whose {@code env://} lookups go to {@code environment} (for tests and embedding).
     *
     * @param ref {@code env://NAME}, {@code file:///path} or {@code literal://value}
     * @param environment the variable's value by name, null when unset; not null
     * @return the reference; nothing is read yet
     * @throws IllegalArgumentException naming the problem (never the value of a literal)
     */
    public static SecretRef parse(String ref, UnaryOperator<String> environment) {
        Objects.requireNonNull(environment, "environment");
        if (ref == null || ref.isBlank()) {
            throw new IllegalArgumentException("secret_ref is empty; use env://NAME, file:///path or literal://value");
        }
        int sep = ref.indexOf("://");
        if (sep < 0) {
            throw new IllegalArgumentException(
                    "secret_ref has no scheme; use env://NAME, file:///path or literal://value");
        }
        String schemeName = ref.substring(0, sep);
        String rest = ref.substring(sep + 3);
        Scheme scheme = switch (schemeName) {
            case "env" -> Scheme.ENV;
            case "file" -> Scheme.FILE;
            case "literal" -> Scheme.LITERAL;
            default ->
                // A plain short name is a typo worth showing (evn://); anything else may be part of a secret.
                throw new IllegalArgumentException("secret_ref scheme "
                        + (SCHEME_NAME.matcher(schemeName).matches() ? "'" + schemeName + "'" : "(not shown)")
                        + " is not supported; use env://, file:// or literal://");
        };
        if (rest.isEmpty()) {
            throw new IllegalArgumentException("secret_ref " + schemeName + ":// names nothing");
        }
        return new SecretRef(scheme, rest, environment);
    }

    /**
     * A {@code literal://} reference (logs a warning when first resolved): for demos and tests, not real secrets.
     *
     * @param value the secret itself, not empty
     * @return the reference
     */
    public static SecretRef literal(String value) {
        return parse("literal://" + value);
    }

    /**
     * The reference of a key that needs no secret because it finds its own credentials (a cloud credential chain).
     * It resolves to {@code identity}, which is shown in place of a masked secret, so it must not be secret.
     *
     * @param identity what the key is shown as, e.g. {@code default_chain profile prod}
     * @return the reference
     */
    public static SecretRef ambient(String identity) {
        if (identity == null || identity.isBlank()) {
            throw new IllegalArgumentException("an ambient secret_ref needs an identity");
        }
        return new SecretRef(Scheme.AMBIENT, identity, name -> null);
    }

    /**
     * An {@code env://} reference to a variable of the process environment.
     *
     * @param name the variable's name, not empty
     * @return the reference
     */
    public static SecretRef env(String name) {
        return parse("env://" + name);
    }

    /**
     * Where the secret lives.
     *
     * @return the reference's scheme
     */
    public Scheme scheme() {
        return scheme;
    }

    /** Secret files larger than this are refused (an API key is under 1 KB, a service-account key about 2.5 KB). */
    public static final int MAX_SECRET_FILE_BYTES = 64 * 1024;

    /**
     * Reads the secret now. Throws {@link ConfigurationException} naming the variable or file (not its content) when
     * it is missing or empty.
     *
     * @return the secret, trimmed for {@code env://} and {@code file://}; never empty
     */
    public String resolve() {
        switch (scheme) {
            case ENV -> {
                String value = environment.apply(location);
                if (value == null || value.isBlank()) {
                    throw new ConfigurationException("environment variable " + location + " is not set or empty");
                }
                return value.strip();
            }
            case FILE -> {
                try {
                    Path path = Path.of(location);
                    // Only regular files: a FIFO or a device would block the call (secrets are read on every use).
                    if (!Files.isRegularFile(path)) {
                        if (Files.exists(path)) {
                            throw new ConfigurationException("secret file " + location + " is not a regular file");
                        }
                        throw new NoSuchFileException(location);
                    }
                    byte[] bytes;
                    try (java.io.InputStream in = Files.newInputStream(path)) {
                        bytes = in.readNBytes(MAX_SECRET_FILE_BYTES + 1);
                    }
                    if (bytes.length > MAX_SECRET_FILE_BYTES) {
                        throw new ConfigurationException("secret file " + location + " is larger than "
                                + MAX_SECRET_FILE_BYTES + " bytes; a secret or service-account key is a few KB");
                    }
                    String value = new String(bytes, StandardCharsets.UTF_8).strip();
                    if (value.isEmpty()) {
                        throw new ConfigurationException("secret file " + location + " is empty");
                    }
                    return value;
                } catch (NoSuchFileException e) {
                    throw new ConfigurationException("secret file " + location + " does not exist");
                } catch (IOException e) {
                    throw new ConfigurationException("secret file " + location + " cannot be read: "
                            + e.getClass().getSimpleName());
                }
            }
            case AMBIENT -> {
                return location;
            }
            default -> {
                if (literalWarned.compareAndSet(false, true)) {
                    LOG.warn("a key uses a literal:// secret_ref; keep real secrets in env:// or file:// references");
                }
                return location;
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SecretRef other && other.scheme == scheme && other.location.equals(location);
    }

    @Override
    public int hashCode() {
        return scheme.hashCode() * 31 + location.hashCode();
    }

    /** The reference without a literal's value: {@code env://NAME}, {@code file:///path} or {@code literal://***}. */
    @Override
    public String toString() {
        return switch (scheme) {
            case ENV -> "env://" + location;
            case FILE -> "file://" + location;
            case LITERAL -> "literal://***";
            case AMBIENT -> "(none: " + location + ")";
        };
    }

    /**
     * Why {@code secret}, the secret of a key of {@code provider}, cannot be sent as that provider needs it, or null
     * when it can. An API key (openai, anthropic, google_ai_studio, openrouter, azure_openai) goes into a request
     * header as it is, so it must be a valid header value (see {@link #headerValueProblem}); the JSON secrets of
     * google_vertex and aws_bedrock are not header values themselves and are not checked here. The answer never
     * quotes the secret.
     *
     * @param provider the key's provider id
     * @param secret the resolved secret, or null
     * @return the problem, e.g. {@code secret contains a character not allowed in an HTTP header (U+000A at position
     *     51)}; null when there is none
     */
    public static String problemFor(String provider, String secret) {
        if (secret == null || !HEADER_SECRET_PROVIDERS.contains(provider)) {
            return null;
        }
        String problem = headerValueProblem(secret);
        return problem == null ? null : "secret " + problem;
    }

    /**
     * Why {@code value} cannot be an HTTP header value, without quoting it, e.g. {@code contains a character not
     * allowed in an HTTP header (U+000A at position 51)} (positions count from 1); null when it can. Allowed are
     * printable ASCII and the space (U+0020 to U+007E): a newline, CR, NUL, tab or other control character, a
     * zero-width character (U+200B to U+200D, U+FEFF) or any non-ASCII character is refused. The JDK's HTTP client
     * would refuse most of them with an exception quoting the whole value; the rest would reach the provider as
     * bytes no key contains.
     *
     * @param value the header value, not null
     * @return the problem, or null when the value can be sent
     */
    public static String headerValueProblem(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return String.format(
                        "contains a character not allowed in an HTTP header (U+%04X at position %d)",
                        value.codePointAt(i), i + 1);
            }
        }
        return null;
    }

    /**
     * Masks a secret for display: its prefix up to and including the first dash (at most 3 characters) and its last
     * four characters, e.g. {@code sk-…9f2a}. Secrets shorter than 12 characters show only {@code …} and the last
     * character count is not revealed.
     *
     * <p>A JSON secret (AWS credentials, a service account) would show its closing characters, which belong to a
     * secret field; it is masked by its identifier when it has one (an AWS access key id, {@code AKI…MPLE}, or a
     * service account's {@code private_key_id}), else as {@code {…}}. Shown characters outside printable ASCII
     * appear as {@code ?}.
     *
     * @param secret the secret, or null
     * @return the mask, never more than a few characters of the secret
     */
    public static String mask(String secret) {
        if (secret == null || secret.length() < 12) {
            return "…";
        }
        String trimmed = secret.strip();
        if (trimmed.startsWith("{")) {
            java.util.regex.Matcher id = JSON_ACCESS_KEY_ID.matcher(trimmed);
            return id.find() ? mask(id.group(1)) : "{…}";
        }
        int dash = secret.indexOf('-');
        String prefix = dash >= 0 && dash < 3 ? secret.substring(0, dash + 1) : secret.substring(0, 3);
        return printable(prefix) + "…" + printable(secret.substring(secret.length() - 4));
    }

    /** {@code shown} with every character outside printable ASCII as {@code ?}, so a mask never carries a newline. */
    private static String printable(String shown) {
        for (int i = 0; i < shown.length(); i++) {
            char c = shown.charAt(i);
            if (c <= 0x20 || c > 0x7e) {
                StringBuilder out = new StringBuilder(shown.length());
                for (int j = 0; j < shown.length(); j++) {
                    char d = shown.charAt(j);
                    out.append(d <= 0x20 || d > 0x7e ? '?' : d);
                }
                return out.toString();
            }
        }
        return shown;
    }
}
