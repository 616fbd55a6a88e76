package dev.llmrotate.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code /metrics} as the server serves it: the scrape of the engine it was started for, in the format the
 * {@code Accept} header asks for, behind the same token as the other endpoints. The metrics themselves are checked
 * line by line in {@code PrometheusMetricsLoopbackTest}.
 */
class MetricsEndpointLoopbackTest {
    private final ServerFixture f = new ServerFixture();

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void aCallShowsInTheTextFormat() {
        f.call(ServerFixture.MINI);

        ServerFixture.Reply reply = f.get("/metrics");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.header("content-type")).startsWith("text/plain").contains("version=0.0.4");
        assertThat(reply.body())
                .contains("# TYPE llm_rotate_calls_total counter")
                .containsPattern("llm_rotate_calls_total\\{[^}]*outcome=\"success\"[^}]*} 1(\\.0)?\\n");
        assertThat(reply.body()).doesNotContain("# EOF");
    }

    @Test
    void openMetricsOnRequest() {
        f.call(ServerFixture.MINI);

        ServerFixture.Reply reply = f.get("/metrics", "Accept", "application/openmetrics-text; version=1.0.0");

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.header("content-type")).startsWith("application/openmetrics-text");
        assertThat(reply.body()).endsWith("# EOF\n");
    }

    @Test
    void headAnswersWithoutABodyAndOtherMethodsAre405() {
        ServerFixture.Reply head = f.send("HEAD", "/metrics");
        assertThat(head.status()).isEqualTo(200);
        assertThat(head.body()).isEmpty();

        ServerFixture.Reply post = f.send("POST", "/metrics");
        assertThat(post.status()).isEqualTo(405);
        assertThat(post.header("allow")).isEqualTo("GET, HEAD");
    }
}
