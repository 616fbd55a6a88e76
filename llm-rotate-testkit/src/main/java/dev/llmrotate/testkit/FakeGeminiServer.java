package dev.llmrotate.testkit;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.time.Duration;

/**
 * A fake Gemini server on 127.0.0.1 for tests, speaking both Google AI Studio's Gemini API and Vertex AI's, with a
 * fake OAuth token endpoint for Vertex service accounts. Scripting, recording, network and stream faults and shutdown
 * work as in {@link FakeOpenAiServer}.
 *
 * <pre>{@code
 * try (FakeGeminiServer gemini = FakeGeminiServer.start()) {
 *     gemini.forKey("AIza-a").always(GeminiResponses.rateLimitedPerMinute(Duration.ofSeconds(34)));
 *     // ... POST gemini.generateContentUrl("gemini-2.5-flash") with "x-goog-api-key: AIza-a" ...
 * }
 * }</pre>
 *
 * <h2>Endpoints</h2>
 *
 * <ul>
 *   <li>AI Studio: {@code POST /v1beta/models/{model}:generateContent} and {@code
 *       :streamGenerateContent?alt=sse} ({@code /v1/models/...} too). The API key is the {@code x-goog-api-key}
 *       header (or the {@code key} query parameter). Attributes: {@code api=ai-studio}, {@code version}, {@code
 *       method}, {@code alt}.
 *   <li>Vertex AI: {@code POST /v1/projects/{project}/locations/{region}/publishers/google/models/{model}
 *       :generateContent} and {@code :streamGenerateContent?alt=sse} ({@code /v1beta1/...} too), with {@code
 *       Authorization: Bearer <token>}. Attributes: {@code api=vertex}, {@code project}, {@code region}, {@code
 *       version}, {@code method}, {@code alt}, {@code tokenStatus} ({@code valid}, {@code expired}, {@code unknown}
 *       or {@code missing}) and, for tokens this server issued, {@code serviceAccount}.
 *   <li>OAuth: {@code POST /token} ({@link #tokenUrl()}), see below. Token requests are counted ({@link
 *       #tokenRequestCount()}) but not recorded in {@link #requests()}.
 * </ul>
 *
 * The model is the path's {@code {model}} segment. Other paths get {@code 404 NOT_FOUND}. Streams are always sent as
 * server-sent events, as with {@code alt=sse}; the JSON-array stream Google sends without {@code alt=sse} is not
 * implemented.
 *
 * <h2>Keys, tokens and scripts</h2>
 *
 * On Vertex paths the request's {@link RecordedRequest#apiKey() apiKey} is the <em>service account</em> (client
 * email) a valid token was issued to, so {@link #forServiceAccount} (the same as {@link #forKey}) selects requests by
 * account whatever token they carry; a token the server did not issue, or an expired one, is reported as the raw
 * token. When no script answers, a Vertex request without a valid issued token gets {@code 401 UNAUTHENTICATED}
 * (with an {@code ErrorInfo} reason {@code ACCESS_TOKEN_EXPIRED} or {@code CREDENTIALS_MISSING} where it applies); an
 * AI Studio request without a key gets {@code 403 PERMISSION_DENIED}; a body that is not JSON gets {@code 400
 * INVALID_ARGUMENT}; anything else gets {@code FakeResponse.ok("fake reply")}. Scripts are consulted first, so a
 * script for a model or the default answers requests with bad tokens too, while a service-account script only ever
 * sees requests whose token is valid.
 *
 * <h2>The token endpoint</h2>
 *
 * {@code POST /token} takes {@code application/x-www-form-urlencoded} {@code
 * grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=<JWT>} and verifies the JWT: RS256 signature
 * against the key registered with {@link #acceptServiceAccount} for its {@code iss}, {@code aud} equal to {@link
 * #tokenUrl()}, {@code iat} and {@code exp} numeric with {@code exp} in the future and at most an hour after {@code
 * iat}, and a non-blank {@code scope}. It answers {@code {"access_token":"ya29.fake-…","expires_in":3600,
 * "token_type":"Bearer"}} ({@link #tokenExpiresIn}); a bad assertion gets {@code 400 {"error":"invalid_grant",
 * "error_description":…}} (a missing scope: {@code invalid_scope}, as Google answers; another grant type: {@code
 * unsupported_grant_type}). {@link #tokenEndpoint()} scripts it like any endpoint, e.g. to fail or delay token
 * requests.
 *
 * <h2>Rendering</h2>
 *
 * A completion is a {@code GenerateContentResponse}: {@code {"candidates":[{"content":{"parts":[{"text":…}],
 * "role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":…,"candidatesTokenCount":…,
 * "totalTokenCount":…,"cachedContentTokenCount":…,"thoughtsTokenCount":…},"modelVersion":…,"responseId":…}}. Finish
 * reasons map {@code stop} and {@code tool_calls} → {@code STOP}, {@code length} → {@code MAX_TOKENS}, {@code
 * content_filter} → {@code SAFETY}; others pass through. {@code candidatesTokenCount} is the completion tokens minus
 * the reasoning ones, which are {@code thoughtsTokenCount}; {@code totalTokenCount} is prompt plus completion.
 *
 * <p>Errors are {@code google.rpc.Status} bodies, see {@link GeminiResponses}. {@link FakeResponse#rateLimited} →
 * {@code 429 RESOURCE_EXHAUSTED} with a per-minute {@code QuotaFailure} and {@code RetryInfo} (Google sends no {@code
 * retry-after} header); {@link FakeResponse#insufficientQuota} → {@link GeminiResponses#quotaLimitZero()}; {@link
 * FakeResponse#invalidApiKey} → {@code 400 INVALID_ARGUMENT API_KEY_INVALID} (Vertex: {@code 401
 * UNAUTHENTICATED}); {@link FakeResponse#serverError} → {@code 500 INTERNAL}; {@link FakeResponse#overloaded} →
 * {@code 503 UNAVAILABLE}. The same bodies are used on AI Studio and Vertex paths.
 *
 * <h2>Streaming</h2>
 *
 * {@code streamGenerateContent} gets {@code data: {GenerateContentResponse}} events with CRLF line endings, one per
 * content delta, then a last event with an empty text part, the {@code finishReason} and the {@code usageMetadata}.
 * Gemini has no end marker: {@link FakeResponse#missingEndMarker()} leaves out that last event, so the stream ends
 * cleanly with no event carrying a {@code finishReason}. Mid-stream error events ({@link
 * FakeResponse#errorEventAfterChunks}) are {@code data: {"error":{"code":…,"message":…,"status":…}}}.
 */
public final class FakeGeminiServer extends FakeServer {

    private final OAuthTokenEndpoint tokens;

    private FakeGeminiServer(FakeHttpServer server, OAuthTokenEndpoint tokens) {
        super(server);
        this.tokens = tokens;
        tokens.audience(tokenUrl());
    }

    /**
     * Starts a server on 127.0.0.1 on a free port.
     *
     * @return the running server; close it when done
     * @throws java.io.UncheckedIOException if no port can be bound
     */
    public static FakeGeminiServer start() {
        OAuthTokenEndpoint tokens = new OAuthTokenEndpoint();
        return new FakeGeminiServer(FakeHttpServer.start(new GeminiWireFormat(tokens)), tokens);
    }

    /**
     * The server's root, to use in place of {@code https://generativelanguage.googleapis.com} or {@code
     * https://REGION-aiplatform.googleapis.com}.
     *
     * @return {@code http://127.0.0.1:PORT}, without a trailing slash
     */
    @Override
    public URI baseUrl() {
        return server.baseUrl();
    }

    /**
     * The AI Studio {@code generateContent} endpoint of a model.
     *
     * @param model e.g. {@code gemini-2.5-flash}
     * @return {@code http://127.0.0.1:PORT/v1beta/models/MODEL:generateContent}
     */
    public URI generateContentUrl(String model) {
        return URI.create(baseUrl() + "/v1beta/models/" + segment(model) + ":generateContent");
    }

    /**
     * The AI Studio streaming endpoint of a model, with {@code alt=sse}.
     *
     * @param model e.g. {@code gemini-2.5-flash}
     * @return {@code http://127.0.0.1:PORT/v1beta/models/MODEL:streamGenerateContent?alt=sse}
     */
    public URI streamGenerateContentUrl(String model) {
        return URI.create(baseUrl() + "/v1beta/models/" + segment(model) + ":streamGenerateContent?alt=sse");
    }

    /**
     * The Vertex AI {@code generateContent} endpoint of a Google model.
     *
     * @param project the project id
     * @param region e.g. {@code us-central1}
     * @param model e.g. {@code gemini-2.5-flash}
     * @return {@code http://127.0.0.1:PORT/v1/projects/P/locations/R/publishers/google/models/M:generateContent}
     */
    public URI vertexGenerateContentUrl(String project, String region, String model) {
        return URI.create(vertexModel(project, region, model) + ":generateContent");
    }

    /**
     * The Vertex AI streaming endpoint of a Google model, with {@code alt=sse}.
     *
     * @param project the project id
     * @param region e.g. {@code us-central1}
     * @param model e.g. {@code gemini-2.5-flash}
     * @return {@code http://127.0.0.1:PORT/v1/projects/P/locations/R/publishers/google/models/M
     *     :streamGenerateContent?alt=sse}
     */
    public URI vertexStreamGenerateContentUrl(String project, String region, String model) {
        return URI.create(vertexModel(project, region, model) + ":streamGenerateContent?alt=sse");
    }

    /**
     * The OAuth token endpoint, the {@code token_uri} of service accounts used against this server and the {@code
     * aud} their assertions must carry.
     *
     * @return {@code http://127.0.0.1:PORT/token}
     */
    public URI tokenUrl() {
        return URI.create(baseUrl() + OAuthTokenEndpoint.PATH);
    }

    /**
     * Lets the token endpoint issue tokens for this service account: assertions whose {@code iss} is {@code
     * clientEmail} must be signed with the private key of {@code key}. Registering an account again replaces its key.
     *
     * @param clientEmail the service account's email
     * @param key its RSA public key
     */
    public void acceptServiceAccount(String clientEmail, PublicKey key) {
        tokens.accept(clientEmail, key);
    }

    /**
     * Generates a service account whose key file's {@code token_uri} is {@link #tokenUrl()} and accepts it.
     *
     * @param clientEmail e.g. {@code rotate-1@my-project.iam.gserviceaccount.com}
     * @return the account, with its key file in {@link ServiceAccounts.ServiceAccount#json()}
     */
    public ServiceAccounts.ServiceAccount newServiceAccount(String clientEmail) {
        ServiceAccounts.ServiceAccount account = ServiceAccounts.generate(clientEmail, tokenUrl());
        acceptServiceAccount(clientEmail, account.publicKey());
        return account;
    }

    /**
     * The script for Vertex requests whose bearer token was issued to this service account and is still valid; the
     * same script as {@code forKey(clientEmail)}.
     *
     * @param clientEmail the service account's email
     * @return the script
     */
    public Script forServiceAccount(String clientEmail) {
        return forKey(clientEmail);
    }

    /**
     * Issues an access token for {@code account} that Vertex requests are accepted with, as if another issuer (a GCE
     * metadata server, an STS, IAM impersonation) had handed it out: tests of those sources serve it from their own
     * fakes.
     *
     * @param account the service account (or principal) the token stands for; requests carrying it are scripted by
     *     {@code forServiceAccount(account)}
     * @param lifetime how long it is valid
     * @return the token
     */
    public String issueAccessToken(String account, Duration lifetime) {
        return tokens.issue(account, lifetime);
    }

    /**
     * How long tokens issued from now on are valid ({@code expires_in}); 1 hour unless set.
     *
     * @param lifetime positive
     */
    public void tokenExpiresIn(Duration lifetime) {
        tokens.lifetime(lifetime);
    }

    /**
     * Makes every token issued so far expired at once, as if their lifetime had passed: a deterministic way to test
     * token refresh.
     */
    public void expireTokens() {
        tokens.expireAll();
    }

    /**
     * How many requests reached the token endpoint so far (also failed ones), since start or {@link #reset()}.
     *
     * @return the count
     */
    public int tokenRequestCount() {
        return tokens.requestCount();
    }

    /**
     * The script of the token endpoint: its responses replace the endpoint's own answer, e.g. {@code
     * tokenEndpoint().next(FakeResponse.serverError())} fails the next token request. With nothing scripted the
     * endpoint verifies assertions and issues tokens.
     *
     * @return the script
     */
    public Script tokenEndpoint() {
        return tokens.script();
    }

    /**
     * Forgets every script (including {@link #tokenEndpoint()}'s), recorded request and the token request count.
     * Accepted service accounts, issued tokens and the token lifetime stay.
     */
    @Override
    public void reset() {
        super.reset();
        tokens.reset();
    }

    private URI vertexModel(String project, String region, String model) {
        return URI.create(baseUrl() + "/v1/projects/" + segment(project) + "/locations/" + segment(region)
                + "/publishers/google/models/" + segment(model));
    }

    private static String segment(String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("path segment must not be blank");
        }
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
