package dev.llmrotate.config;

import java.util.List;
import java.util.Map;

/**
 * The values of a key's {@code auth_method} and what each needs. Keys of {@code openai}, {@code anthropic},
 * {@code google_ai_studio}, {@code openrouter} and {@code azure_openai} send their secret as an API key whatever the
 * method says; {@code google_vertex} and {@code aws_bedrock} take the methods below.
 */
public final class AuthMethod {
    /** The default: the secret is the provider's credential (an API key, a service-account or AWS credentials JSON). */
    public static final String API_KEY = "api_key";

    /** {@code google_vertex}: the secret is a service-account JSON key file (the same as {@link #API_KEY}). */
    public static final String SERVICE_ACCOUNT = "service_account";

    /** {@code aws_bedrock}: the secret is AWS credentials JSON, requests are signed (the same as {@link #API_KEY}). */
    public static final String SIGV4 = "sigv4";

    /**
     * {@code google_vertex}: Application Default Credentials ({@code GOOGLE_APPLICATION_CREDENTIALS}, gcloud's file,
     * the metadata server); a {@code secret_ref}, when given, names a credentials JSON of any ADC type instead.
     */
    public static final String ADC = "adc";

    /**
     * {@code aws_bedrock}: the AWS default credential chain (system properties, environment, web identity, profile
     * files, container and instance metadata); no {@code secret_ref}.
     */
    public static final String DEFAULT_CHAIN = "default_chain";

    /**
     * {@code aws_bedrock}: a Bedrock API key sent as {@code Authorization: Bearer}; its {@code secret_ref} defaults
     * to {@code env://AWS_BEARER_TOKEN_BEDROCK}.
     */
    public static final String BEDROCK_API_KEY = "bedrock_api_key";

    /** The variable the AWS SDKs read a Bedrock API key from. */
    public static final String BEDROCK_API_KEY_VARIABLE = "AWS_BEARER_TOKEN_BEDROCK";

    /** The methods each cloud provider takes. */
    static final Map<String, List<String>> BY_PROVIDER = Map.of(
            ProviderCatalog.GOOGLE_VERTEX, List.of(API_KEY, SERVICE_ACCOUNT, ADC),
            ProviderCatalog.AWS_BEDROCK, List.of(API_KEY, SIGV4, DEFAULT_CHAIN, BEDROCK_API_KEY));

    /** The {@code auth_config} fields each cloud method reads (besides the provider's own). */
    static final Map<String, List<String>> SETTINGS = Map.of(
            ADC,
            List.of(
                    "project",
                    "region",
                    "scopes",
                    "quota_project_id",
                    "impersonate_service_account",
                    "iam_endpoint",
                    "token_uri"),
            DEFAULT_CHAIN,
            List.of("region", "profile", "role_arn", "role_session_name", "external_id", "web_identity_token_file"),
            BEDROCK_API_KEY,
            List.of("region"));

    private AuthMethod() {}

    /** Whether keys of this method may leave out {@code secret_ref}. */
    static boolean needsNoSecret(String method) {
        return ADC.equals(method) || DEFAULT_CHAIN.equals(method) || BEDROCK_API_KEY.equals(method);
    }

    /** The reference a key of this method without {@code secret_ref} gets. */
    static SecretRef implicitSecretRef(String method, Map<String, Object> authConfig) {
        if (BEDROCK_API_KEY.equals(method)) {
            return SecretRef.env(BEDROCK_API_KEY_VARIABLE);
        }
        return SecretRef.ambient(identity(method, authConfig));
    }

    /**
     * What a key that finds its own credentials is shown as, in place of a masked secret: the method and its
     * non-secret identity ({@code default_chain profile prod}, {@code default_chain role
     * arn:aws:iam::123456789012:role/bedrock}, {@code adc as sa@project.iam.gserviceaccount.com}).
     */
    static String identity(String method, Map<String, Object> authConfig) {
        String impersonated = plain(authConfig.get("impersonate_service_account"));
        String role = plain(authConfig.get("role_arn"));
        String profile = plain(authConfig.get("profile"));
        StringBuilder shown = new StringBuilder(method);
        if (impersonated != null) {
            shown.append(" as ").append(impersonated);
        }
        if (profile != null) {
            shown.append(" profile ").append(profile);
        }
        if (role != null) {
            shown.append(" role ").append(role);
        }
        return shown.toString();
    }

    /** A value worth showing: text without spaces or control characters, not too long to be a name. */
    private static String plain(Object value) {
        return value instanceof String text && text.strip().matches("[\\x21-\\x7e]{1,200}") ? text.strip() : null;
    }
}
