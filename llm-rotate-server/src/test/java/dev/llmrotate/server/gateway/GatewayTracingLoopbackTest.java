package dev.llmrotate.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmrotate.LlmRotate;
import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.config.SecretRef;
import dev.llmrotate.otel.OtelTelemetry;
import dev.llmrotate.testkit.FakeOpenAiServer;
import dev.llmrotate.testkit.FakeResponse;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** An incoming W3C traceparent becomes the parent of the call's spans, plain and streamed; without one, a new trace. */
class GatewayTracingLoopbackTest {
    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String PARENT_SPAN_ID = "00f067aa0ba902b7";

    private final FakeOpenAiServer openai = FakeOpenAiServer.start();
    private final InMemorySpanExporter spans = InMemorySpanExporter.create();
    private final OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder()
                    .addSpanProcessor(SimpleSpanProcessor.create(spans))
                    .build())
            .build();
    private LlmRotate lm;
    private Gateway gateway;

    @AfterEach
    void close() {
        gateway.close();
        lm.close();
        openai.close();
        sdk.close();
    }

    private void start() {
        lm = LlmRotate.builder()
                .config(LlmRotateConfig.builder()
                        .key(KeySpec.builder("oa-1", "openai")
                                .secretRef(SecretRef.parse("env://GW_TRACE", n -> "sk-trace-0123456789abcdef"))
                                .models("gpt-4o-mini")
                                .build())
                        .provider("openai", s -> s.withBaseUrl(openai.baseUrl()))
                        .build())
                .telemetry(OtelTelemetry.create(sdk))
                .build();
        gateway = Gateway.start(lm, GatewayOptions.builder().port(0).build());
    }

    private int post(boolean stream, String traceparent) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(gateway.uri().resolve("/v1/chat/completions"))
                .timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"gpt-4o-mini\",\"stream\":" + stream
                        + ",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));
        if (traceparent != null) {
            request.header("traceparent", traceparent);
        }
        return HttpClient.newHttpClient()
                .send(request.build(), HttpResponse.BodyHandlers.ofString())
                .statusCode();
    }

    @Test
    void theClientsTraceIsTheParentOfTheCallsSpans() throws Exception {
        start();
        openai.byDefault().always(FakeResponse.ok("hello").withChunks("hel", "lo"));
        String traceparent = "00-" + TRACE_ID + "-" + PARENT_SPAN_ID + "-01";

        for (boolean stream : new boolean[] {false, true}) {
            spans.reset();
            assertThat(post(stream, traceparent)).isEqualTo(200);
            List<SpanData> finished = spans.getFinishedSpanItems();
            assertThat(finished).as("stream=" + stream).isNotEmpty();
            assertThat(finished)
                    .allSatisfy(span -> assertThat(span.getTraceId()).isEqualTo(TRACE_ID));
            assertThat(finished)
                    .as("a span of the call hangs under the client's span")
                    .anySatisfy(span -> assertThat(span.getParentSpanId()).isEqualTo(PARENT_SPAN_ID));
        }

        spans.reset();
        assertThat(post(false, null)).isEqualTo(200);
        assertThat(spans.getFinishedSpanItems())
                .isNotEmpty()
                .allSatisfy(span -> assertThat(span.getTraceId()).isNotEqualTo(TRACE_ID));
        spans.reset();
        assertThat(post(false, "garbage")).isEqualTo(200);
        assertThat(spans.getFinishedSpanItems()).isNotEmpty();
    }
}
