package dev.llmrotate.cloud;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import dev.llmrotate.error.LlmRotateException;
import dev.llmrotate.testkit.FakeGeminiServer;
import dev.llmrotate.testkit.RecordedRequest;
import dev.llmrotate.testkit.ServiceAccounts;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * google_vertex with {@code auth_method: adc} over loopback: each source of Application Default Credentials (the
 * metadata server, GOOGLE_APPLICATION_CREDENTIALS, gcloud's file, impersonation, workload identity federation) gets a
 * token that the fake Vertex server accepts; tokens are refreshed before they expire by the engine's clock; a source
 * that fails sends the call to the next key; no secret reaches a message.
 */
class VertexAdcLoopbackTest {
    private static final String MODEL = "gemini-2.5-flash";
    private static final String VM_ACCOUNT = "vm@proj.iam.gserviceaccount.com";

    @TempDir
    Path home;

    private FakeGeminiServer gemini;
    private FakeCloudEndpoint cloud;
    private final Map<String, String> env = new HashMap<>();
    private final List<LlmRotate> engines = new ArrayList<>();
    // The fake OAuth endpoint checks assertions against the wall clock: start there.
    private final MutableClock clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));

    @BeforeEach
    void start() {
        gemini = FakeGeminiServer.start();
        cloud = FakeCloudEndpoint.start();
    }

    @AfterEach
    void stop() {
        engines.forEach(LlmRotate::close);
        gemini.close();
        cloud.close();
    }

    private KeySpec.Builder adcKey(String id) {
        return KeySpec.builder(id, "google_vertex")
                .authMethod("adc")
                .authConfig("project", "proj")
                .authConfig("region", "us-central1")
                .models(MODEL);
    }

    private LlmRotate engine(KeySpec... keys) {
        LlmRotateConfig config = LlmRotateConfig.builder()
                .keys(List.of(keys))
                .provider(
                        "google_vertex",
                        s -> s.withBaseUrl(URI.create(gemini.baseUrl() + "/v1"))
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
                .credentialEnvironment(CredentialEnvironment.of(env, Map.of("os.name", "Linux"), home))
                .build();
        engines.add(engine);
        return engine;
    }

    private void metadataServerIssues(String account, long expiresIn) {
        env.put("GCE_METADATA_HOST", cloud.hostPort());
        cloud.on("GET", "/computeMetadata/v1/instance/service-accounts/default/token", seen -> {
            if (!"Google".equals(seen.header("Metadata-Flavor"))) {
                return Reply.status(403, "missing Metadata-Flavor");
            }
            return Reply.ok("{\"access_token\":\"" + gemini.issueAccessToken(account, Duration.ofHours(1))
                    + "\",\"expires_in\":" + expiresIn + ",\"token_type\":\"Bearer\"}");
        });
    }

    private long metadataFetches() {
        return cloud.count("GET", "/computeMetadata/v1/instance/service-accounts/default/token");
    }

    private static ChatResponse hi(LlmRotate engine) {
        return engine.chat(MODEL, List.of(ChatMessage.user("Hi")));
    }

    @Test
    void theMetadataServerTokenReachesVertexAndTheKeyIsShownAsAdc() {
        metadataServerIssues(VM_ACCOUNT, 3600);
        LlmRotate engine = engine(adcKey("adc-1").build());

        ChatResponse response = hi(engine);

        assertThat(response.keyId()).isEqualTo("adc-1");
        assertThat(response.keyMask()).isEqualTo("adc");
        RecordedRequest sent = gemini.requests().get(0);
        assertThat(sent.attribute("tokenStatus")).isEqualTo("valid");
        assertThat(sent.apiKey()).isEqualTo(VM_ACCOUNT);
        assertThat(engine.health().toString()).contains("adc").doesNotContain("ya29.");
    }

    @Test
    void theTokenIsRefreshedFiveMinutesBeforeItExpiresByTheEngineClock() {
        metadataServerIssues(VM_ACCOUNT, 3600);
        LlmRotate engine = engine(adcKey("adc-1").build());

        hi(engine);
        hi(engine);
        assertThat(metadataFetches()).isEqualTo(1);
        clock.advance(Duration.ofMinutes(54).plusSeconds(59));
        hi(engine);
        assertThat(metadataFetches()).as("not yet due").isEqualTo(1);
        clock.advance(Duration.ofSeconds(1));
        hi(engine);
        assertThat(metadataFetches()).as("due five minutes before expiry").isEqualTo(2);
    }

    @Test
    void aTokenTheApiRefusesIsFetchedAgainOnce() {
        metadataServerIssues(VM_ACCOUNT, 3600);
        LlmRotate engine = engine(adcKey("adc-1").build());
        hi(engine);

        gemini.expireTokens();
        ChatResponse response = hi(engine);

        assertThat(response.attempts()).isEqualTo(1);
        assertThat(metadataFetches()).isEqualTo(2);
    }

    @Test
    void googleApplicationCredentialsNamesAServiceAccountFile() throws Exception {
        ServiceAccounts.ServiceAccount account = gemini.newServiceAccount("file@proj.iam.gserviceaccount.com");
        Path file = home.resolve("sa.json");
        Files.writeString(file, account.json());
        env.put("GOOGLE_APPLICATION_CREDENTIALS", file.toString());
        env.put("GCE_METADATA_HOST", cloud.hostPort()); // never asked: the file comes first

        hi(engine(adcKey("adc-1")
                .authConfig("token_uri", gemini.tokenUrl().toString())
                .build()));

        assertThat(gemini.requests().get(0).apiKey()).isEqualTo("file@proj.iam.gserviceaccount.com");
        assertThat(metadataFetches()).isZero();
    }

    @Test
    void gcloudsWellKnownFileWithAnAuthorizedUserAndItsQuotaProject() throws Exception {
        Path gcloud = Files.createDirectories(home.resolve(".config/gcloud"));
        Files.writeString(
                gcloud.resolve("application_default_credentials.json"),
                "{\"type\":\"authorized_user\",\"client_id\":\"cid.apps.googleusercontent.com\","
                        + "\"client_secret\":\"d-FL95Q19q7MQmFpd7hHD0Ty\",\"refresh_token\":\"1//0refresh-secret-abc\","
                        + "\"quota_project_id\":\"billing-proj\"}");
        cloud.on("POST", "/token", seen -> {
            Map<String, String> form = form(seen.body());
            return form.get("grant_type").equals("refresh_token")
                            && form.get("refresh_token").equals("1//0refresh-secret-abc")
                    ? Reply.ok("{\"access_token\":\"" + gemini.issueAccessToken("user@example.com", Duration.ofHours(1))
                            + "\",\"expires_in\":3599}")
                    : Reply.status(400, "{\"error\":\"invalid_grant\"}");
        });

        hi(engine(adcKey("adc-1")
                .authConfig("token_uri", cloud.url("/token").toString())
                .build()));

        RecordedRequest sent = gemini.requests().get(0);
        assertThat(sent.apiKey()).isEqualTo("user@example.com");
        assertThat(sent.header("x-goog-user-project")).isEqualTo("billing-proj");
    }

    @Test
    void impersonationTradesTheFoundTokenForTheTargetAccounts() {
        metadataServerIssues(VM_ACCOUNT, 3600);
        String target = "target@proj.iam.gserviceaccount.com";
        cloud.on("POST", "/v1/projects/-/serviceAccounts/" + target + ":generateAccessToken", seen -> {
            boolean sourceToken = seen.header("Authorization").startsWith("Bearer ya29.fake-");
            return sourceToken && seen.body().contains("cloud-platform")
                    ? Reply.ok("{\"accessToken\":\"" + gemini.issueAccessToken(target, Duration.ofHours(1))
                            + "\",\"expireTime\":\"" + clock.instant().plus(Duration.ofHours(1)) + "\"}")
                    : Reply.status(401, "{}");
        });

        LlmRotate engine = engine(adcKey("adc-1")
                .authConfig("impersonate_service_account", target)
                .authConfig("iam_endpoint", "http://" + cloud.hostPort())
                .build());
        ChatResponse response = hi(engine);

        assertThat(gemini.requests().get(0).apiKey()).isEqualTo(target);
        assertThat(response.keyMask()).isEqualTo("adc as " + target);
    }

    @Test
    void workloadIdentityFederationExchangesAFileSourcedSubjectToken() throws Exception {
        Path subject = home.resolve("oidc-token");
        Files.writeString(subject, "eyJhbGciOiJSUzI1NiJ9.subject.sig\n");
        Path file = home.resolve("wif.json");
        Files.writeString(
                file,
                "{\"type\":\"external_account\",\"audience\":\"//iam.googleapis.com/projects/1/locations/global/"
                        + "workloadIdentityPools/p/providers/gh\",\"subject_token_type\":"
                        + "\"urn:ietf:params:oauth:token-type:jwt\",\"token_url\":\"" + cloud.url("/v1/token")
                        + "\",\"credential_source\":{\"file\":\"" + subject + "\"}}");
        env.put("GOOGLE_APPLICATION_CREDENTIALS", file.toString());
        cloud.on("POST", "/v1/token", seen -> {
            Map<String, String> form = form(seen.body());
            return form.get("subject_token").equals("eyJhbGciOiJSUzI1NiJ9.subject.sig")
                            && form.get("grant_type").equals("urn:ietf:params:oauth:grant-type:token-exchange")
                    ? Reply.ok("{\"access_token\":\"" + gemini.issueAccessToken("principal://gh", Duration.ofHours(1))
                            + "\",\"expires_in\":3600,\"issued_token_type\":"
                            + "\"urn:ietf:params:oauth:token-type:access_token\"}")
                    : Reply.status(400, "{\"error\":\"invalid_grant\"}");
        });

        hi(engine(adcKey("adc-1").build()));

        assertThat(gemini.requests().get(0).apiKey()).isEqualTo("principal://gh");
    }

    @Test
    void aMetadataServerThatIsDownSendsTheCallToTheNextKey() {
        ServiceAccounts.ServiceAccount account = gemini.newServiceAccount("backup@proj.iam.gserviceaccount.com");
        env.put("GCE_METADATA_HOST", "127.0.0.1:1"); // nothing listens there
        KeySpec backup = KeySpec.builder("sa-2", "google_vertex")
                .secretRef(SecretRef.parse("env://SA", Map.of("SA", account.json())::get))
                .authConfig("project", "proj")
                .authConfig("region", "us-central1")
                .authConfig("token_uri", gemini.tokenUrl().toString())
                .models(MODEL)
                .build();
        LlmRotate engine = engine(adcKey("adc-1").priority(2).build(), backup);

        ChatResponse response = hi(engine);

        assertThat(response.keyId()).isEqualTo("sa-2");
        assertThat(response.attempts()).isEqualTo(2);
        assertThat(engine.health().keys().get(0).lastErrorType()).isEqualTo("connection_error");
    }

    @Test
    void withoutAnySourceTheErrorSaysWhereItLooked() {
        env.put("GCE_METADATA_HOST", "127.0.0.1:1");

        assertThatThrownBy(() -> hi(engine(adcKey("adc-1").build())))
                .isInstanceOf(LlmRotateException.class)
                .hasMessageContaining("no Google credentials found for key adc-1")
                .hasMessageContaining("GOOGLE_APPLICATION_CREDENTIALS is not set")
                .hasMessageContaining(home.resolve(".config/gcloud/application_default_credentials.json")
                        .toString())
                .hasMessageContaining("the GCE metadata server (http://127.0.0.1:1/");
    }

    @Test
    void hostileMetadataAnswersGiveClearErrors() {
        env.put("GCE_METADATA_HOST", cloud.hostPort());
        String path = "/computeMetadata/v1/instance/service-accounts/default/token";

        cloud.on("GET", path, seen -> Reply.ok("x".repeat(200_000)));
        assertThatThrownBy(() -> hi(engine(adcKey("huge").build())))
                .hasMessageContaining("answered more than 65536 bytes");

        cloud.on("GET", path, seen -> Reply.ok("<html>not json</html>"));
        assertThatThrownBy(() -> hi(engine(adcKey("malformed").build())))
                .hasMessageContaining(
                        "the GCE metadata server (http://" + cloud.hostPort() + path + ") answered no" + " JSON");

        cloud.on("GET", path, seen -> Reply.ok("{\"access_token\":\"ya29.bad\\ntoken\",\"expires_in\":3600}"));
        assertThatThrownBy(() -> hi(engine(adcKey("newline").build())))
                .hasMessageContaining("access token contains a character not allowed in an HTTP header")
                .hasMessageNotContaining("ya29.bad");

        cloud.on("GET", path, seen -> new Reply(200, "{}", Duration.ofSeconds(4)));
        assertThatThrownBy(() -> hi(engine(adcKey("slow").build()))).hasMessageContaining("did not answer");
    }

    @Test
    void noSecretOfAnAdcSourceReachesAMessageOrTheHealthReport() throws Exception {
        Path gcloud = Files.createDirectories(home.resolve(".config/gcloud"));
        Files.writeString(
                gcloud.resolve("application_default_credentials.json"),
                "{\"type\":\"authorized_user\",\"client_id\":\"cid\",\"client_secret\":\"client-secret-XYZ123\","
                        + "\"refresh_token\":\"1//0refresh-secret-abc\"}");
        cloud.on(
                "POST",
                "/token",
                seen -> Reply.status(
                        400,
                        "{\"error\":\"invalid_grant\",\"error_description\":\"Bad 1//0refresh-secret-abc"
                                + " client-secret-XYZ123\"}"));
        LlmRotate engine = engine(adcKey("adc-1")
                .authConfig("token_uri", cloud.url("/token").toString())
                .build());

        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> hi(engine));

        String everything =
                thrown.getMessage() + engine.health() + engine.config().keys();
        assertThat(thrown.getMessage()).contains("the OAuth token endpoint").contains("invalid_grant");
        assertThat(everything).doesNotContain("1//0refresh-secret-abc", "client-secret-XYZ123");
    }

    private static Map<String, String> form(String body) {
        Map<String, String> form = new HashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            form.put(
                    URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return form;
    }
}
