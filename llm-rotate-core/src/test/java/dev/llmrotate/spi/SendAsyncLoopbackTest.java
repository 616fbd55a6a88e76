package dev.llmrotate.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.ProviderCatalog;
import dev.llmrotate.config.ProviderSettings;
import dev.llmrotate.config.SecretRef;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.internal.provider.anthropic.AnthropicAdapter;
import dev.llmrotate.internal.provider.azure.AzureOpenAiAdapter;
import dev.llmrotate.internal.provider.bedrock.BedrockAdapter;
import dev.llmrotate.internal.provider.google.GoogleAiStudioAdapter;
import dev.llmrotate.internal.provider.google.GoogleVertexAdapter;
import dev.llmrotate.internal.provider.http.HttpTransport;
import dev.llmrotate.internal.provider.openai.OpenAiAdapter;
import dev.llmrotate.internal.provider.openrouter.OpenRouterAdapter;
import dev.llmrotate.testkit.FakeAnthropicServer;
import dev.llmrotate.testkit.FakeBedrockServer;
import dev.llmrotate.testkit.FakeGeminiServer;
import dev.llmrotate.testkit.FakeOpenAiServer;
import dev.llmrotate.testkit.FakeResponse;
import dev.llmrotate.testkit.Script;
import dev.llmrotate.testkit.ServiceAccounts;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link ProviderAdapter#sendAsync} of every built-in adapter against its fake server: the same reply and the same
 * classified failures as {@link ProviderAdapter#send}, without running anything on the executor it is given (they
 * send with the HTTP client's asynchronous API), and Vertex's token fetched asynchronously when the cache has none.
 */
class SendAsyncLoopbackTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Wall clock: the fake token endpoint checks assertion times against it. */
    private static final Clock CLOCK = Clock.systemUTC();

    private static final String BEDROCK_ACCESS_KEY_ID = "AKIAFAKEBEDROCK01";
    private static final String BEDROCK_SECRET_KEY = "fake/Secret+Key-0123456789abcdef";
    /** The built-in adapters must not hand their work to the engine's executor. */
    private static final Executor UNUSED = task -> {
        throw new AssertionError("a built-in adapter ran a task on the executor given to sendAsync");
    };

    private final HttpTransport transport = new HttpTransport();
    private FakeOpenAiServer openai;
    private FakeAnthropicServer anthropic;
    private FakeGeminiServer gemini;
    private FakeBedrockServer bedrock;

    @BeforeEach
    void start() {
        openai = FakeOpenAiServer.start();
        anthropic = FakeAnthropicServer.start();
        gemini = FakeGeminiServer.start();
        bedrock = FakeBedrockServer.start().acceptCredentials(BEDROCK_ACCESS_KEY_ID, BEDROCK_SECRET_KEY);
    }

    @AfterEach
    void stop() {
        openai.close();
        anthropic.close();
        gemini.close();
        bedrock.close();
    }

    /** An adapter, an attempt for it, and the script and request count of the fake server that answers it. */
    private record Target(ProviderAdapter adapter, Attempt attempt, Script script, IntSupplier requestCount) {}

    private Target target(String provider) {
        return switch (provider) {
            case "openai" ->
                new Target(
                        new OpenAiAdapter(transport, JSON, CLOCK),
                        attempt(key(provider, "gpt-4o-mini"), "sk-test-a", settings(provider, openai.baseUrl())),
                        openai.byDefault(),
                        openai::requestCount);
            case "openrouter" ->
                new Target(
                        new OpenRouterAdapter(transport, JSON, CLOCK),
                        attempt(
                                key(provider, "openai/gpt-4o-mini"),
                                "sk-or-test-a",
                                settings(provider, openai.baseUrl())),
                        openai.byDefault(),
                        openai::requestCount);
            case "azure_openai" ->
                new Target(
                        new AzureOpenAiAdapter(transport, JSON, CLOCK),
                        attempt(
                                key(provider, "gpt-4o-mini")
                                        .authConfig(
                                                "azure_endpoint",
                                                openai.azureEndpoint().toString())
                                        .build(),
                                "azure-test-a",
                                ProviderCatalog.defaults(provider)),
                        openai.byDefault(),
                        openai::requestCount);
            case "anthropic" ->
                new Target(
                        new AnthropicAdapter(transport, JSON, CLOCK),
                        attempt(
                                key(provider, "claude-sonnet-4-5"),
                                "sk-ant-test-a",
                                settings(provider, anthropic.baseUrl())),
                        anthropic.byDefault(),
                        anthropic::requestCount);
            case "google_ai_studio" ->
                new Target(
                        new GoogleAiStudioAdapter(transport, JSON, CLOCK),
                        attempt(
                                key(provider, "gemini-2.5-flash"),
                                "AIza-test-a",
                                settings(provider, URI.create(gemini.baseUrl() + "/v1beta"))),
                        gemini.byDefault(),
                        gemini::requestCount);
            case "google_vertex" -> {
                ServiceAccounts.ServiceAccount account =
                        gemini.newServiceAccount("rotate-1@my-project.iam.gserviceaccount.com");
                yield new Target(
                        new GoogleVertexAdapter(transport, JSON, CLOCK),
                        attempt(
                                key(provider, "gemini-2.5-flash")
                                        .authConfig("project", "my-project")
                                        .authConfig("region", "us-central1")
                                        .build(),
                                account.json(),
                                settings(provider, URI.create(gemini.baseUrl() + "/v1"))),
                        gemini.forServiceAccount(account.clientEmail()), // only requests with valid tokens
                        gemini::requestCount);
            }
            case "aws_bedrock" ->
                new Target(
                        new BedrockAdapter(transport, JSON, CLOCK),
                        attempt(
                                key(provider, "anthropic.claude-3-haiku-20240307-v1:0")
                                        .authConfig("region", "us-east-1")
                                        .build(),
                                "{\"access_key_id\":\"" + BEDROCK_ACCESS_KEY_ID + "\",\"secret_access_key\":\""
                                        + BEDROCK_SECRET_KEY + "\"}",
                                settings(provider, bedrock.baseUrl())),
                        bedrock.byDefault(),
                        bedrock::requestCount);
            default -> throw new IllegalArgumentException(provider);
        };
    }

    private static KeySpec.Builder key(String provider, String model) {
        return KeySpec.builder("a", provider)
                .secretRef(SecretRef.parse("env://UNUSED", name -> null))
                .models(model);
    }

    private static Attempt attempt(KeySpec.Builder key, String secret, ProviderSettings settings) {
        return attempt(key.build(), secret, settings);
    }

    private static Attempt attempt(KeySpec key, String secret, ProviderSettings settings) {
        return new Attempt(
                ChatRequest.builder(key.models().get(0)).user("hi").build(),
                key,
                secret,
                settings,
                null,
                Duration.ofSeconds(5));
    }

    private static ProviderSettings settings(String provider, URI baseUrl) {
        return ProviderCatalog.defaults(provider).withBaseUrl(baseUrl);
    }

    /** The exception the future ended with, as it is (a failed future must not wrap it). */
    private static Throwable failureOf(CompletableFuture<?> future) throws Exception {
        return future.handle((value, error) -> error).get(10, TimeUnit.SECONDS);
    }

    private static ProviderReply withoutId(ProviderReply reply) {
        return new ProviderReply(reply.content(), reply.finishReason(), reply.usage(), reply.model(), null);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "openai",
                "openrouter",
                "azure_openai",
                "anthropic",
                "google_ai_studio",
                "google_vertex",
                "aws_bedrock"
            })
    void sendAsyncGivesTheReplySendGives(String provider) throws Exception {
        Target target = target(provider);
        target.script().always(FakeResponse.ok("Hello there.").withUsage(12, 4, 0, 0));

        // Async first: for Vertex that is also the token fetched asynchronously, with nothing cached yet.
        ProviderReply async =
                target.adapter().sendAsync(target.attempt(), UNUSED).get(10, TimeUnit.SECONDS);
        ProviderReply blocking = target.adapter().send(target.attempt());

        assertThat(async.content()).isEqualTo("Hello there.");
        assertThat(async.usage().inputTokens()).isEqualTo(12);
        assertThat(withoutId(async)).isEqualTo(withoutId(blocking));
        assertThat(async.responseId() == null).isEqualTo(blocking.responseId() == null);
        assertThat(target.requestCount().getAsInt()).isEqualTo(2);
        if (provider.equals("google_vertex")) {
            assertThat(gemini.tokenRequestCount())
                    .as("one token, cached by the first call")
                    .isEqualTo(1);
            assertThat(gemini.requests())
                    .allSatisfy(r -> assertThat(r.attribute("tokenStatus")).isEqualTo("valid"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "openai",
                "openrouter",
                "azure_openai",
                "anthropic",
                "google_ai_studio",
                "google_vertex",
                "aws_bedrock"
            })
    void sendAsyncClassifiesFailuresAsSendDoes(String provider) throws Exception {
        Target target = target(provider);
        for (FakeResponse answer :
                new FakeResponse[] {FakeResponse.rateLimited(Duration.ofSeconds(3)), FakeResponse.serverError()}) {
            target.script().always(answer);

            ProviderException blocking = catchThrowableOfType(
                    ProviderException.class, () -> target.adapter().send(target.attempt()));
            Throwable async = failureOf(target.adapter().sendAsync(target.attempt(), UNUSED));

            assertThat(blocking).as(answer.toString()).isNotNull();
            assertThat(async).isInstanceOf(ProviderException.class);
            ProviderException failure = (ProviderException) async;
            assertThat(failure.type()).isEqualTo(blocking.type());
            assertThat(failure.httpStatus()).isEqualTo(blocking.httpStatus());
            assertThat(failure.retryAfter()).isEqualTo(blocking.retryAfter());
            assertThat(failure.getMessage()).isEqualTo(blocking.getMessage());
            assertThat(failure.type())
                    .isIn(ErrorType.RATE_LIMIT, ErrorType.QUOTA_EXHAUSTED, ErrorType.TRANSIENT_SERVER_ERROR);
        }
    }

    @Test
    void vertexSendAsyncDoesNotWaitForTheTokenRequest() throws Exception {
        Target target = target("google_vertex");
        gemini.tokenEndpoint().next(FakeResponse.serverError().delay(Duration.ofSeconds(1)));

        long start = System.nanoTime();
        CompletableFuture<ProviderReply> future = target.adapter().sendAsync(target.attempt(), UNUSED);
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(took).isLessThan(Duration.ofSeconds(1));
        Throwable failure = failureOf(future);
        assertThat(failure).isInstanceOf(ProviderException.class);
        assertThat(((ProviderException) failure).type()).isEqualTo(ErrorType.TRANSIENT_SERVER_ERROR);
        assertThat(failure.getMessage()).isEqualTo("token endpoint answered HTTP 500");
        assertThat(gemini.tokenRequestCount()).isEqualTo(1);
        assertThat(gemini.requestCount())
                .as("no generateContent without a token")
                .isZero();
    }

    @Test
    void vertexSendAsyncRenewsATokenTheApiRefusesOnce() throws Exception {
        Target target = target("google_vertex");
        target.script().always(FakeResponse.ok("again"));
        target.adapter().send(target.attempt());
        gemini.expireTokens(); // revoked early: the cache still thinks it fresh

        ProviderReply reply =
                target.adapter().sendAsync(target.attempt(), UNUSED).get(10, TimeUnit.SECONDS);

        assertThat(reply.content()).isEqualTo("again");
        assertThat(gemini.tokenRequestCount()).isEqualTo(2);
        assertThat(gemini.requests().get(1).attribute("tokenStatus")).isEqualTo("expired");
        assertThat(gemini.requests().get(2).attribute("tokenStatus")).isEqualTo("valid");
    }

    @Test
    void aRequestThatCannotBeBuiltFailsTheFutureInsteadOfThrowing() throws Exception {
        Target target = target("aws_bedrock");
        Attempt badCredentials = new Attempt(
                target.attempt().request(),
                target.attempt().key(),
                "not json",
                target.attempt().settings(),
                null,
                Duration.ofSeconds(5));

        Throwable failure = failureOf(target.adapter().sendAsync(badCredentials, UNUSED));

        assertThat(failure).isInstanceOf(ProviderException.class);
        assertThat(((ProviderException) failure).type()).isEqualTo(ErrorType.INVALID_AUTH);
        assertThat(bedrock.requestCount()).isZero();
    }
}
