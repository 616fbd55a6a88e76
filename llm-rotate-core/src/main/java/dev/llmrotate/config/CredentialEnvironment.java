package dev.llmrotate.config;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * Where the cloud credential chains ({@code auth_method: adc} of {@code google_vertex}, {@code default_chain} of
 * {@code aws_bedrock}) look for credentials: environment variables, Java system properties and the user's home
 * directory (for {@code ~/.aws/credentials}, {@code ~/.aws/config} and gcloud's
 * {@code application_default_credentials.json}). {@link #system()} is the process's own; tests and embedders pass
 * another with {@link #of} so that nothing reads or changes the real environment.
 */
public final class CredentialEnvironment {
    private final UnaryOperator<String> env;
    private final UnaryOperator<String> properties;
    private final Path home;

    private CredentialEnvironment(UnaryOperator<String> env, UnaryOperator<String> properties, Path home) {
        this.env = env;
        this.properties = properties;
        this.home = home;
    }

    /**
     * The process's environment ({@link System#getenv(String)}), system properties and {@code user.home}.
     *
     * @return the process's environment
     */
    public static CredentialEnvironment system() {
        String home = System.getProperty("user.home");
        return new CredentialEnvironment(
                System::getenv, System::getProperty, home == null || home.isBlank() ? null : Path.of(home));
    }

    /**
     * An environment made of these maps and home directory, for tests and embedding.
     *
     * @param env environment variables by name
     * @param properties system properties by name ({@code os.name} decides where gcloud's file is looked for)
     * @param home the user's home directory, or null for none
     * @return the environment
     */
    public static CredentialEnvironment of(Map<String, String> env, Map<String, String> properties, Path home) {
        Map<String, String> envCopy = Map.copyOf(Objects.requireNonNull(env, "env"));
        Map<String, String> propertiesCopy = Map.copyOf(Objects.requireNonNull(properties, "properties"));
        return new CredentialEnvironment(envCopy::get, propertiesCopy::get, home);
    }

    /**
     * An environment variable.
     *
     * @param name its name
     * @return its value without surrounding blanks, or null when it is unset or blank
     */
    public String env(String name) {
        return nonBlank(env.apply(name));
    }

    /**
     * A system property.
     *
     * @param name its name
     * @return its value without surrounding blanks, or null when it is unset or blank
     */
    public String property(String name) {
        return nonBlank(properties.apply(name));
    }

    /**
     * The user's home directory.
     *
     * @return the directory, or null when there is none
     */
    public Path home() {
        return home;
    }

    /**
     * Whether the operating system is Windows (by the {@code os.name} property), where gcloud keeps its files under
     * {@code %APPDATA%}.
     *
     * @return true on Windows
     */
    public boolean windows() {
        String os = property("os.name");
        return os != null && os.startsWith("Windows");
    }

    private static String nonBlank(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }

    /** Names no value: an environment holds secrets. */
    @Override
    public String toString() {
        return "CredentialEnvironment[home=" + home + "]";
    }
}
