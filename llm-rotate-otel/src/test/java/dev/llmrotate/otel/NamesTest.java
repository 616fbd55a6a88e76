package dev.llmrotate.otel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmrotate.observe.CallRecord;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The mappings from llm-rotate's names to the GenAI semantic conventions' values. */
class NamesTest {

    @ParameterizedTest
    @CsvSource({
        "openai, openai",
        "anthropic, anthropic",
        "google_ai_studio, gcp.gemini",
        "google_vertex, gcp.vertex_ai",
        "azure_openai, azure.ai.openai",
        "aws_bedrock, aws.bedrock",
        "openrouter, openrouter",
        "in_house, in_house"
    })
    void providerIds(String provider, String semconv) {
        assertThat(AttributeNames.providerName(provider)).isEqualTo(semconv);
    }

    @ParameterizedTest
    @CsvSource({
        "chat, chat",
        "chat_stream, chat",
        "generate_content, generate_content",
        "generate_content_stream, generate_content",
        "embeddings, embeddings"
    })
    void operations(String operation, String semconv) {
        assertThat(AttributeNames.operationName(operation)).isEqualTo(semconv);
    }

    @Test
    void nullNamesStayNull() {
        assertThat(AttributeNames.providerName(null)).isNull();
        assertThat(AttributeNames.operationName(null)).isNull();
    }

    @ParameterizedTest
    @CsvSource(
            nullValues = "null",
            value = {
                "error, rate_limit, rate_limit",
                "error, null, _OTHER",
                "interrupted, stream_interrupted, stream_interrupted",
                "no_available_key, rate_limit, no_available_key",
                "no_available_key, null, no_available_key",
                "cancelled, null, cancelled"
            })
    void theErrorTypeOfACall(String outcome, String errorType, String expected) {
        assertThat(OtelTelemetry.callErrorType(record(outcome, errorType))).isEqualTo(expected);
    }

    private static CallRecord record(String outcome, String errorType) {
        return new CallRecord(
                Instant.EPOCH,
                "c1",
                "chat",
                "openai",
                null,
                "m",
                null,
                "a",
                "sk-…cdef",
                outcome,
                errorType,
                null,
                false,
                0,
                0,
                0,
                0,
                0,
                12.5,
                null,
                1,
                0,
                false,
                0.0,
                "no_usage",
                List.of(),
                List.of(),
                0,
                List.of(),
                null);
    }
}
