package dev.llmrotate.testkit;

import java.net.URI;
import java.util.Objects;

/**
 * A fake Amazon Bedrock Runtime (Converse API) on 127.0.0.1 for tests: accept some AWS credentials, point a client at
 * {@link #baseUrl()}, script how it answers per access key id and model, and inspect the requests it received. Every
 * request's AWS Signature Version 4 is verified, with an implementation independent of llm-rotate's signer.
 *
 * <pre>{@code
 * try (FakeBedrockServer bedrock = FakeBedrockServer.start()) {
 *     bedrock.acceptCredentials("AKIAEXAMPLEA", "secret-a");
 *     bedrock.forKey("AKIAEXAMPLEA").next(FakeResponse.rateLimited(Duration.ofSeconds(1)))
 *             .always(FakeResponse.ok("hello"));
 *     // ... POST bedrock.baseUrl() + "/model/amazon.nova-lite-v1%3A0/converse", signed for us-east-1/bedrock ...
 * }
 * }</pre>
 *
 * <h2>Endpoints</h2>
 *
 * {@code POST {baseUrl}/model/{modelId}/converse} answers JSON; {@code POST {baseUrl}/model/{modelId}/converse-stream}
 * answers {@code application/vnd.amazon.eventstream}. The model id is the percent-decoded path segment (so {@code
 * …-v1%3A0} is {@code …-v1:0}); the request's {@link RecordedRequest#apiKey() apiKey} is the access key id of its
 * {@code Authorization} credential. Attributes: {@code operation} ({@code Converse} or {@code ConverseStream}), and
 * {@code region} and {@code service} of the credential scope. Other paths get {@code 404 UnknownOperationException}.
 *
 * <h2>Signatures</h2>
 *
 * Before any script, the signature is checked as AWS does, against the credentials given to {@link
 * #acceptCredentials}: an unknown access key id (or a session token that does not match) gets {@code 403
 * UnrecognizedClientException}, a wrong signature {@code 403 InvalidSignatureException} ("The request signature we
 * calculated does not match the signature you provided…"), a credential scoped to another service than {@code
 * bedrock} {@code 403 InvalidSignatureException}, no {@code Authorization} header {@code 403
 * MissingAuthenticationTokenException}. A request with {@code Authorization: Bearer <key>} instead of a signature is
 * a Bedrock API key request: it is accepted when the key was given to {@link #acceptApiKey} (its {@link
 * RecordedRequest#apiKey() apiKey} is the key, its attribute {@code auth} is {@code api_key}), else it gets {@code 403
 * UnrecognizedClientException}. {@code host} and {@code x-amz-date} (and {@code x-amz-security-token} when
 * sent) must be signed. The time is not checked against the clock, so clients may sign with a test clock.
 *
 * <h2>Answers</h2>
 *
 * Errors carry {@code x-amzn-ErrorType: {Exception}:http://internal.amazon.com/coral/com.amazon.bedrock/} and {@code
 * {"message":…}}. The common kinds render as: {@code rateLimited} → {@code 429 ThrottlingException} (Bedrock sends no
 * {@code Retry-After}, so the duration is not used); {@code insufficientQuota} → {@code 400
 * ServiceQuotaExceededException}; {@code invalidApiKey} → {@code 403 UnrecognizedClientException}; {@code
 * serverError} → {@code 500 InternalServerException}; {@code overloaded} → {@code 503 ServiceUnavailableException}.
 * {@code FakeResponse.error(status, "ValidationException", null, message)} sends that exception name; see {@link
 * BedrockResponses} for the Bedrock-only answers.
 *
 * <p>A completion ({@link FakeResponse#ok}) is a Converse response: {@code output.message.content} (its {@code
 * reasoningContent} blocks from {@link FakeResponse#withReasoning} as {@code reasoningText {text, signature}} and
 * {@link FakeResponse#withRedactedReasoning} as {@code redactedContent}, which must then be base64 as Bedrock's
 * blobs are; its {@code text} block, left out when the answer is only tool calls or reasoning; its {@code toolUse}
 * blocks from {@link FakeResponse#toolCall} and {@link FakeResponse#withToolCall}, {@code {toolUseId, name, input}}
 * with the arguments parsed, which must then be a JSON object), {@code
 * stopReason} ({@code stop} → {@code end_turn}, {@code length} → {@code max_tokens}, {@code content_filter} → {@code
 * content_filtered}, {@code tool_calls} → {@code tool_use}; Bedrock's own names such as {@code guardrail_intervened}
 * pass through), {@code usage} ({@code inputTokens} = prompt tokens minus cached ones, which are {@code
 * cacheReadInputTokens}) and {@code metrics}. Unscripted requests get {@code FakeResponse.ok("fake reply")}, or {@code
 * 400 ValidationException} when the body has no {@code messages}.
 *
 * <h2>Streams</h2>
 *
 * ConverseStream answers are event-stream messages: {@code messageStart}; each reasoning block (a {@code
 * delta.reasoningContent.text} per word, then its {@code signature}; or one {@code redactedContent}) and its {@code
 * contentBlockStop}; one {@code contentBlockDelta} per text chunk and {@code contentBlockStop}; each tool call
 * ({@code contentBlockStart} with {@code start.toolUse {toolUseId, name}}, one {@code delta.toolUse.input} per
 * argument delta, {@code contentBlockStop}); {@code messageStop} (the stop reason) and {@code metadata} (usage,
 * metrics). Blocks are numbered by {@code contentBlockIndex} in that order. Stream faults count text chunks only. The
 * stream faults of {@link FakeResponse}: {@code cutAfterChunks} and {@code stallAfterChunks} as for every server; {@code
 * malformedEventAfterChunks} sends a {@code contentBlockDelta} whose message CRC is wrong (the binary framing's form
 * of a malformed event); {@code errorEventAfterChunks(n, type, message)} sends an exception message ({@code
 * :message-type exception}, {@code :exception-type} = {@code type}, e.g. {@code throttlingException} or {@code
 * modelStreamErrorException}) and ends the body; {@code missingEndMarker} leaves out {@code messageStop} and {@code
 * metadata}.
 *
 * <p>Thread-safe; {@link #close()} drops every open connection at once.
 */
public final class FakeBedrockServer extends FakeServer {

    private final SigV4Verifier verifier;
    private final java.util.Set<String> apiKeys;

    private FakeBedrockServer(FakeHttpServer server, SigV4Verifier verifier, java.util.Set<String> apiKeys) {
        super(server);
        this.verifier = verifier;
        this.apiKeys = apiKeys;
    }

    /**
     * Starts a server on 127.0.0.1 on a free port. It accepts no credentials until {@link #acceptCredentials} is
     * called.
     *
     * @return the running server; close it when done
     * @throws java.io.UncheckedIOException if no port can be bound
     */
    public static FakeBedrockServer start() {
        SigV4Verifier verifier = new SigV4Verifier();
        java.util.Set<String> apiKeys = java.util.concurrent.ConcurrentHashMap.newKeySet();
        return new FakeBedrockServer(FakeHttpServer.start(new BedrockWireFormat(verifier, apiKeys)), verifier, apiKeys);
    }

    /**
     * Accepts requests signed with these long-term credentials (no session token). Kept across {@link #reset()}.
     *
     * @param accessKeyId e.g. {@code AKIAIOSFODNN7EXAMPLE}
     * @param secretAccessKey its secret
     * @return this server
     */
    public FakeBedrockServer acceptCredentials(String accessKeyId, String secretAccessKey) {
        return acceptCredentials(accessKeyId, secretAccessKey, null);
    }

    /**
     * Accepts requests signed with these temporary credentials: they must send and sign this {@code
     * X-Amz-Security-Token}. Kept across {@link #reset()}.
     *
     * @param accessKeyId e.g. {@code ASIAIOSFODNN7EXAMPLE}
     * @param secretAccessKey its secret
     * @param sessionToken the session token, or {@code null} for long-term credentials
     * @return this server
     */
    public FakeBedrockServer acceptCredentials(String accessKeyId, String secretAccessKey, String sessionToken) {
        Objects.requireNonNull(accessKeyId, "accessKeyId");
        Objects.requireNonNull(secretAccessKey, "secretAccessKey");
        verifier.accept(accessKeyId, secretAccessKey, sessionToken);
        return this;
    }

    /**
     * Accepts requests that carry this Bedrock API key as {@code Authorization: Bearer <key>}. Kept across {@link
     * #reset()}.
     *
     * @param apiKey the key
     * @return this server
     */
    public FakeBedrockServer acceptApiKey(String apiKey) {
        apiKeys.add(Objects.requireNonNull(apiKey, "apiKey"));
        return this;
    }

    /**
     * The base URL to configure a client with, instead of {@code https://bedrock-runtime.{region}.amazonaws.com}.
     *
     * @return {@code http://127.0.0.1:PORT}, without a trailing slash
     */
    @Override
    public URI baseUrl() {
        return server.baseUrl();
    }
}
