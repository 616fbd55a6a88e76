package dev.llmrotate.internal.provider.google;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmrotate.config.AuthMethod;
import dev.llmrotate.config.CredentialEnvironment;
import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.ProviderCatalog;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.internal.provider.http.HttpTransport;
import dev.llmrotate.spi.Attempt;
import dev.llmrotate.spi.ProviderException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/**
 * Gemini on Vertex AI: {@code POST https://{region}-aiplatform.googleapis.com/v1/projects/{project}/locations/{region}
 * /publishers/google/models/{model}:generateContent} (and {@code :streamGenerateContent?alt=sse}), authenticated with
 * an OAuth access token of the service account whose JSON key file is the key's secret.
 *
 * <p>Per key, {@code auth_config} gives {@code project} and {@code region} (both required; checked when the
 * configuration loads). Region {@code global} uses the global endpoint, host {@code aiplatform.googleapis.com}
 * without a region prefix. A {@code providers.google_vertex.base_url} other than the built-in
 * {@code https://aiplatform.googleapis.com/v1} replaces the whole {@code https://…/v1} part, so requests go to
 * {@code {base_url}/projects/{project}/locations/{region}/…} whatever the region (a proxy, a Private Service Connect
 * endpoint, a test server); otherwise the host comes from the region.
 *
 * <p>The token endpoint is {@code auth_config.token_uri} if set, else the key file's {@code token_uri}, else
 * {@code https://oauth2.googleapis.com/token}. Tokens are cached and shared as {@link ServiceAccountTokens} says; one
 * the API refuses (401) is dropped and the request is sent once more with a new one, within the same attempt.
 *
 * <p>With {@code auth_method: adc} the token comes from Application Default Credentials instead (see {@link
 * ApplicationDefaultCredentials}): the environment's credentials file, gcloud's file or the metadata server, found
 * through the {@link CredentialEnvironment} the adapter was made with.
 */
public final class GoogleVertexAdapter extends GeminiAdapter {
    private static final Pattern PATH_SEGMENT = Pattern.compile("[A-Za-z0-9._:-]+");
    private static final URI BUILT_IN_BASE_URL =
            ProviderCatalog.defaults(ProviderCatalog.GOOGLE_VERTEX).baseUrl();

    private final ObjectMapper json;
    private final ServiceAccountTokens tokens;
    private final ApplicationDefaultCredentials adc;

    public GoogleVertexAdapter(HttpTransport transport, ObjectMapper json, Clock clock) {
        this(transport, json, clock, CredentialEnvironment.system());
    }

    /** An adapter whose {@code auth_method: adc} keys look for credentials in {@code environment}. */
    public GoogleVertexAdapter(
            HttpTransport transport, ObjectMapper json, Clock clock, CredentialEnvironment environment) {
        super(transport, json, clock);
        this.json = json;
        this.tokens = new ServiceAccountTokens(transport, json, clock);
        this.adc = new ApplicationDefaultCredentials(environment, json, clock, tokens);
    }

    private static boolean usesAdc(Attempt attempt) {
        return AuthMethod.ADC.equals(attempt.key().authMethod());
    }

    @Override
    public String provider() {
        return ProviderCatalog.GOOGLE_VERTEX;
    }

    @Override
    protected URI methodUrl(Attempt attempt, String method) {
        KeySpec key = attempt.key();
        String project = required(key, "project");
        String region = required(key, "region");
        return URI.create(baseUrl(attempt, region) + "/projects/" + project + "/locations/" + region
                + "/publishers/google/models/" + modelId(attempt) + ":" + method);
    }

    /** The configured base URL when it was overridden, else the region's endpoint. */
    static String baseUrl(Attempt attempt, String region) {
        URI configured = attempt.settings().baseUrl();
        if (!configured.equals(BUILT_IN_BASE_URL)) {
            return stripSlash(configured.toString());
        }
        return region.equals("global")
                ? "https://aiplatform.googleapis.com/v1"
                : "https://" + region + "-aiplatform.googleapis.com/v1";
    }

    @Override
    protected Map<String, String> authHeaders(Attempt attempt, Duration timeout) {
        if (usesAdc(attempt)) {
            return adc.headers(attempt, timeout);
        }
        ServiceAccount account =
                ServiceAccount.parse(attempt.secret(), attempt.key().keyId(), json);
        String token = tokens.accessToken(
                account,
                tokenUri(attempt.key(), account),
                attempt.key().keyId(),
                attempt.settings().connectTimeout(),
                timeout);
        return Map.of("Authorization", "Bearer " + token);
    }

    /** The cached token at once; a token request, when one is needed, is sent asynchronously too. */
    @Override
    protected CompletableFuture<Map<String, String>> authHeadersAsync(Attempt attempt, Duration timeout) {
        if (usesAdc(attempt)) {
            return adc.headersAsync(attempt, timeout);
        }
        try {
            ServiceAccount account =
                    ServiceAccount.parse(attempt.secret(), attempt.key().keyId(), json);
            return tokens.accessTokenAsync(
                            account,
                            tokenUri(attempt.key(), account),
                            attempt.key().keyId(),
                            attempt.settings().connectTimeout(),
                            timeout)
                    .thenApply(token -> Map.of("Authorization", "Bearer " + token));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** A 401 drops the cached token and resends once with a new one (the token may have been revoked early). */
    @Override
    protected boolean renewAuth(Attempt attempt, ProviderException failure) {
        if (failure.type() != ErrorType.INVALID_AUTH || !Integer.valueOf(401).equals(failure.httpStatus())) {
            return false;
        }
        if (usesAdc(attempt)) {
            adc.invalidate(attempt.key());
            return true;
        }
        ServiceAccount account =
                ServiceAccount.parse(attempt.secret(), attempt.key().keyId(), json);
        tokens.invalidate(account, tokenUri(attempt.key(), account));
        return true;
    }

    private static URI tokenUri(KeySpec key, ServiceAccount account) {
        Object configured = key.authConfig().get("token_uri");
        if (configured instanceof String text && !text.isBlank()) {
            return URI.create(text.strip());
        }
        return URI.create(account.tokenUri() != null ? account.tokenUri() : ServiceAccountTokens.DEFAULT_TOKEN_URI);
    }

    private static String required(KeySpec key, String field) {
        Object value = key.authConfig().get(field);
        if (!(value instanceof String text) || text.isBlank()) {
            throw new ProviderException(
                    ErrorType.INVALID_REQUEST,
                    null,
                    null,
                    "key " + key.keyId() + " of provider google_vertex needs auth_config." + field);
        }
        String id = text.strip();
        if (!PATH_SEGMENT.matcher(id).matches()) {
            throw new ProviderException(
                    ErrorType.INVALID_REQUEST,
                    null,
                    null,
                    "key " + key.keyId() + ": auth_config." + field + " '" + id + "' is not a valid " + field);
        }
        return id;
    }
}
