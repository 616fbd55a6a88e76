package dev.llmrotate.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmrotate.chat.ChatResponse;
import dev.llmrotate.chat.ContentPart;
import dev.llmrotate.chat.FinishReason;
import dev.llmrotate.chat.StreamChunk;
import dev.llmrotate.chat.ToolCall;
import dev.llmrotate.chat.ToolCallDelta;
import dev.llmrotate.chat.Usage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The JSON the gateway answers with, byte for byte, in the shapes of the Chat Completions reference: the
 * chat.completion object (https://platform.openai.com/docs/api-reference/chat/object), the chat.completion.chunk
 * object and its stream (https://platform.openai.com/docs/api-reference/chat-streaming/streaming: "data: " events, the
 * first delta with the role, tool_calls by index, the usage chunk with empty choices before "data: [DONE]" when
 * stream_options.include_usage is set), and the error object (https://platform.openai.com/docs/guides/error-codes).
 */
class OpenAiChatResponsesTest {
    private static final long CREATED = 1_700_000_000L;

    static ChatResponse response(
            String content, FinishReason reason, Usage usage, List<ToolCall> calls, List<ContentPart> reasoning) {
        return new ChatResponse(
                content,
                "openai",
                null,
                "gpt-4o-mini-2024-07-18",
                "k1",
                "sk-…9f2a",
                reason,
                usage,
                Duration.ofMillis(120),
                1,
                0,
                false,
                "chatcmpl-upstream",
                calls,
                reasoning);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Test
    void aTextAnswer() {
        ChatResponse r = response("Hi \"there\" é", FinishReason.STOP, new Usage(12, 5, 3, 1), List.of(), List.of());

        assertThat(text(OpenAiChatResponses.completion(r, "c-1", CREATED)))
                .isEqualTo("{\"id\":\"chatcmpl-c-1\",\"object\":\"chat.completion\",\"created\":1700000000,"
                        + "\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,\"message\":{\"role\":"
                        + "\"assistant\",\"content\":\"Hi \\\"there\\\" é\",\"refusal\":null},\"logprobs\":null,"
                        + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":5,"
                        + "\"total_tokens\":17,\"prompt_tokens_details\":{\"cached_tokens\":3},"
                        + "\"completion_tokens_details\":{\"reasoning_tokens\":1}}}");
    }

    @Test
    void toolCallsOnlyHaveNullContent() {
        ChatResponse r = response(
                "",
                FinishReason.TOOL_CALLS,
                Usage.of(1, 2),
                List.of(new ToolCall("call_1", "get_weather", "{\"city\":\"Paris\"}"), new ToolCall("call_2", "f", "")),
                List.of());

        assertThat(text(OpenAiChatResponses.completion(r, "c-2", CREATED)))
                .contains(
                        "\"message\":{\"role\":\"assistant\",\"content\":null,\"refusal\":null,\"tool_calls\":["
                                + "{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
                                + "\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}},"
                                + "{\"id\":\"call_2\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]}")
                .contains("\"finish_reason\":\"tool_calls\"");
    }

    @Test
    void reasoningTextGoesToReasoningContentAndUnreportedUsageIsLeftOut() {
        ChatResponse r = response(
                "42",
                FinishReason.LENGTH,
                Usage.UNREPORTED,
                List.of(),
                List.of(
                        new ContentPart.Reasoning("think ", "sig", "anthropic"),
                        new ContentPart.RedactedReasoning("opaque", "anthropic"),
                        new ContentPart.Reasoning("more", null, "anthropic")));

        String json = text(OpenAiChatResponses.completion(r, "c-3", CREATED));

        assertThat(json)
                .contains("\"message\":{\"role\":\"assistant\",\"content\":\"42\",\"refusal\":null,"
                        + "\"reasoning_content\":\"think more\"}")
                .contains("\"finish_reason\":\"length\"")
                .doesNotContain("usage")
                .doesNotContain("sig")
                .doesNotContain("opaque");
    }

    @Test
    void finishReasonsMapOntoOpenAisFour() {
        assertThat(OpenAiChatResponses.finishReason(FinishReason.STOP)).isEqualTo("stop");
        assertThat(OpenAiChatResponses.finishReason(FinishReason.LENGTH)).isEqualTo("length");
        assertThat(OpenAiChatResponses.finishReason(FinishReason.TOOL_CALLS)).isEqualTo("tool_calls");
        assertThat(OpenAiChatResponses.finishReason(FinishReason.CONTENT_FILTER))
                .isEqualTo("content_filter");
        assertThat(OpenAiChatResponses.finishReason(FinishReason.OTHER)).isEqualTo("stop");
        assertThat(OpenAiChatResponses.finishReason(FinishReason.UNKNOWN)).isEqualTo("stop");
        assertThat(OpenAiChatResponses.finishReason(null)).isEqualTo("stop");
    }

    private static final String HEAD =
            "data: {\"id\":\"chatcmpl-s-1\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,"
                    + "\"model\":\"gpt-4o\",\"choices\":[";

    @Test
    void aStreamWithUsage() throws Exception {
        OpenAiChunkWriter writer = new OpenAiChunkWriter("s-1", CREATED, "gpt-4o", true);
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        assertThat(writer.writeEvents(new StreamChunk("Hel", null, null), out)).isTrue();
        assertThat(writer.writeEvents(new StreamChunk("lo", null, null), out)).isTrue();
        // A chunk with nothing to tell (a reasoning signature arriving) writes nothing.
        assertThat(writer.writeEvents(
                        new StreamChunk(
                                "", null, null, "", List.of(), List.of(new ContentPart.Reasoning("", "sig", "x"))),
                        out))
                .isFalse();
        assertThat(writer.writeEvents(new StreamChunk("", FinishReason.STOP, new Usage(9, 2, 0, 0)), out))
                .isTrue();
        OpenAiChatResponses.writeDoneEvent(out);

        assertThat(out.toString(StandardCharsets.UTF_8))
                .isEqualTo(HEAD
                        + "{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hel\"},\"logprobs\":null,"
                        + "\"finish_reason\":null}],\"usage\":null}\n\n"
                        + HEAD
                        + "{\"index\":0,\"delta\":{\"content\":\"lo\"},\"logprobs\":null,\"finish_reason\":null}],"
                        + "\"usage\":null}\n\n"
                        + HEAD
                        + "{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":null}\n\n"
                        + HEAD
                        + "],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":2,\"total_tokens\":11,"
                        + "\"prompt_tokens_details\":{\"cached_tokens\":0},\"completion_tokens_details\":"
                        + "{\"reasoning_tokens\":0}}}\n\n"
                        + "data: [DONE]\n\n");
    }

    @Test
    void aStreamOfToolCallsAndReasoningWithoutUsage() {
        OpenAiChunkWriter writer = new OpenAiChunkWriter("s-1", CREATED, "gpt-4o", false);

        String first = text(writer.events(new StreamChunk("", null, null, "hmm", List.of(), List.of())));
        String calls = text(writer.events(new StreamChunk(
                "",
                null,
                null,
                "",
                List.of(new ToolCallDelta(0, "call_1", "get_weather", ""), new ToolCallDelta(0, null, null, "{\"ci")),
                List.of())));
        String more = text(writer.events(
                new StreamChunk("", null, null, "", List.of(new ToolCallDelta(1, "call_2", "f", "{}")), List.of())));
        String last = text(writer.events(
                new StreamChunk("", FinishReason.TOOL_CALLS, new Usage(1, 1, 0, 0), "", List.of(), List.of())));

        assertThat(first)
                .isEqualTo(HEAD + "{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\","
                        + "\"reasoning_content\":\"hmm\"},\"logprobs\":null,\"finish_reason\":null}]}\n\n");
        assertThat(calls)
                .isEqualTo(HEAD + "{\"index\":0,\"delta\":{\"tool_calls\":["
                        + "{\"index\":0,\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
                        + "\"arguments\":\"\"}},"
                        + "{\"index\":0,\"function\":{\"arguments\":\"{\\\"ci\"}}]},\"logprobs\":null,"
                        + "\"finish_reason\":null}]}\n\n");
        assertThat(more)
                .contains("{\"index\":1,\"id\":\"call_2\",\"type\":\"function\",\"function\":{\"name\":\"f\","
                        + "\"arguments\":\"{}\"}}");
        // No usage chunk: the client did not ask for it.
        assertThat(last)
                .isEqualTo(
                        HEAD + "{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"tool_calls\"}]}\n\n");
    }

    @Test
    void anEmptyStreamStillSaysWhoSpeaksAndUnreportedUsageHasNoChunk() {
        OpenAiChunkWriter writer = new OpenAiChunkWriter("s-1", CREATED, "gpt-4o", true);

        String only = text(writer.events(new StreamChunk("", FinishReason.UNKNOWN, Usage.UNREPORTED)));

        assertThat(only)
                .isEqualTo(HEAD + "{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,"
                        + "\"finish_reason\":\"stop\"}],\"usage\":null}\n\n");
    }

    @Test
    void sseFraming() {
        assertThat(text(OpenAiChatResponses.doneEvent())).isEqualTo("data: [DONE]\n\n");
        assertThat(text(OpenAiChatResponses.errorEvent(
                        new OpenAiError("the upstream stream broke", "server_error", null, "upstream_error"))))
                .isEqualTo("data: {\"error\":{\"message\":\"the upstream stream broke\",\"type\":\"server_error\","
                        + "\"param\":null,\"code\":\"upstream_error\"}}\n\n");
    }

    @Test
    void errorBodies() {
        assertThat(text(OpenAiErrors.body("messages: required", "invalid_request_error", "messages", null)))
                .isEqualTo("{\"error\":{\"message\":\"messages: required\",\"type\":\"invalid_request_error\","
                        + "\"param\":\"messages\",\"code\":null}}");
        assertThat(text(OpenAiErrors.body(
                        new OpenAiError("no model x", "invalid_request_error", null, "model_not_found"))))
                .isEqualTo("{\"error\":{\"message\":\"no model x\",\"type\":\"invalid_request_error\","
                        + "\"param\":null,\"code\":\"model_not_found\"}}");
        String longMessage = "m".repeat(5_000);
        assertThat(text(OpenAiErrors.body(longMessage, "server_error", null, null)))
                .contains("\"message\":\"" + "m".repeat(OpenAiErrors.MAX_MESSAGE) + "… (cut)\"");
    }
}
