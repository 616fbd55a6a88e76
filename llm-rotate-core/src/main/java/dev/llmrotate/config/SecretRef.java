package dev.llmrotate.config;

import dev.llmrotate.error.ConfigurationException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;
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

    private static final Logger LOG = LoggerFactory.getLogger(SecretRef.class);

    /** The supported schemes. */
    public enum Scheme {
        ENV,
        FILE,
        LITERAL
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
     */
    public static SecretRef parse(String ref) {
        return parse(ref, System::getenv);
    }

    /** Parses a reference whose {@code env://} lookups go to {@code environment} (for tests and embedding). */
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
                throw new IllegalArgumentException(
                        "secret_ref scheme '" + schemeName + "' is not supported; use env://, file:// or literal://");
        };
        if (rest.isEmpty()) {
            throw new IllegalArgumentException("secret_ref " + schemeName + ":// names nothing");
        }
        return new SecretRef(scheme, rest, environment);
    }

    public static SecretRef literal(String value) {
        return parse("literal://" + value);
    }

    public static SecretRef env(String name) {
        return parse("env://" + name);
    }

    public Scheme scheme() {
        return scheme;
    }

    /**
     * Reads the secret now. Throws {@link ConfigurationException} naming the variable or file (not its content) when
     * it is missing or empty.
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
                    String value = Files.readString(Path.of(location), StandardCharsets.UTF_8)
                            .strip();
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
        };
    }

    /**
     * Masks a secret for display: its prefix up to and including the first dash (at most 3 characters) and its last
     * four characters, e.g. {@code sk-…9f2a}. Secrets shorter than 12 characters show only {@code …} and the last
     * character count is not revealed.
     *
     * <p>A JSON secret (AWS credentials, a service account) would show its closing characters, which belong to a
     * secret field; it is masked by its identifier when it has one (an AWS access key id, {@code AKI…MPLE}, or a
     * service account's {@code private_key_id}), else as {@code {…}}.
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
        return prefix + "…" + secret.substring(secret.length() - 4);
    }
}
