package dev.llmrotate.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.llmrotate.LlmRotate;
import dev.llmrotate.MutableClock;
import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.chat.ChatResponse;
import dev.llmrotate.cloud.FakeCloudEndpoint.Reply;
import dev.llmrotate.config.CredentialEnvironment;
import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.config.SecretRef;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.testkit.FakeBedrockServer;
import dev.llmrotate.testkit.FakeResponse;
import dev.llmrotate.testkit.RecordedRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * aws_bedrock with {@code auth_method: default_chain} and {@code bedrock_api_key} over loopback: every source of the
 * AWS default chain yields credentials whose SigV4 signature the fake Bedrock server verifies (the testkit's
 * SigV4Verifier); temporary credentials are refreshed before they expire by the engine's clock and once after an
 * expired-token answer; a failing source sends the call to the next key; no secret reaches a message.
 */
class BedrockDefaultChainLoopbackTest {
    private static final String MODEL = "anthropic.claude-3-haiku-20240307-v1:0";
    private static final String STATIC_ID = "AKIASTATICEXAMPLE1";
    private static final String STATIC_SECRET = "static/secret+0123456789abcdefXYZ";
    private static final String ROLE = "arn:aws:iam::123456789012:role/bedrock-caller";

    @TempDir
    Path home;

    private FakeBedrockServer bedrock;
    private FakeCloudEndpoint cloud;
    private final Map<String, String> env = new HashMap<>();
    private final Map<String, String> properties = new HashMap<>();
    private final List<LlmRotate> engines = new ArrayList<>();
    private final MutableClock clock = MutableClock.atEpochDay();
    private final AtomicInteger issued = new AtomicInteger();

    @BeforeEach
    void start() {
        bedrock = FakeBedrockServer.start().acceptCredentials(STATIC_ID, STATIC_SECRET);
        cloud = FakeCloudEndpoint.start();
    }

    @AfterEach
    void stop() {
        engines.forEach(LlmRotate::close);
        bedrock.close();
        cloud.close();
    }

    private static KeySpec.Builder chainKey(String id) {
        return KeySpec.builder(id, "aws_bedrock")
                .authMethod("default_chain")
                .authConfig("region", "us-east-1")
                .models(MODEL);
    }

    private LlmRotate engine(KeySpec... keys) {
        LlmRotateConfig config = LlmRotateConfig.builder()
                .keys(List.of(keys))
                .provider(
                        "aws_bedrock",
                        s -> s.withBaseUrl(bedrock.baseUrl())
                                .withRequestTimeout(Duration.ofSeconds(2))
                                .withConnectTimeout(Duration.ofSeconds(1)))
                .strategy(SelectionStrategyType.PRIORITY)
                .defaults(d -> d.withBackoff(Duration.ofMillis(1), Duration.ofMillis(5))
                        .withCallDeadline(Duration.ofSeconds(8))
                        .withMaxWaitForKey(Duration.ZERO)
                        .withWaitBeforeFallback(Duration.ZERO))
                .build();
        LlmRotate engine = LlmRotate.builder()
                .config(config)
                .clock(clock)
                .credentialEnvironment(CredentialEnvironment.of(env, properties, home))
                .build();
        engines.add(engine);
        return engine;
    }

    private static ChatResponse hi(LlmRotate engine) {
        return engine.chat(MODEL, List.of(ChatMessage.user("Hi")));
    }

    /** Temporary credentials number n, accepted by Bedrock. */
    private String[] temporary(int n) {
        String[] credentials = {
            "ASIATEMP" + n + "EXAMPLE", "temp/secret+" + n + "abcdefghijklmnop", "IQoJFAKE" + n + "token=="
        };
        bedrock.acceptCredentials(credentials[0], credentials[1], credentials[2]);
        return credentials;
    }

    private String stsXml(String action, String[] c, Instant expiration) {
        return "<" + action + "Response><" + action + "Result><Credentials><AccessKeyId>" + c[0]
                + "</AccessKeyId><SecretAccessKey>" + c[1] + "</SecretAccessKey><SessionToken>" + c[2]
                + "</SessionToken><Expiration>" + expiration + "</Expiration></Credentials></" + action
                + "Result></" + action + "Response>";
    }

    private String metadataJson(String[] c, Instant expiration) {
        return "{\"Code\":\"Success\",\"Type\":\"AWS-HMAC\",\"AccessKeyId\":\"" + c[0] + "\",\"SecretAccessKey\":\""
                + c[1] + "\",\"Token\":\"" + c[2] + "\",\"Expiration\":\"" + expiration + "\"}";
    }

    @Test
    void environmentVariablesSignTheRequestAndTheKeyIsShownAsTheChain() {
        env.put("AWS_ACCESS_KEY_ID", STATIC_ID);
        env.put("AWS_SECRET_ACCESS_KEY", STATIC_SECRET);

        ChatResponse response = hi(engine(chainKey("chain-1").build()));

        RecordedRequest sent = bedrock.requests().get(0);
        assertThat(sent.apiKey()).isEqualTo(STATIC_ID);
        assertThat(sent.attributes()).containsEntry("service", "bedrock").containsEntry("region", "us-east-1");
        assertThat(response.keyMask()).isEqualTo("default_chain");
    }

    @Test
    void systemPropertiesComeBeforeEnvironmentVariables() {
        properties.put("aws.accessKeyId", STATIC_ID);
        properties.put("aws.secretAccessKey", STATIC_SECRET);
        env.put("AWS_ACCESS_KEY_ID", "AKIANOTACCEPTED0001");
        env.put("AWS_SECRET_ACCESS_KEY", "wrong/secret+0123456789");

        hi(engine(chainKey("chain-1").build()));

        assertThat(bedrock.requests().get(0).apiKey()).isEqualTo(STATIC_ID);
    }

    @Test
    void aNamedProfileOfTheSharedFilesServesEachKeyOfThePool() throws Exception {
        String[] other = temporary(9);
        Files.createDirectories(home.resolve(".aws"));
        Files.writeString(
                home.resolve(".aws/credentials"),
                "# comment\n[default]\naws_access_key_id = AKIADEFAULTNOTUSED1\naws_secret_access_key = x\n\n[prod]\n"
                        + "aws_access_key_id = " + STATIC_ID + "\naws_secret_access_key = " + STATIC_SECRET + "\n");
        Files.writeString(
                home.resolve(".aws/config"),
                "[profile staging]\naws_access_key_id = " + other[0] + "\naws_secret_access_key = " + other[1]
                        + "\naws_session_token = " + other[2] + "\nregion = eu-west-1\n");
        bedrock.forKey(STATIC_ID).always(FakeResponse.rateLimited(Duration.ofSeconds(30)));

        LlmRotate engine = engine(
                chainKey("prod").authConfig("profile", "prod").priority(2).build(),
                chainKey("staging").authConfig("profile", "staging").build());
        ChatResponse response = hi(engine);

        assertThat(response.keyId()).isEqualTo("staging");
        assertThat(response.keyMask()).isEqualTo("default_chain profile staging");
        assertThat(bedrock.requests()).extracting(RecordedRequest::apiKey).containsExactly(STATIC_ID, other[0]);
    }

    @Test
    void aWebIdentityTokenIsExchangedAtStsAndTheCredentialsAreRefreshedBeforeTheyExpire() throws Exception {
        Path token = Files.writeString(home.resolve("eks-token"), "eyJhbGciOiJSUzI1NiJ9.irsa.sig\n");
        env.put("AWS_WEB_IDENTITY_TOKEN_FILE", token.toString());
        env.put("AWS_ROLE_ARN", ROLE);
        env.put("AWS_ROLE_SESSION_NAME", "pod-1");
        env.put("AWS_ENDPOINT_URL_STS", "http://" + cloud.hostPort());
        cloud.on(
                "POST",
                "/",
                seen -> seen.body().contains("Action=AssumeRoleWithWebIdentity")
                                && seen.body().contains("WebIdentityToken=eyJhbGciOiJSUzI1NiJ9.irsa.sig")
                                && seen.body().contains("RoleSessionName=pod-1")
                                && seen.header("Authorization") == null
                        ? Reply.ok(stsXml(
                                "AssumeRoleWithWebIdentity",
                                temporary(issued.incrementAndGet()),
                                clock.instant().plus(Duration.ofHours(1))))
                        : Reply.status(
                                400,
                                "<ErrorResponse><Error><Code>InvalidIdentityToken</Code></Error></ErrorResponse>"));
        LlmRotate engine = engine(chainKey("irsa").build());

        hi(engine);
        clock.advance(Duration.ofMinutes(54).plusSeconds(59));
        hi(engine);
        assertThat(cloud.count("POST", "/")).isEqualTo(1);
        clock.advance(Duration.ofSeconds(1));
        hi(engine);

        assertThat(cloud.count("POST", "/"))
                .as("refreshed five minutes before expiry")
                .isEqualTo(2);
        assertThat(bedrock.requests())
                .extracting(RecordedRequest::apiKey)
                .containsExactly("ASIATEMP1EXAMPLE", "ASIATEMP1EXAMPLE", "ASIATEMP2EXAMPLE");
        assertThat(bedrock.requests().get(2).header("x-amz-security-token")).isEqualTo("IQoJFAKE2token==");
    }

    @Test
    void aProfileRoleIsAssumedWithItsSourceProfileSigningTheStsCall() throws Exception {
        Files.createDirectories(home.resolve(".aws"));
        Files.writeString(
                home.resolve(".aws/config"),
                "[profile base]\naws_access_key_id = " + STATIC_ID + "\naws_secret_access_key = " + STATIC_SECRET
                        + "\n[profile bedrock]\nrole_arn = " + ROLE + "\nsource_profile = base\nexternal_id = ext-1\n");
        env.put("AWS_ENDPOINT_URL_STS", "http://" + cloud.hostPort());
        cloud.on(
                "POST",
                "/",
                seen -> seen.body().contains("Action=AssumeRole&")
                                && seen.body().contains("ExternalId=ext-1")
                                && seen.header("Authorization")
                                        .contains("Credential=" + STATIC_ID + "/20261125/us-east-1/sts/")
                        ? Reply.ok(stsXml(
                                "AssumeRole", temporary(1), clock.instant().plus(Duration.ofHours(1))))
                        : Reply.status(403, "<ErrorResponse><Error><Code>AccessDenied</Code></Error></ErrorResponse>"));

        ChatResponse response =
                hi(engine(chainKey("role").authConfig("profile", "bedrock").build()));

        assertThat(bedrock.requests().get(0).apiKey()).isEqualTo("ASIATEMP1EXAMPLE");
        assertThat(response.keyMask()).isEqualTo("default_chain profile bedrock");
    }

    @Test
    void aCredentialProcessPrintsTheCredentials() throws Exception {
        Path script = home.resolve("creds.sh");
        Files.writeString(
                script,
                "#!/bin/sh\necho 'leaked to stderr " + STATIC_SECRET
                        + "' >&2\necho '{\"Version\": 1, \"AccessKeyId\": \"" + STATIC_ID
                        + "\", \"SecretAccessKey\": \"" + STATIC_SECRET + "\"}'\n");
        Files.createDirectories(home.resolve(".aws"));
        Files.writeString(home.resolve(".aws/config"), "[default]\ncredential_process = sh " + script + "\n");

        hi(engine(chainKey("process").build()));

        assertThat(bedrock.requests().get(0).apiKey()).isEqualTo(STATIC_ID);
    }

    @Test
    void containerCredentialsWithAnAuthorizationTokenFile() throws Exception {
        Path tokenFile = Files.writeString(home.resolve("eks-pod-identity-token"), "pod-identity-token-abc\n");
        env.put(
                "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                cloud.url("/v1/credentials").toString());
        env.put("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", tokenFile.toString());
        cloud.on(
                "GET",
                "/v1/credentials",
                seen -> "pod-identity-token-abc".equals(seen.header("Authorization"))
                        ? Reply.ok(metadataJson(temporary(1), clock.instant().plus(Duration.ofHours(6))))
                        : Reply.status(401, "{}"));

        hi(engine(chainKey("ecs").build()));

        assertThat(bedrock.requests().get(0).apiKey()).isEqualTo("ASIATEMP1EXAMPLE");
    }

    @Test
    void instanceMetadataV2AndAnExpiredTokenAnswerRenewingTheCredentialsOnce() {
        env.put("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://" + cloud.hostPort());
        cloud.on(
                "PUT",
                "/latest/api/token",
                seen -> "21600".equals(seen.header("x-aws-ec2-metadata-token-ttl-seconds"))
                        ? Reply.ok("imds-session-token")
                        : Reply.status(400, ""));
        cloud.on(
                "GET",
                "/latest/meta-data/iam/security-credentials/",
                seen -> "imds-session-token".equals(seen.header("x-aws-ec2-metadata-token"))
                        ? Reply.ok("bedrock-instance-role\n")
                        : Reply.status(401, ""));
        cloud.on(
                "GET",
                "/latest/meta-data/iam/security-credentials/bedrock-instance-role",
                seen -> "imds-session-token".equals(seen.header("x-aws-ec2-metadata-token"))
                        ? Reply.ok(metadataJson(
                                temporary(issued.incrementAndGet()),
                                clock.instant().plus(Duration.ofHours(6))))
                        : Reply.status(401, ""));
        bedrock.forKey("ASIATEMP1EXAMPLE")
                .always(FakeResponse.error(
                        403, "ExpiredTokenException", null, "The security token included in the request is expired"));

        ChatResponse response = hi(engine(chainKey("ec2").build()));

        assertThat(response.attempts()).as("renewed within the attempt").isEqualTo(1);
        assertThat(bedrock.requests())
                .extracting(RecordedRequest::apiKey)
                .containsExactly("ASIATEMP1EXAMPLE", "ASIATEMP2EXAMPLE");
    }

    @Test
    void anAsynchronousCallRenewsExpiredCredentialsOnceToo() {
        env.put("AWS_CONTAINER_CREDENTIALS_FULL_URI", cloud.url("/creds").toString());
        cloud.on(
                "GET",
                "/creds",
                seen -> Reply.ok(metadataJson(
                        temporary(issued.incrementAndGet()), clock.instant().plus(Duration.ofHours(6)))));
        bedrock.forKey("ASIATEMP1EXAMPLE")
                .always(FakeResponse.error(
                        403, "ExpiredTokenException", null, "The security token included in the request is expired"));

        ChatResponse response = engine(chainKey("ecs").build())
                .chatAsync(dev.llmrotate.chat.ChatRequest.builder(MODEL)
                        .messages(ChatMessage.user("Hi"))
                        .build())
                .join();

        assertThat(response.attempts()).isEqualTo(1);
        assertThat(cloud.count("GET", "/creds")).isEqualTo(2);
    }

    @Test
    void anInstanceMetadataServiceThatIsDownSendsTheCallToTheNextKey() {
        env.put("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:1");
        KeySpec explicit = KeySpec.builder("explicit", "aws_bedrock")
                .secretRef(SecretRef.parse(
                        "env://CREDS",
                        Map.of(
                                "CREDS",
                                "{\"access_key_id\":\"" + STATIC_ID + "\",\"secret_access_key\":\"" + STATIC_SECRET
                                        + "\"}")::get))
                .authConfig("region", "us-east-1")
                .models(MODEL)
                .build();
        LlmRotate engine = engine(chainKey("chain").priority(2).build(), explicit);

        ChatResponse response = hi(engine);

        assertThat(response.keyId()).isEqualTo("explicit");
        assertThat(engine.health().keys().get(0).lastErrorType()).isEqualTo("connection_error");
    }

    @Test
    void withoutAnySourceTheErrorSaysWhereItLooked() {
        env.put("AWS_EC2_METADATA_DISABLED", "true");

        assertThatThrownBy(() -> hi(engine(chainKey("chain").build())))
                .hasMessageContaining("no AWS credentials found for key chain")
                .hasMessageContaining("no AWS_ACCESS_KEY_ID")
                .hasMessageContaining(home.resolve(".aws/credentials").toString())
                .hasMessageContaining("instance metadata is disabled");
    }

    @Test
    void anSsoProfileIsRefusedWithAHint() throws Exception {
        Files.createDirectories(home.resolve(".aws"));
        Files.writeString(
                home.resolve(".aws/config"),
                "[profile dev]\nsso_session = corp\nsso_account_id = 123456789012\n[sso-session corp]\n"
                        + "sso_start_url = https://corp.awsapps.com/start\n");

        assertThatThrownBy(() ->
                        hi(engine(chainKey("sso").authConfig("profile", "dev").build())))
                .hasMessageContaining("profile 'dev' uses IAM Identity Center (SSO)")
                .hasMessageContaining("credential_process = aws configure export-credentials --profile dev");
    }

    @Test
    void hostileMetadataAnswersGiveClearErrorsWithoutSecrets() {
        env.put("AWS_CONTAINER_CREDENTIALS_FULL_URI", cloud.url("/creds").toString());

        cloud.on("GET", "/creds", seen -> Reply.ok("{\"AccessKeyId\":\"" + "A".repeat(100_000) + "\"}"));
        assertThatThrownBy(() -> hi(engine(chainKey("huge").build())))
                .hasMessageContaining("the container credentials endpoint (" + cloud.url("/creds") + ") answered more"
                        + " than 65536 bytes");

        cloud.on(
                "GET",
                "/creds",
                seen -> Reply.ok("{\"AccessKeyId\":\"" + STATIC_ID + "\",\"SecretAccessKey\":\"" + STATIC_SECRET
                        + "\",\"Token\":\"bad\\ntoken-secret-value\"}"));
        Throwable badToken = catchThrowable(() -> hi(engine(chainKey("newline").build())));
        assertThat(badToken.getMessage())
                .contains("session_token contains a character not allowed in an HTTP header")
                .doesNotContain(STATIC_SECRET, "token-secret-value");

        cloud.on("GET", "/creds", seen -> new Reply(200, "{}", Duration.ofSeconds(4)));
        assertThatThrownBy(() -> hi(engine(chainKey("slow").build()))).hasMessageContaining("did not answer");
    }

    @Test
    void aBedrockApiKeyIsSentAsABearerTokenInsteadOfASignature() {
        String apiKey = "ABSKQmVkcm9ja0FQSUtleS1leGFtcGxlLWtleQ==";
        bedrock.acceptApiKey(apiKey);
        KeySpec key = KeySpec.builder("api", "aws_bedrock")
                .authMethod("bedrock_api_key")
                .secretRef(SecretRef.parse(
                        "env://AWS_BEARER_TOKEN_BEDROCK", Map.of("AWS_BEARER_TOKEN_BEDROCK", apiKey)::get))
                .authConfig("region", "us-east-1")
                .models(MODEL)
                .build();

        ChatResponse response = hi(engine(key));

        RecordedRequest sent = bedrock.requests().get(0);
        assertThat(sent.header("authorization")).isEqualTo("Bearer " + apiKey);
        assertThat(sent.header("x-amz-date")).isNull();
        assertThat(sent.attribute("auth")).isEqualTo("api_key");
        assertThat(response.keyMask()).isEqualTo("ABS…eQ==").doesNotContain(apiKey);
    }

    @Test
    void aBedrockApiKeyWithoutSecretRefIsReadFromAwsBearerTokenBedrock() {
        KeySpec key = KeySpec.builder("api", "aws_bedrock")
                .authMethod("bedrock_api_key")
                .authConfig("region", "us-east-1")
                .models(MODEL)
                .build();

        assertThat(key.secretRef()).isEqualTo(SecretRef.env("AWS_BEARER_TOKEN_BEDROCK"));
    }

    @Test
    void noSecretOfAChainSourceReachesAMessageTheHealthReportOrToString() throws Exception {
        env.put("AWS_ENDPOINT_URL_STS", "http://" + cloud.hostPort());
        Files.createDirectories(home.resolve(".aws"));
        Files.writeString(
                home.resolve(".aws/credentials"),
                "[base]\naws_access_key_id = " + STATIC_ID + "\naws_secret_access_key = " + STATIC_SECRET + "\n");
        cloud.on(
                "POST",
                "/",
                seen -> Reply.status(
                        403,
                        "<ErrorResponse><Error><Code>AccessDenied</Code><Message>" + STATIC_SECRET
                                + "</Message></Error></ErrorResponse>"));
        LlmRotate engine = engine(chainKey("role")
                .authConfig("profile", "base")
                .authConfig("role_arn", ROLE)
                .build());

        Throwable thrown = catchThrowable(() -> hi(engine));

        assertThat(thrown.getMessage())
                .contains("STS AssumeRole")
                .contains("AccessDenied")
                .contains(ROLE);
        String everything =
                thrown.getMessage() + engine.health() + engine.config().keys() + engine.config();
        assertThat(everything).doesNotContain(STATIC_SECRET);
        assertThat(engine.health().keys().get(0).keyMask()).isEqualTo("default_chain profile base role " + ROLE);
    }
}
