package dev.llmrotate.testkit;

import static dev.llmrotate.testkit.GeminiServerTest.BODY;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Vertex AI paths and the fake OAuth token endpoint: JWT verification, issued tokens, expiry, scripting. */
class VertexAuthTest {

    static final String SCOPE = "https://www.googleapis.com/auth/cloud-platform";
    static final String EMAIL = "rotate-1@my-project.iam.gserviceaccount.com";

    /** RSA key generation takes a while; one account's key pair serves every test (each server registers it). */
    static ServiceAccounts.ServiceAccount keys;

    private final FakeGeminiServer server = FakeGeminiServer.start();
    private final TestClient client = new TestClient();
    private ServiceAccounts.ServiceAccount account;

    @BeforeAll
    static void generateKeys() {
        keys = ServiceAccounts.generate(EMAIL);
    }

    @AfterEach
    void close() {
        server.close();
    }

    /** The shared key pair, with this server's token endpoint as its token_uri and audience. */
    private ServiceAccounts.ServiceAccount account() {
        if (account == null) {
            account = new ServiceAccounts.ServiceAccount(
                    EMAIL, keys.projectId(), keys.privateKeyId(), keys.keyPair(), server.tokenUrl(), keys.json());
            server.acceptServiceAccount(EMAIL, account.publicKey());
        }
        return account;
    }

    private HttpResponse<String> token(String form) {
        return client.send(HttpRequest.newBuilder(server.tokenUrl())
                .header("content-type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .build());
    }

    private HttpResponse<String> exchange(String assertion) {
        return token("grant_type=" + URLEncoder.encode(OAuthTokenEndpoint.JWT_BEARER, StandardCharsets.UTF_8)
                + "&assertion=" + URLEncoder.encode(assertion, StandardCharsets.UTF_8));
    }

    private String accessToken() {
        HttpResponse<String> response = exchange(account().assertion(SCOPE, Instant.now(), Duration.ofHours(1)));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return TestClient.json(response).path("access_token").asText();
    }

    private HttpResponse<String> vertex(String token) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(
                        server.vertexGenerateContentUrl("my-project", "europe-west4", "gemini-2.5-pro"))
                .header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(BODY));
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        return client.send(builder.build());
    }

    @Test
    void aValidAssertionIsExchangedForABearerToken() {
        HttpResponse<String> response = exchange(account().assertion(SCOPE, Instant.now(), Duration.ofHours(1)));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type"))
                .hasValueSatisfying(type -> assertThat(type).startsWith("application/json"));
        JsonNode body = TestClient.json(response);
        assertThat(body.path("access_token").asText()).startsWith("ya29.fake-");
        assertThat(body.path("expires_in").asInt()).isEqualTo(3600);
        assertThat(body.path("token_type").asText()).isEqualTo("Bearer");
        assertThat(server.tokenRequestCount()).isEqualTo(1);
        assertThat(server.requests())
                .as("token requests are not model requests")
                .isEmpty();
    }

    @Test
    void tokenLifetimeIsConfigurable() {
        server.tokenExpiresIn(Duration.ofSeconds(120));

        HttpResponse<String> response = exchange(account().assertion(SCOPE, Instant.now(), Duration.ofHours(1)));

        assertThat(TestClient.json(response).path("expires_in").asInt()).isEqualTo(120);
    }

    @Test
    void vertexRequestWithAnIssuedTokenIsAnsweredAndRecordedAsTheServiceAccount() {
        String token = accessToken();

        HttpResponse<String> response = vertex(token);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(TestClient.json(response)
                        .path("candidates")
                        .path(0)
                        .path("content")
                        .path("parts")
                        .path(0)
                        .path("text")
                        .asText())
                .isEqualTo("fake reply");
        RecordedRequest request = server.requests().get(0);
        assertThat(request.apiKey()).isEqualTo(EMAIL);
        assertThat(request.header("authorization")).isEqualTo("Bearer " + token);
        assertThat(request.model()).isEqualTo("gemini-2.5-pro");
        assertThat(request.attribute("api")).isEqualTo("vertex");
        assertThat(request.attribute("project")).isEqualTo("my-project");
        assertThat(request.attribute("region")).isEqualTo("europe-west4");
        assertThat(request.attribute("version")).isEqualTo("v1");
        assertThat(request.attribute("serviceAccount")).isEqualTo(EMAIL);
        assertThat(request.attribute("tokenStatus")).isEqualTo("valid");
        assertThat(server.requestCount(EMAIL)).isEqualTo(1);
    }

    @Test
    void serviceAccountScriptsSelectRequestsByAccount() {
        server.forServiceAccount(EMAIL).always(FakeResponse.rateLimited(Duration.ofSeconds(5)));

        HttpResponse<String> response = vertex(accessToken());

        assertThat(response.statusCode()).isEqualTo(429);
        assertThat(TestClient.json(response).path("error").path("status").asText())
                .isEqualTo("RESOURCE_EXHAUSTED");
    }

    @Test
    void unscriptedVertexRequestsWithoutAValidIssuedTokenGetUnauthenticated() {
        HttpResponse<String> missing = vertex(null);
        HttpResponse<String> unknown = vertex("ya29.not-issued-here");

        for (HttpResponse<String> response : List.of(missing, unknown)) {
            assertThat(response.statusCode()).isEqualTo(401);
            JsonNode error = TestClient.json(response).path("error");
            assertThat(error.path("code").asInt()).isEqualTo(401);
            assertThat(error.path("status").asText()).isEqualTo("UNAUTHENTICATED");
        }
        assertThat(TestClient.json(missing)
                        .path("error")
                        .path("details")
                        .path(0)
                        .path("reason")
                        .asText())
                .isEqualTo("CREDENTIALS_MISSING");
        assertThat(server.requests())
                .extracting(r -> r.attribute("tokenStatus"))
                .containsExactly("missing", "unknown");
        assertThat(server.requests().get(1).apiKey()).isEqualTo("ya29.not-issued-here");
    }

    @Test
    void expiredTokensAreRejectedUntilTheClientFetchesANewOne() {
        String token = accessToken();
        assertThat(vertex(token).statusCode()).isEqualTo(200);

        server.expireTokens();

        HttpResponse<String> expired = vertex(token);
        assertThat(expired.statusCode()).isEqualTo(401);
        assertThat(TestClient.json(expired)
                        .path("error")
                        .path("details")
                        .path(0)
                        .path("reason")
                        .asText())
                .isEqualTo("ACCESS_TOKEN_EXPIRED");
        assertThat(server.requests().get(1).attribute("tokenStatus")).isEqualTo("expired");
        assertThat(server.requests().get(1).apiKey()).isEqualTo(token);

        assertThat(vertex(accessToken()).statusCode()).isEqualTo(200);
        assertThat(server.tokenRequestCount()).isEqualTo(2);
    }

    @Test
    void aScriptForTheModelOverridesTheTokenCheck() {
        server.forModel("gemini-2.5-pro").always(FakeResponse.ok("scripted"));

        assertThat(vertex("ya29.anything").statusCode()).isEqualTo(200);
    }

    @Test
    void vertexStreamsWork() throws Exception {
        String token = accessToken();
        server.forServiceAccount(EMAIL).always(FakeResponse.ok("a b"));

        List<SseReader.Event> events;
        try (SseReader stream = SseReader.open(
                client.http(),
                HttpRequest.newBuilder(
                                server.vertexStreamGenerateContentUrl("my-project", "us-central1", "gemini-2.5-flash"))
                        .header("Authorization", "Bearer " + token)
                        .POST(HttpRequest.BodyPublishers.ofString(BODY))
                        .build())) {
            events = stream.rest();
        }

        assertThat(events).hasSize(3);
        assertThat(events.get(2)
                        .json()
                        .path("candidates")
                        .path(0)
                        .path("finishReason")
                        .asText())
                .isEqualTo("STOP");
        assertThat(server.requests().get(0).stream()).isTrue();
    }

    @Test
    void assertionsSignedWithAnotherKeyAreInvalidGrants() {
        account();
        ServiceAccounts.ServiceAccount impostor = ServiceAccounts.generate(EMAIL, server.tokenUrl());

        assertInvalid(exchange(impostor.assertion(SCOPE, Instant.now(), Duration.ofHours(1))), "invalid_grant");
    }

    @Test
    void badClaimsAreRejected() {
        Instant now = Instant.now();
        ServiceAccounts.ServiceAccount a = account();

        assertInvalid(exchange(claims(Map.of("iss", "unknown@x.iam.gserviceaccount.com"))), "invalid_grant");
        assertInvalid(exchange(claims(Map.of("aud", "https://oauth2.googleapis.com/token"))), "invalid_grant");
        assertInvalid(
                exchange(a.assertion(SCOPE, now.minus(Duration.ofHours(2)), Duration.ofHours(1))), "invalid_grant");
        assertInvalid(exchange(a.assertion(SCOPE, now, Duration.ofHours(2))), "invalid_grant");
        assertInvalid(exchange(claims(Map.of("scope", ""))), "invalid_scope");
        assertInvalid(exchange("not.a.jwt"), "invalid_grant");
        assertInvalid(exchange("only-one-part"), "invalid_grant");
        // A tampered claim set no longer matches the signature.
        String[] parts = a.assertion(SCOPE, now, Duration.ofHours(1)).split("\\.");
        String tampered = parts[0] + "." + parts[1].substring(0, parts[1].length() - 2) + "AA." + parts[2];
        assertInvalid(exchange(tampered), "invalid_grant");
        assertThat(server.tokenRequestCount()).isEqualTo(8);
    }

    @Test
    void otherGrantTypesAreUnsupported() {
        HttpResponse<String> response = token("grant_type=client_credentials&client_id=x");

        assertInvalid(response, "unsupported_grant_type");
    }

    @Test
    void theTokenEndpointCanBeScripted() {
        server.tokenEndpoint().next(FakeResponse.serverError());

        HttpResponse<String> failed = exchange(account().assertion(SCOPE, Instant.now(), Duration.ofHours(1)));
        HttpResponse<String> ok = exchange(account().assertion(SCOPE, Instant.now(), Duration.ofHours(1)));

        assertThat(failed.statusCode()).isEqualTo(500);
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(server.tokenRequestCount()).isEqualTo(2);
        server.reset();
        assertThat(server.tokenRequestCount()).isZero();
    }

    @Test
    void newServiceAccountIsAcceptedAndPointsAtThisServer() {
        ServiceAccounts.ServiceAccount created = server.newServiceAccount("other@proj-2.iam.gserviceaccount.com");

        assertThat(TestClient.json(created.json()).path("token_uri").asText())
                .isEqualTo(server.tokenUrl().toString());
        assertThat(exchange(created.assertion(SCOPE, Instant.now(), Duration.ofMinutes(30)))
                        .statusCode())
                .isEqualTo(200);
    }

    /** A valid claim set with some claims replaced. */
    private String claims(Map<String, Object> overrides) {
        long now = Instant.now().getEpochSecond();
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", EMAIL);
        claims.put("scope", SCOPE);
        claims.put("aud", server.tokenUrl().toString());
        claims.put("iat", now);
        claims.put("exp", now + 3600);
        claims.putAll(overrides);
        return account().signJwt(claims);
    }

    private static void assertInvalid(HttpResponse<String> response, String error) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        JsonNode body = TestClient.json(response);
        assertThat(body.path("error").asText()).isEqualTo(error);
        assertThat(body.path("error_description").asText()).isNotBlank();
    }
}
