package dev.llmrotate.internal.provider.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.config.AuthMethod;
import dev.llmrotate.config.CredentialEnvironment;
import dev.llmrotate.config.ProviderCatalog;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.internal.provider.http.HttpTransport;
import dev.llmrotate.spi.Attempt;
import dev.llmrotate.spi.HttpResult;
import dev.llmrotate.spi.ProviderAdapter;
import dev.llmrotate.spi.ProviderException;
import dev.llmrotate.spi.ProviderReply;
import dev.llmrotate.spi.ProviderStream;
import dev.llmrotate.spi.StreamingResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.regex.Pattern;

/**
 * Amazon Bedrock Runtime through the Converse API: {@code POST /model/{modelId}/converse} and, for streams,
 * {@code POST /model/{modelId}/converse-stream} (binary {@code application/vnd.amazon.eventstream}), signed with
 * SigV4 (service {@code bedrock}).
 *
 * <ul>
 *   <li>Credentials, by the key's {@code auth_method}: by default ({@code api_key}, {@code sigv4}) the key's secret is
 *       JSON, see {@link AwsCredentials#parse}; a secret that is not such JSON fails the attempt as
 *       {@code invalid_auth} (the key is set aside, the call goes on with the next one). {@code default_chain}: the
 *       AWS default credential chain, see {@link AwsCredentialChain}; an answer that the security token expired drops
 *       the cached credentials and sends the request once more with new ones. {@code bedrock_api_key}: the secret is
 *       a Bedrock API key, sent as {@code Authorization: Bearer} instead of a signature.
 *   <li>Region: {@code auth_config.region} of each key (required; the configuration is rejected without it). It
 *       picks the endpoint and is part of the signature's scope.
 *   <li>Endpoint: {@code https://bedrock-runtime.{region}.amazonaws.com}, unless {@code providers.aws_bedrock.base_url}
 *       is set: then every key's requests go to that URL (a VPC endpoint, a proxy, a test server), still signed
 *       for the key's region.
 * </ul>
 *
 * <p>{@link ConverseFormat} maps the request (messages, tools, tool choice, structured output, thinking) and the
 * answer: text blocks joined, {@code toolUse} blocks as the tool calls, {@code reasoningContent} blocks as the
 * reasoning (with their signatures, for the next turn); {@link ConverseStream} reads streams.
 */
public final class BedrockAdapter implements ProviderAdapter {
    /** The SigV4 signing name of Bedrock Runtime (its endpoint prefix is {@code bedrock-runtime}). */
    static final String SIGNING_NAME = "bedrock";

    private static final Pattern REGION = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");
    private static final URI DEFAULT_BASE_URL =
            ProviderCatalog.defaults(ProviderCatalog.AWS_BEDROCK).baseUrl();

    private final HttpTransport transport;
    private final ObjectMapper json;
    private final Clock clock;
    private final SigV4Signer signer;
    private final ConverseFormat format;
    private final BedrockErrorClassifier classifier;

    private final AwsCredentialChain chain;

    public BedrockAdapter(HttpTransport transport, ObjectMapper json, Clock clock) {
        this(transport, json, clock, CredentialEnvironment.system());
    }

    /** An adapter whose {@code auth_method: default_chain} keys look for credentials in {@code environment}. */
    public BedrockAdapter(HttpTransport transport, ObjectMapper json, Clock clock, CredentialEnvironment environment) {
        this.transport = transport;
        this.json = json;
        this.clock = clock;
        this.signer = new SigV4Signer(clock);
        this.format = new ConverseFormat(json);
        this.classifier = new BedrockErrorClassifier(json);
        this.chain = new AwsCredentialChain(environment, json, clock, signer);
    }

    /** Converse continues a trailing assistant message for models that take a prefill (Anthropic's); others refuse it, which stream recovery remembers. */
    @Override
    public boolean continuesPrefill() {
        return true;
    }

    @Override
    public String provider() {
        return ProviderCatalog.AWS_BEDROCK;
    }

    @Override
    public void checkSupported(ChatRequest request) {
        format.check(request);
    }

    @Override
    public ProviderReply send(Attempt attempt) {
        try {
            return sendOnce(attempt);
        } catch (ProviderException e) {
            if (!renewCredentials(attempt, e)) {
                throw e;
            }
            return sendOnce(attempt);
        }
    }

    private ProviderReply sendOnce(Attempt attempt) {
        byte[] body = body(attempt);
        URI uri = uri(attempt, "converse");
        return transport.postJson(
                uri,
                sign(attempt, uri, body),
                body,
                attempt.settings().connectTimeout(),
                attempt.timeout(),
                this::reply);
    }

    @Override
    public CompletableFuture<ProviderReply> sendAsync(Attempt attempt, Executor executor) {
        CompletableFuture<ProviderReply> first = sendOnceAsync(attempt);
        if (!AuthMethod.DEFAULT_CHAIN.equals(attempt.key().authMethod())) {
            return first;
        }
        // Completed by hand, not composed: the caller sees the failure itself, not wrapped in a CompletionException.
        CompletableFuture<ProviderReply> result = new CompletableFuture<>();
        first.whenComplete((reply, error) -> {
            Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                    ? error.getCause()
                    : error;
            if (cause == null) {
                result.complete(reply);
            } else if (cause instanceof ProviderException e && renewCredentials(attempt, e)) {
                sendOnceAsync(attempt).whenComplete((again, failure) -> {
                    if (failure == null) {
                        result.complete(again);
                    } else {
                        result.completeExceptionally(
                                failure instanceof java.util.concurrent.CompletionException
                                                && failure.getCause() != null
                                        ? failure.getCause()
                                        : failure);
                    }
                });
            } else {
                result.completeExceptionally(cause);
            }
        });
        result.whenComplete((reply, error) -> {
            if (result.isCancelled()) {
                first.cancel(true);
            }
        });
        return result;
    }

    private CompletableFuture<ProviderReply> sendOnceAsync(Attempt attempt) {
        try {
            byte[] body = body(attempt);
            URI uri = uri(attempt, "converse");
            return transport.postJsonAsync(
                    uri,
                    sign(attempt, uri, body),
                    body,
                    attempt.settings().connectTimeout(),
                    attempt.timeout(),
                    this::reply);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private ProviderReply reply(HttpResult response) {
        if (!response.isSuccess()) {
            throw classifier.classify(response, clock.instant());
        }
        return parseReply(response);
    }

    @Override
    public ProviderStream openStream(Attempt attempt) {
        try {
            return openStreamOnce(attempt);
        } catch (ProviderException e) {
            if (!renewCredentials(attempt, e)) {
                throw e;
            }
            return openStreamOnce(attempt);
        }
    }

    /**
     * After an expired-token refusal of a {@code default_chain} key's request: drops its cached credentials and says
     * to send once more (temporary credentials may be revoked or expire before their announced time).
     */
    private boolean renewCredentials(Attempt attempt, ProviderException failure) {
        if (!AuthMethod.DEFAULT_CHAIN.equals(attempt.key().authMethod())
                || failure.type() != ErrorType.INVALID_AUTH
                || failure.getMessage() == null
                || !failure.getMessage().toLowerCase(java.util.Locale.ROOT).contains("expired")) {
            return false;
        }
        chain.invalidate(attempt.key());
        return true;
    }

    private ProviderStream openStreamOnce(Attempt attempt) {
        byte[] body = body(attempt);
        URI uri = uri(attempt, "converse-stream");
        StreamingResponse response = transport.openStream(
                uri,
                sign(attempt, uri, body),
                body,
                "application/vnd.amazon.eventstream",
                attempt.settings().connectTimeout(),
                attempt.timeout());
        if (!response.isSuccess()) {
            throw classifier.classify(response.error(), clock.instant());
        }
        return new ConverseStream(response.body(), json, classifier, requestId(response.headers()));
    }

    private byte[] body(Attempt attempt) {
        try {
            return json.writeValueAsBytes(format.requestBody(attempt.request(), attempt.model()));
        } catch (IOException e) {
            throw new ProviderException(ErrorType.INVALID_REQUEST, null, null, "request not serialisable: " + e);
        }
    }

    /** {@code {endpoint}/model/{modelId}/{operation}}, the model id percent-encoded as one path segment. */
    static URI uri(Attempt attempt, String operation) {
        String base = attempt.settings().baseUrl().equals(DEFAULT_BASE_URL)
                ? "https://bedrock-runtime." + region(attempt) + ".amazonaws.com"
                : stripSlash(attempt.settings().baseUrl().toString());
        return URI.create(base + "/model/" + SigV4Signer.uriEncode(attempt.model(), true) + "/" + operation);
    }

    private Map<String, String> sign(Attempt attempt, URI uri, byte[] body) {
        String method = attempt.key().authMethod();
        if (AuthMethod.BEDROCK_API_KEY.equals(method)) {
            return Map.of("Authorization", "Bearer " + attempt.secret());
        }
        if (AuthMethod.DEFAULT_CHAIN.equals(method)) {
            AwsCredentials found = chain.credentials(attempt, region(attempt), attempt.timeout());
            return signer.sign("POST", uri, Map.of(), body, found, region(attempt), SIGNING_NAME)
                    .headers();
        }
        AwsCredentials credentials;
        try {
            credentials = AwsCredentials.parse(attempt.secret(), json);
        } catch (IllegalArgumentException e) {
            throw new ProviderException(
                    ErrorType.INVALID_AUTH, null, null, "key '" + attempt.key().keyId() + "': " + e.getMessage());
        }
        return signer.sign("POST", uri, Map.of(), body, credentials, region(attempt), SIGNING_NAME)
                .headers();
    }

    private static String region(Attempt attempt) {
        Object region = attempt.key().authConfig().get("region");
        if (!(region instanceof String text) || !REGION.matcher(text.strip()).matches()) {
            // The configuration check reports this at start-up; an adapter used on its own still says what is wrong.
            throw new ProviderException(
                    ErrorType.INVALID_AUTH,
                    null,
                    null,
                    "key '" + attempt.key().keyId() + "': keys[].auth_config.region must name an AWS region such as"
                            + " us-east-1");
        }
        return text.strip();
    }

    private ProviderReply parseReply(HttpResult response) {
        JsonNode root;
        try {
            root = json.readTree(response.body());
        } catch (IOException e) {
            throw new ProviderException(ErrorType.TRANSIENT_SERVER_ERROR, 200, null, "response body is not JSON");
        }
        JsonNode message = root == null ? null : root.path("output").get("message");
        if (message == null || !message.isObject()) {
            throw new ProviderException(ErrorType.TRANSIENT_SERVER_ERROR, 200, null, "response has no output.message");
        }
        return new ProviderReply(
                ConverseFormat.text(message),
                ConverseFormat.finishReason(root.path("stopReason").asText("")),
                ConverseFormat.usage(root.path("usage")),
                null,
                requestId(response.headers()),
                ConverseFormat.toolCalls(message),
                ConverseFormat.reasoning(message));
    }

    private static String requestId(HttpHeaders headers) {
        return headers.firstValue("x-amzn-requestid").orElse(null);
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
