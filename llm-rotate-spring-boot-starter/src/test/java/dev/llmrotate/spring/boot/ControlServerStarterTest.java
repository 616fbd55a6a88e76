package dev.llmrotate.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmrotate.error.ConfigurationException;
import dev.llmrotate.server.ControlServer;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.FilteredClassLoader;

/** The control server beside the application: off by default, on its own port when enabled, closed with the context. */
class ControlServerStarterTest extends StarterTestSupport {
    private static final String TOKEN = "control-token-for-starter-test-0001";
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void offUnlessEnabled() {
        runner().withPropertyValues(twoKeys())
                .run(context -> assertThat(context).doesNotHaveBean(ControlServer.class));
    }

    @Test
    void servesHealthBehindItsTokenAndStopsWithTheContext() {
        AtomicReference<URI> uri = new AtomicReference<>();
        runner().withPropertyValues(plus(
                        twoKeys(),
                        "llm-rotate.control-server.enabled=true",
                        "llm-rotate.control-server.port=0",
                        "llm-rotate.control-server.token=" + TOKEN))
                .run(context -> {
                    ControlServer server = context.getBean(ControlServer.class);
                    uri.set(server.uri());

                    HttpResponse<String> anonymous = get(server.uri().resolve("/health"), null);
                    HttpResponse<String> health = get(server.uri().resolve("/health"), TOKEN);

                    assertThat(anonymous.statusCode()).isEqualTo(401);
                    assertThat(health.statusCode()).isEqualTo(200);
                    assertThat(health.body()).contains("\"oa-1\"", "\"oa-2\"").doesNotContain(SECRET_1, SECRET_2);
                    assertThat(LlmRotateAutoConfiguration.settings(context.getEnvironment())
                                    .toString())
                            .contains("token=***")
                            .doesNotContain(TOKEN, SECRET_1);
                });
        assertThatThrownBy(() -> get(uri.get().resolve("/livez"), null)).isInstanceOf(ConnectException.class);
    }

    @Test
    void aNonLoopbackAddressWithoutATokenIsRefusedWithTheServersMessage() {
        runner().withPropertyValues(plus(
                        twoKeys(),
                        "llm-rotate.control-server.enabled=true",
                        "llm-rotate.control-server.port=0",
                        "llm-rotate.control-server.host=0.0.0.0"))
                .run(context ->
                        assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("token"));
    }

    @Test
    void anOlderNettyIsNamedWithTheFixInsteadOfAMissingClass() {
        runner().withPropertyValues(
                        plus(twoKeys(), "llm-rotate.control-server.enabled=true", "llm-rotate.control-server.port=0"))
                .withClassLoader(new FilteredClassLoader(LlmRotateAutoConfiguration.ControlServerStarter.NETTY_4_2))
                .run(context -> assertThat(LlmRotateAutoConfigurationTest.rootCause(
                                        context.getStartupFailure(), ConfigurationException.class)
                                .getMessage())
                        .contains("the control server runs on Netty 4.2")
                        .contains("<netty.version>4.2.13.Final</netty.version>"));
    }

    private HttpResponse<String> get(URI uri, String token) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
