package dev.llmrotate.testkit;

import static dev.llmrotate.testkit.TestClient.chatBody;
import static dev.llmrotate.testkit.TestClient.content;
import static dev.llmrotate.testkit.TestClient.json;
import static dev.llmrotate.testkit.TestClient.post;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Matching, scripts and defaults, over real loopback HTTP. */
class ScriptingTest {

    private final FakeOpenAiServer server = FakeOpenAiServer.start();
    private final TestClient client = new TestClient();

    @AfterEach
    void close() {
        server.close();
    }

    @Test
    void baseUrlIsLoopbackV1AndChatCompletionsHangsOffIt() {
        URI base = server.baseUrl();
        assertThat(base.getScheme()).isEqualTo("http");
        assertThat(base.getHost()).isEqualTo("127.0.0.1");
        assertThat(base.getPort()).isPositive();
        assertThat(base.getPath()).isEqualTo("/v1");
        assertThat(server.chatCompletionsUrl()).isEqualTo(URI.create(base + "/chat/completions"));
    }

    @Test
    void unscriptedRequestWithKeyGetsFakeReplyEchoingTheModel() {
        HttpResponse<String> response = client.chat(server, "sk-any", "gpt-4o-mini");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(content(response)).isEqualTo("fake reply");
        assertThat(json(response).path("model").asText()).isEqualTo("gpt-4o-mini");
    }

    @Test
    void matchingPrecedenceIsKeyAndModelThenKeyThenModelThenDefault() {
        server.byDefault().always(FakeResponse.ok("default"));
        server.forModel("m1").always(FakeResponse.ok("model m1"));
        server.forKey("k1").always(FakeResponse.ok("key k1"));
        server.forKeyAndModel("k1", "m1").always(FakeResponse.ok("key k1 + model m1"));

        assertThat(content(client.chat(server, "k1", "m1"))).isEqualTo("key k1 + model m1");
        assertThat(content(client.chat(server, "k1", "m2"))).isEqualTo("key k1");
        assertThat(content(client.chat(server, "k2", "m1"))).isEqualTo("model m1");
        assertThat(content(client.chat(server, "k2", "m2"))).isEqualTo("default");
        assertThat(content(client.chat(server, null, "m1"))).isEqualTo("model m1");
        assertThat(content(client.chat(server, null, "m2"))).isEqualTo("default");
    }

    @Test
    void keyScriptBeatsModelScriptRegardlessOfTheOrderTheyWereDefined() {
        server.forKey("k1").always(FakeResponse.ok("key"));
        server.forModel("m1").always(FakeResponse.ok("model"));

        assertThat(content(client.chat(server, "k1", "m1"))).isEqualTo("key");
    }

    @Test
    void sameSelectorReturnsTheSameScript() {
        assertThat(server.forKey("k1")).isSameAs(server.forKey("k1"));
        assertThat(server.forModel("m1")).isSameAs(server.forModel("m1"));
        assertThat(server.forKeyAndModel("k1", "m1")).isSameAs(server.forKeyAndModel("k1", "m1"));
        assertThat(server.byDefault()).isSameAs(server.byDefault());
        assertThat(server.forKey("k1")).isNotSameAs(server.forKey("k2"));
    }

    @Test
    void blankSelectorsAreRejected() {
        assertThatThrownBy(() -> server.forKey(" ")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> server.forModel("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> server.forKeyAndModel("k", null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void nextResponsesAreUsedOnceInOrderThenAlways() {
        server.forKey("k1")
                .next(FakeResponse.ok("first"), FakeResponse.ok("second"))
                .always(FakeResponse.ok("always"));

        List<String> contents = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            contents.add(content(client.chat(server, "k1", "m")));
        }

        assertThat(contents).containsExactly("first", "second", "always", "always");
    }

    @Test
    void nextCallsAccumulate() {
        server.forKey("k1").next(FakeResponse.ok("a")).next(FakeResponse.ok("b"));

        assertThat(content(client.chat(server, "k1", "m"))).isEqualTo("a");
        assertThat(content(client.chat(server, "k1", "m"))).isEqualTo("b");
    }

    @Test
    void exhaustedNextWithoutAlwaysFallsThroughToLessSpecificScripts() {
        server.forModel("m").always(FakeResponse.ok("model script"));
        server.forKey("k1").next(FakeResponse.serverError());

        assertThat(client.chat(server, "k1", "m").statusCode()).isEqualTo(500);
        assertThat(content(client.chat(server, "k1", "m"))).isEqualTo("model script");
    }

    @Test
    void alwaysReplacesTheEarlierAlways() {
        server.forKey("k1").always(FakeResponse.ok("old"));
        assertThat(content(client.chat(server, "k1", "m"))).isEqualTo("old");

        server.forKey("k1").always(FakeResponse.ok("new"));
        assertThat(content(client.chat(server, "k1", "m"))).isEqualTo("new");
    }

    @Test
    void respondSeesTheRecordedRequest() {
        server.byDefault()
                .respond(request -> FakeResponse.ok(request.apiKey() + " asked " + request.model() + " saying "
                        + request.json()
                                .path("messages")
                                .path(0)
                                .path("content")
                                .asText()));

        assertThat(content(client.chat(server, "k9", "m9"))).isEqualTo("k9 asked m9 saying hi");
    }

    @Test
    void respondAndAlwaysReplaceEachOther() {
        Script script = server.forKey("k1");
        script.always(FakeResponse.ok("always"));
        script.respond(request -> FakeResponse.ok("responder"));
        assertThat(content(client.chat(server, "k1", "m"))).isEqualTo("responder");

        script.always(FakeResponse.ok("always again"));
        assertThat(content(client.chat(server, "k1", "m"))).isEqualTo("always again");
    }

    @Test
    void nextTakesPrecedenceOverRespond() {
        server.forKey("k1").respond(request -> FakeResponse.ok("responder")).next(FakeResponse.ok("one-shot"));

        assertThat(content(client.chat(server, "k1", "m"))).isEqualTo("one-shot");
        assertThat(content(client.chat(server, "k1", "m"))).isEqualTo("responder");
    }

    @Test
    void responderReturningNullFallsThrough() {
        server.byDefault().always(FakeResponse.ok("default"));
        server.forKey("k1").respond(request -> request.model().equals("special") ? FakeResponse.ok("special") : null);

        assertThat(content(client.chat(server, "k1", "special"))).isEqualTo("special");
        assertThat(content(client.chat(server, "k1", "other"))).isEqualTo("default");
    }

    @Test
    void seededRandomResponderFailsAReproducibleSubset() {
        List<Integer> expected = new ArrayList<>();
        Random reference = new Random(42);
        for (int i = 0; i < 50; i++) {
            expected.add(reference.nextDouble() < 0.3 ? 500 : 200);
        }
        Random random = new Random(42);
        server.forKey("k1").respond(request -> random.nextDouble() < 0.3 ? FakeResponse.serverError() : null);

        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            statuses.add(client.chat(server, "k1", "m").statusCode());
        }

        assertThat(statuses).isEqualTo(expected).contains(200, 500);
    }

    @Test
    void throwingResponderAnswers500NamingTheException() {
        server.forKey("k1").respond(request -> {
            throw new IllegalStateException("boom");
        });

        HttpResponse<String> response = client.chat(server, "k1", "m");

        assertThat(response.statusCode()).isEqualTo(500);
        assertThat(json(response).path("error").path("type").asText()).isEqualTo("testkit_error");
        assertThat(json(response).path("error").path("message").asText())
                .contains("forKey k1")
                .contains("IllegalStateException: boom");
    }

    @Test
    void requestWithoutAuthorizationGets401InvalidApiKey() {
        HttpResponse<String> response = client.chat(server, null, "m");

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(json(response).path("error").path("code").asText()).isEqualTo("invalid_api_key");
        assertThat(json(response).path("error").path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(server.requestCount(null)).isEqualTo(1);
    }

    @Test
    void nonBearerAuthorizationCountsAsNoKey() {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(server.chatCompletionsUrl())
                .header("Authorization", "Basic dXNlcjpwYXNz")
                .POST(HttpRequest.BodyPublishers.ofString(chatBody("m")))
                .build());

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(server.requests().get(0).apiKey()).isNull();
    }

    @Test
    void bearerSchemeIsCaseInsensitiveAndTokenIsTrimmed() {
        server.forKey("k1").always(FakeResponse.ok("k1"));

        HttpResponse<String> response = client.send(HttpRequest.newBuilder(server.chatCompletionsUrl())
                .header("Authorization", "bearer   k1 ")
                .POST(HttpRequest.BodyPublishers.ofString(chatBody("m")))
                .build());

        assertThat(content(response)).isEqualTo("k1");
    }

    @Test
    void requestWithoutKeyIsAnsweredByAMatchingScript() {
        server.forModel("m").always(FakeResponse.ok("scripted"));

        HttpResponse<String> response = client.chat(server, null, "m");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(content(response)).isEqualTo("scripted");
    }

    @Test
    void scriptedDefaultAlsoAnswersRequestsWithoutKey() {
        server.byDefault().always(FakeResponse.ok("open house"));

        assertThat(content(client.chat(server, null, "m"))).isEqualTo("open house");
    }

    @Test
    void unknownPathGets404OpenAiErrorEvenWhenScripted() {
        server.byDefault().always(FakeResponse.ok("never"));

        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/models"))
                .header("Authorization", "Bearer k1")
                .GET()
                .build());

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(json(response).path("error").path("message").asText()).isEqualTo("Invalid URL (GET /v1/models)");
        assertThat(json(response).path("error").path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(server.requests())
                .singleElement()
                .satisfies(r -> assertThat(r.path()).isEqualTo("/v1/models"));
    }

    @Test
    void wrongMethodOnTheEndpointGets404() {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(server.chatCompletionsUrl())
                .header("Authorization", "Bearer k1")
                .GET()
                .build());

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(json(response).path("error").path("message").asText())
                .isEqualTo("Invalid URL (GET /v1/chat/completions)");
    }

    @Test
    void unscriptedInvalidJsonOrMissingModelGets400() {
        HttpResponse<String> invalid =
                client.send(post(server.chatCompletionsUrl(), "k1", "{not json").build());
        HttpResponse<String> noModel = client.send(
                post(server.chatCompletionsUrl(), "k1", "{\"messages\":[]}").build());

        assertThat(invalid.statusCode()).isEqualTo(400);
        assertThat(json(invalid).path("error").path("type").asText()).isEqualTo("invalid_request_error");
        assertThat(noModel.statusCode()).isEqualTo(400);
        assertThat(json(noModel).path("error").path("message").asText()).contains("model");
    }

    @Test
    void resetForgetsScriptsAndRequestsButKeepsScriptReferencesUsable() {
        Script script = server.forKey("k1").always(FakeResponse.ok("scripted"));
        server.forKey("k1").next(FakeResponse.serverError());
        client.chat(server, "k1", "m");

        server.reset();

        assertThat(server.requests()).isEmpty();
        assertThat(server.requestCount("k1")).isZero();
        assertThat(content(client.chat(server, "k1", "m"))).isEqualTo("fake reply");
        script.always(FakeResponse.ok("again"));
        assertThat(content(client.chat(server, "k1", "m"))).isEqualTo("again");
    }
}
