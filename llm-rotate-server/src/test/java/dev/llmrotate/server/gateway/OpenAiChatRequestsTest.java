package dev.llmrotate.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.ContentPart;
import dev.llmrotate.chat.ReasoningEffort;
import dev.llmrotate.chat.ResponseFormat;
import dev.llmrotate.chat.ToolCall;
import dev.llmrotate.chat.ToolChoice;
import dev.llmrotate.chat.ToolDefinition;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Request bodies as the Chat Completions reference defines them (https://platform.openai.com/docs/api-reference/chat/create:
 * messages of the system, developer, user, assistant and tool roles, content as a string or parts, text, image_url
 * and file parts, tool_calls, tools, tool_choice, response_format, stream_options, ...), read field by field into
 * the library's ChatRequest.
 */
class OpenAiChatRequestsTest {
    private static final OpenAiChatRequests READER = new OpenAiChatRequests();
    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3};
    private static final String PNG_B64 = Base64.getEncoder().encodeToString(PNG);

    private static OpenAiChatRequest parse(String json) {
        return READER.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private static String body(String messagesAndMore) {
        return "{\"model\": \"gpt-4o-mini\", " + messagesAndMore + "}";
    }

    private static final String HI = "\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]";

    @Test
    void aMinimalRequestIsTheModelAndTheMessages() {
        OpenAiChatRequest parsed = parse(body(HI));

        assertThat(parsed.model()).isEqualTo("gpt-4o-mini");
        assertThat(parsed.stream()).isFalse();
        assertThat(parsed.includeUsage()).isFalse();
        assertThat(parsed.user()).isNull();
        assertThat(parsed.chatRequest())
                .isEqualTo(ChatRequest.builder("gpt-4o-mini").user("hi").build());
    }

    @Test
    void everyParameterLandsInItsPlace() {
        OpenAiChatRequest parsed = parse("""
                {"model": "openai/gpt-4o",
                 "messages": [
                   {"role": "system", "content": "be brief", "name": "ops"},
                   {"role": "developer", "content": [{"type": "text", "text": "use "}, {"type": "text", "text": "tools"}]},
                   {"role": "user", "content": [
                      {"type": "text", "text": "what is this?"},
                      {"type": "image_url", "image_url": {"url": "data:image/png;base64,%s", "detail": "low"}},
                      {"type": "image_url", "image_url": {"url": "https://example.com/cat.PNG?x=1"}}]},
                   {"role": "assistant", "content": null,
                    "tool_calls": [{"id": "call_1", "type": "function",
                                    "function": {"name": "get_weather", "arguments": "{\\"city\\":\\"Paris\\"}"}}]},
                   {"role": "tool", "tool_call_id": "call_1", "content": "sunny"},
                   {"role": "assistant", "content": "It is sunny."}],
                 "max_completion_tokens": 300,
                 "temperature": 0.2,
                 "top_p": 0.9,
                 "stop": ["END", "STOP"],
                 "seed": 42,
                 "user": "user-7",
                 "n": 1,
                 "stream": true,
                 "stream_options": {"include_usage": true},
                 "response_format": {"type": "json_schema",
                   "json_schema": {"name": "answer", "strict": true,
                     "schema": {"type": "object", "properties": {"a": {"type": "string"}}}}},
                 "tools": [{"type": "function", "function": {"name": "get_weather", "description": "Weather",
                     "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                                    "required": ["city"]}, "strict": true}}],
                 "tool_choice": {"type": "function", "function": {"name": "get_weather"}},
                 "parallel_tool_calls": false,
                 "reasoning_effort": "low",
                 "presence_penalty": 0.5,
                 "frequency_penalty": -0.5,
                 "logit_bias": {"50256": -100},
                 "logprobs": false,
                 "metadata": {"team": "a"},
                 "service_tier": null,
                 "x_custom": [1, 2.5, 12345678901234567890, true, null]}
                """.formatted(PNG_B64));

        assertThat(parsed.model()).isEqualTo("openai/gpt-4o");
        assertThat(parsed.stream()).isTrue();
        assertThat(parsed.includeUsage()).isTrue();
        assertThat(parsed.user()).isEqualTo("user-7");
        ChatRequest r = parsed.chatRequest();
        assertThat(r.model()).isEqualTo("openai/gpt-4o");
        assertThat(r.provider()).isNull();
        assertThat(r.messages())
                .containsExactly(
                        ChatMessage.system("be brief"),
                        new ChatMessage("system", List.of(new ContentPart.Text("use "), new ContentPart.Text("tools"))),
                        ChatMessage.user(
                                new ContentPart.Text("what is this?"),
                                new ContentPart.ImageBytes(PNG, "image/png"),
                                new ContentPart.FileRef("https://example.com/cat.PNG?x=1", "image/png")),
                        ChatMessage.assistant(
                                null, List.of(new ToolCall("call_1", "get_weather", "{\"city\":\"Paris\"}"))),
                        ChatMessage.toolResult("call_1", "sunny"),
                        ChatMessage.assistant("It is sunny."));
        assertThat(r.maxTokens()).isEqualTo(300);
        assertThat(r.temperature()).isEqualTo(0.2);
        assertThat(r.topP()).isEqualTo(0.9);
        assertThat(r.responseFormat())
                .isEqualTo(ResponseFormat.jsonSchema(
                        "answer", Map.of("type", "object", "properties", Map.of("a", Map.of("type", "string"))), true));
        assertThat(r.tools())
                .containsExactly(ToolDefinition.builder("get_weather")
                        .description("Weather")
                        .parametersJson("""
                                {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}""")
                        .strict(true)
                        .build());
        assertThat(r.toolChoice()).isEqualTo(ToolChoice.tool("get_weather"));
        assertThat(r.parallelToolCalls()).isFalse();
        assertThat(r.reasoningEffort()).isEqualTo(ReasoningEffort.LOW);
        // What the library has no place for passes through for OpenAI-format upstreams, as plain values; nulls are
        // "not sent"; the gateway's own fields (stream, stream_options, n) stay behind.
        // They are scoped to OpenAI's format, so a fallback to Anthropic, Gemini or Bedrock leaves them out.
        assertThat(r.extra())
                .containsOnlyKeys(
                        "openai:stop",
                        "openai:seed",
                        "openai:user",
                        "openai:presence_penalty",
                        "openai:frequency_penalty",
                        "openai:logit_bias",
                        "openai:logprobs",
                        "openai:metadata",
                        "openai:x_custom");
        assertThat(r.extra().get("openai:stop")).isEqualTo(List.of("END", "STOP"));
        assertThat(r.extra().get("openai:seed")).isEqualTo(42);
        assertThat(r.extra().get("openai:user")).isEqualTo("user-7");
        assertThat(r.extra().get("openai:presence_penalty")).isEqualTo(0.5);
        assertThat(r.extra().get("openai:frequency_penalty")).isEqualTo(-0.5);
        assertThat(r.extra().get("openai:logit_bias")).isEqualTo(Map.of("50256", -100));
        assertThat(r.extra().get("openai:logprobs")).isEqualTo(false);
        assertThat(r.extra().get("openai:metadata")).isEqualTo(Map.of("team", "a"));
        assertThat(r.extra().get("openai:x_custom"))
                .isEqualTo(java.util.Arrays.asList(1, 2.5, new BigInteger("12345678901234567890"), true, null));
    }

    @Test
    void maxTokensIsTakenUnderEitherName() {
        assertThat(parse(body(HI + ", \"max_tokens\": 50")).chatRequest().maxTokens())
                .isEqualTo(50);
        assertThat(parse(body(HI + ", \"max_completion_tokens\": 60"))
                        .chatRequest()
                        .maxTokens())
                .isEqualTo(60);
        assertThat(parse(body(HI + ", \"max_tokens\": 70, \"max_completion_tokens\": 70"))
                        .chatRequest()
                        .maxTokens())
                .isEqualTo(70);
    }

    @Test
    void stopAsOneString() {
        assertThat(parse(body(HI + ", \"stop\": \"\\n\"")).chatRequest().extra())
                .containsEntry("openai:stop", "\n");
    }

    @Test
    void responseFormatsTextAndJsonObject() {
        assertThat(parse(body(HI + ", \"response_format\": {\"type\": \"text\"}"))
                        .chatRequest()
                        .responseFormat())
                .isEqualTo(ResponseFormat.TEXT);
        assertThat(parse(body(HI + ", \"response_format\": {\"type\": \"json_object\"}"))
                        .chatRequest()
                        .responseFormat())
                .isEqualTo(ResponseFormat.JSON_OBJECT);
        ResponseFormat unstrict = parse(body(HI + ", \"response_format\": {\"type\": \"json_schema\", \"json_schema\": "
                        + "{\"name\": \"n\", \"schema\": {\"type\": \"object\"}}}"))
                .chatRequest()
                .responseFormat();
        assertThat(unstrict.strict()).isNull();
    }

    @Test
    void toolChoiceStrings() {
        String tools = ", \"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"f\"}}]";
        assertThat(parse(body(HI + tools + ", \"tool_choice\": \"auto\""))
                        .chatRequest()
                        .toolChoice())
                .isEqualTo(ToolChoice.AUTO);
        assertThat(parse(body(HI + tools + ", \"tool_choice\": \"none\""))
                        .chatRequest()
                        .toolChoice())
                .isEqualTo(ToolChoice.NONE);
        assertThat(parse(body(HI + tools + ", \"tool_choice\": \"required\""))
                        .chatRequest()
                        .toolChoice())
                .isEqualTo(ToolChoice.REQUIRED);
        ChatRequest noParameters = parse(body(HI + tools)).chatRequest();
        // A function without parameters is a tool without arguments.
        assertThat(noParameters.tools().get(0).parameters()).containsEntry("type", "object");
        assertThat(noParameters.tools().get(0).strict()).isNull();
        assertThat(noParameters.toolChoice()).isNull();
    }

    @Test
    void everyReasoningEffort() {
        for (ReasoningEffort effort : ReasoningEffort.values()) {
            assertThat(parse(body(HI + ", \"reasoning_effort\": \"" + effort.wireName() + "\""))
                            .chatRequest()
                            .reasoningEffort())
                    .isEqualTo(effort);
        }
    }

    @Test
    void filePartsCarryPdfsAndImages() {
        String pdf = Base64.getEncoder().encodeToString("%PDF-1.7".getBytes(StandardCharsets.US_ASCII));
        ChatMessage message = parse(body("""
                        "messages": [{"role": "user", "content": [
                          {"type": "file", "file": {"filename": "a.pdf", "file_data": "data:application/pdf;base64,%s"}},
                          {"type": "file", "file": {"file_data": "%s"}},
                          {"type": "file", "file": {"file_data": "data:image/png;base64,%s"}},
                          {"type": "text", "text": "summarise"}]}]""".formatted(pdf, pdf, PNG_B64)))
                .chatRequest()
                .messages()
                .get(0);
        byte[] pdfBytes = "%PDF-1.7".getBytes(StandardCharsets.US_ASCII);
        assertThat(message.content())
                .containsExactly(
                        new ContentPart.PdfBytes(pdfBytes, "application/pdf"),
                        new ContentPart.PdfBytes(pdfBytes, "application/pdf"),
                        new ContentPart.ImageBytes(PNG, "image/png"),
                        new ContentPart.Text("summarise"));
    }

    @Test
    void imageUrlsOfEveryForm() {
        ChatMessage message =
                parse(body("""
                        "messages": [{"role": "user", "content": [
                          {"type": "image_url", "image_url": "https://example.com/a.webp"},
                          {"type": "image_url", "image_url": {"url": "http://example.com/photo"}},
                          {"type": "image_url", "image_url": {"url": "https://example.com/b.gif#frag"}},
                          {"type": "image_url", "image_url": {"url": "DATA:Image/JPEG;name=x.jpg;base64,%s"}}]}]""".formatted(PNG_B64))).chatRequest().messages().get(0);
        assertThat(message.content())
                .containsExactly(
                        new ContentPart.FileRef("https://example.com/a.webp", "image/webp"),
                        // No extension: JPEG, the commonest; the provider reads the bytes.
                        new ContentPart.FileRef("http://example.com/photo", "image/jpeg"),
                        new ContentPart.FileRef("https://example.com/b.gif#frag", "image/gif"),
                        new ContentPart.ImageBytes(PNG, "image/jpeg"));
    }

    @Test
    void assistantTurnsInEveryForm() {
        List<ChatMessage> messages = parse(body("""
                        "messages": [
                          {"role": "user", "content": "hi"},
                          {"role": "assistant", "content": "",
                           "tool_calls": [{"id": "a", "function": {"name": "f", "arguments": ""}},
                                          {"id": "b", "type": "function", "function": {"name": "g", "arguments": "{}"}}]},
                          {"role": "tool", "tool_call_id": "b", "content": [{"type": "text", "text": "done"}]},
                          {"role": "tool", "tool_call_id": "a", "content": "ok"},
                          {"role": "assistant", "content": [{"type": "text", "text": "x"},
                                                            {"type": "refusal", "refusal": "no"}]}]""")).chatRequest().messages();
        assertThat(messages.get(1))
                .isEqualTo(ChatMessage.assistant(
                        null, List.of(new ToolCall("a", "f", "{}"), new ToolCall("b", "g", "{}"))));
        assertThat(messages.get(2)).isEqualTo(ChatMessage.toolResult("b", "done"));
        assertThat(messages.get(3)).isEqualTo(ChatMessage.toolResult("a", "ok"));
        assertThat(messages.get(4))
                .isEqualTo(
                        new ChatMessage("assistant", List.of(new ContentPart.Text("x"), new ContentPart.Text("no"))));
    }

    @Test
    void theResolvedModelAndAPinnedProviderMakeTheCall() {
        OpenAiChatRequest parsed = parse(body(HI + ", \"temperature\": 1, \"seed\": 3"));

        ChatRequest pinned = parsed.chatRequest("gpt-4o-mini", "openai");

        assertThat(pinned.model()).isEqualTo("gpt-4o-mini");
        assertThat(pinned.provider()).isEqualTo("openai");
        assertThat(pinned.withModel("gpt-4o-mini")).isEqualTo(pinned);
        assertThat(pinned.temperature()).isEqualTo(1.0);
        assertThat(pinned.extra()).isEqualTo(Map.of("openai:seed", 3));
        assertThat(pinned.messages()).isEqualTo(parsed.chatRequest().messages());
    }

    @Test
    void aBodyInsideALargerBufferIsReadInPlace() {
        byte[] json = body(HI).getBytes(StandardCharsets.UTF_8);
        byte[] buffer = new byte[json.length + 20];
        System.arraycopy(json, 0, buffer, 10, json.length);

        assertThat(READER.parse(buffer, 10, json.length).model()).isEqualTo("gpt-4o-mini");
    }

    /** Each row: a body, the expected {@code param}, the expected message. */
    static Stream<Arguments> refusals() {
        String user = "{\"role\": \"user\", \"content\": \"hi\"}";
        String call = "{\"role\": \"assistant\", \"tool_calls\": [{\"id\": \"c1\", \"type\": \"function\","
                + " \"function\": {\"name\": \"f\", \"arguments\": \"{}\"}}]}";
        String tool = "\"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"f\"}}]";
        String long100 = "x".repeat(100);
        return Stream.of(
                // The body as a whole
                row("", null, "the body is empty; expected a JSON object"),
                row("[1]", null, "the body must be a JSON object, got an array"),
                row("\"hi\"", null, "the body must be a JSON object, got a string"),
                // Fields of the request
                row("{\"messages\": [" + user + "]}", "model", "model: required"),
                row("{\"model\": null, \"messages\": [" + user + "]}", "model", "model: required"),
                row("{\"model\": 4, \"messages\": [" + user + "]}", "model", "model: expected a string, got a number"),
                row("{\"model\": \" \", \"messages\": [" + user + "]}", "model", "model: must not be empty"),
                row(body("\"x\": 1"), "messages", "messages: required"),
                row(body("\"messages\": {}"), "messages", "messages: expected an array of messages, got an object"),
                row(body("\"messages\": []"), "messages", "messages: expected at least one message"),
                row(body("\"messages\": [\"hi\"]"), "messages[0]", "messages[0]: expected an object, got a string"),
                row(body("\"messages\": [{\"content\": \"hi\"}]"), "messages[0].role", "messages[0].role: required"),
                row(
                        body("\"messages\": [{\"role\": \"robot\", \"content\": \"hi\"}]"),
                        "messages[0].role",
                        "messages[0].role: expected system, developer, user, assistant or tool, got 'robot'"),
                row(
                        body("\"messages\": [{\"role\": \"" + long100 + "\", \"content\": \"hi\"}]"),
                        "messages[0].role",
                        "messages[0].role: expected system, developer, user, assistant or tool, got (a value of 100"
                                + " characters, not shown)"),
                row(
                        body("\"messages\": [{\"role\": \"user\\u0000\", \"content\": \"hi\"}]"),
                        "messages[0].role",
                        "messages[0].role: expected system, developer, user, assistant or tool, got (a value with"
                                + " unprintable or non-ASCII characters, not shown)"),
                row(
                        body("\"messages\": [{\"role\": \"function\", \"name\": \"f\", \"content\": \"x\"}]"),
                        "messages[0].role",
                        "messages[0].role: 'function' messages are deprecated and not supported; send tool messages"),
                row(
                        body("\"messages\": [" + user + ", " + user + ", {\"role\": \"user\", \"content\": 5}]"),
                        "messages[2].content",
                        "messages[2].content: expected a string or an array of parts, got a number"),
                row(
                        body("\"messages\": [{\"role\": \"user\"}]"),
                        "messages[0].content",
                        "messages[0].content: required"),
                row(
                        body("\"messages\": [{\"role\": \"system\", \"content\": []}]"),
                        "messages[0].content",
                        "messages[0].content: expected at least one part"),
                row(
                        body("\"messages\": [{\"role\": \"system\", \"content\": [{\"type\": \"image_url\"}]}]"),
                        "messages[0].content[0].type",
                        "messages[0].content[0].type: a system message takes text parts only, got 'image_url'"),
                row(
                        body("\"messages\": [{\"role\": \"developer\", \"content\": [{\"type\": \"file\"}]}]"),
                        "messages[0].content[0].type",
                        "messages[0].content[0].type: a developer message takes text parts only, got 'file'"),
                row(
                        body("\"messages\": [{\"role\": \"user\", \"content\": [\"hi\"]}]"),
                        "messages[0].content[0]",
                        "messages[0].content[0]: expected an object, got a string"),
                row(
                        body("\"messages\": [{\"role\": \"user\", \"content\": [{\"text\": \"hi\"}]}]"),
                        "messages[0].content[0].type",
                        "messages[0].content[0].type: required"),
                row(
                        body("\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"text\"}]}]"),
                        "messages[0].content[0].text",
                        "messages[0].content[0].text: required"),
                row(
                        body("\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"text\", \"text\": 1}]}]"),
                        "messages[0].content[0].text",
                        "messages[0].content[0].text: expected a string, got a number"),
                row(
                        body("\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"video\"}]}]"),
                        "messages[0].content[0].type",
                        "messages[0].content[0].type: expected text, image_url or file, got 'video'"),
                row(
                        body("\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"input_audio\"}]}]"),
                        "messages[0].content[0].type",
                        "messages[0].content[0].type: 'input_audio' parts are not supported; expected text, image_url"
                                + " or file"),
                row(
                        body("\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"image_url\"}]}]"),
                        "messages[0].content[0].image_url",
                        "messages[0].content[0].image_url: required"),
                row(
                        body("\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"image_url\","
                                + " \"image_url\": 3}]}]"),
                        "messages[0].content[0].image_url",
                        "messages[0].content[0].image_url: expected an object, got a number"),
                row(
                        body("\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"image_url\","
                                + " \"image_url\": {}}]}]"),
                        "messages[0].content[0].image_url.url",
                        "messages[0].content[0].image_url.url: required"),
                row(
                        image("ftp://example.com/a.png"),
                        "messages[0].content[0].image_url.url",
                        "messages[0].content[0].image_url.url: expected an http(s) URL or a base64 data: URL"),
                row(
                        image("data:image/png,abc"),
                        "messages[0].content[0].image_url.url",
                        "messages[0].content[0].image_url.url: expected a base64 data URL (data:<mime type>;base64,"
                                + "<data>)"),
                row(
                        image("data:;base64,AAAA"),
                        "messages[0].content[0].image_url.url",
                        "messages[0].content[0].image_url.url: the data URL names no MIME type (data:<mime type>;"
                                + "base64,<data>)"),
                row(
                        image("data:text/plain;base64,AAAA"),
                        "messages[0].content[0].image_url.url",
                        "messages[0].content[0].image_url.url: expected an image MIME type, got 'text/plain'"),
                row(
                        image("data:image/png;base64,not base64!"),
                        "messages[0].content[0].image_url.url",
                        "messages[0].content[0].image_url.url: the base64 data is not valid"),
                row(
                        body("\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"file\", \"file\":"
                                + " {\"file_id\": \"file-1\"}}]}]"),
                        "messages[0].content[0].file.file_id",
                        "messages[0].content[0].file.file_id: uploaded files are not supported; send the file inline"
                                + " as file_data"),
                row(
                        body("\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"file\", \"file\": {}}]}]"),
                        "messages[0].content[0].file.file_data",
                        "messages[0].content[0].file.file_data: required"),
                row(
                        body("\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"file\"}]}]"),
                        "messages[0].content[0].file",
                        "messages[0].content[0].file: required"),
                row(
                        body("\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"file\", \"file\":"
                                + " {\"file_data\": \"data:text/csv;base64,AAAA\"}}]}]"),
                        "messages[0].content[0].file.file_data",
                        "messages[0].content[0].file.file_data: expected a PDF or an image, got 'text/csv'"),
                // Assistant turns and tool results
                row(
                        body("\"messages\": [" + user + ", {\"role\": \"assistant\", \"content\": null}]"),
                        "messages[1]",
                        "messages[1]: an assistant message needs content or tool_calls"),
                row(
                        body("\"messages\": [{\"role\": \"assistant\", \"content\": [{\"type\": \"image_url\"}]}]"),
                        "messages[0].content[0].type",
                        "messages[0].content[0].type: expected text or refusal, got 'image_url'"),
                row(
                        body("\"messages\": [{\"role\": \"assistant\", \"tool_calls\": {}}]"),
                        "messages[0].tool_calls",
                        "messages[0].tool_calls: expected an array of tool calls, got an object"),
                row(
                        body("\"messages\": [{\"role\": \"assistant\", \"tool_calls\": [{\"function\": {}}]}]"),
                        "messages[0].tool_calls[0].id",
                        "messages[0].tool_calls[0].id: required"),
                row(
                        body("\"messages\": [{\"role\": \"assistant\", \"tool_calls\": [{\"id\": \"\"}]}]"),
                        "messages[0].tool_calls[0].id",
                        "messages[0].tool_calls[0].id: must not be empty"),
                row(
                        body("\"messages\": [{\"role\": \"assistant\", \"tool_calls\": [{\"id\": \"c\", \"type\":"
                                + " \"custom\"}]}]"),
                        "messages[0].tool_calls[0].type",
                        "messages[0].tool_calls[0].type: only function tool calls are supported, got 'custom'"),
                row(
                        body("\"messages\": [{\"role\": \"assistant\", \"tool_calls\": [{\"id\": \"c\"}]}]"),
                        "messages[0].tool_calls[0].function",
                        "messages[0].tool_calls[0].function: required"),
                row(
                        body("\"messages\": [{\"role\": \"assistant\", \"tool_calls\": [{\"id\": \"c\", \"function\":"
                                + " {\"arguments\": \"{}\"}}]}]"),
                        "messages[0].tool_calls[0].function.name",
                        "messages[0].tool_calls[0].function.name: required"),
                row(
                        body("\"messages\": [{\"role\": \"assistant\", \"tool_calls\": [{\"id\": \"c\", \"function\":"
                                + " {\"name\": \"f\"}}]}]"),
                        "messages[0].tool_calls[0].function.arguments",
                        "messages[0].tool_calls[0].function.arguments: required"),
                row(
                        body("\"messages\": [{\"role\": \"assistant\", \"tool_calls\": [{\"id\": \"c\", \"function\":"
                                + " {\"name\": \"f\", \"arguments\": {\"a\": 1}}}]}]"),
                        "messages[0].tool_calls[0].function.arguments",
                        "messages[0].tool_calls[0].function.arguments: expected a string, got an object"),
                row(
                        body("\"messages\": [{\"role\": \"assistant\", \"tool_calls\": [{\"id\": \"c\", \"function\":"
                                + " {\"name\": \"f\", \"arguments\": \"{}\"}}, {\"id\": \"c\", \"function\":"
                                + " {\"name\": \"f\", \"arguments\": \"{}\"}}]}]"),
                        "messages[0].tool_calls[1].id",
                        "messages[0].tool_calls[1].id: 'c' appears twice in this message"),
                row(
                        body("\"messages\": [" + user + ", {\"role\": \"tool\", \"content\": \"x\"}]"),
                        "messages[1].tool_call_id",
                        "messages[1].tool_call_id: required"),
                row(
                        body("\"messages\": [" + call + ", {\"role\": \"tool\", \"tool_call_id\": \"c2\", \"content\":"
                                + " \"x\"}]"),
                        "messages[1].tool_call_id",
                        "messages[1].tool_call_id: answers no tool call of an earlier assistant message: 'c2'"),
                row(
                        body("\"messages\": [" + call + ", {\"role\": \"tool\", \"tool_call_id\": \"c1\"}]"),
                        "messages[1].content",
                        "messages[1].content: required"),
                row(
                        body("\"messages\": [" + call + ", {\"role\": \"tool\", \"tool_call_id\": \"c1\", \"content\":"
                                + " [{\"type\": \"image_url\"}]}]"),
                        "messages[1].content[0].type",
                        "messages[1].content[0].type: a tool message takes text parts only, got 'image_url'"),
                // Parameters
                row(body(HI + ", \"n\": 2"), "n", "n: only 1 choice is supported, got '2'"),
                row(body(HI + ", \"n\": \"1\""), "n", "n: only 1 choice is supported, got a string"),
                row(body(HI + ", \"stream\": \"yes\""), "stream", "stream: expected a boolean, got a string"),
                row(
                        body(HI + ", \"stream_options\": true"),
                        "stream_options",
                        "stream_options: expected an object, got" + " a boolean"),
                row(
                        body(HI + ", \"stream_options\": {\"include_usage\": 1}"),
                        "stream_options.include_usage",
                        "stream_options.include_usage: expected a boolean, got a number"),
                row(body(HI + ", \"max_tokens\": 0"), "max_tokens", "max_tokens: expected a positive integer, got '0'"),
                row(
                        body(HI + ", \"max_tokens\": 10.5"),
                        "max_tokens",
                        "max_tokens: expected a positive integer, got a number"),
                row(
                        body(HI + ", \"max_completion_tokens\": 99999999999"),
                        "max_completion_tokens",
                        "max_completion_tokens: expected a positive integer, got '99999999999'"),
                row(
                        body(HI + ", \"max_tokens\": 10, \"max_completion_tokens\": 20"),
                        "max_completion_tokens",
                        "max_completion_tokens: differs from max_tokens (20 and 10); set one of them"),
                row(
                        body(HI + ", \"temperature\": \"hot\""),
                        "temperature",
                        "temperature: expected a number, got a string"),
                row(body(HI + ", \"top_p\": [1]"), "top_p", "top_p: expected a number, got an array"),
                row(body(HI + ", \"stop\": 5"), "stop", "stop: expected a string or an array of strings, got a number"),
                row(body(HI + ", \"stop\": [\"a\", null]"), "stop[1]", "stop[1]: expected a string, got null"),
                row(body(HI + ", \"seed\": 1.5"), "seed", "seed: expected an integer, got a number"),
                row(body(HI + ", \"user\": 7"), "user", "user: expected a string, got a number"),
                row(
                        body(HI + ", \"presence_penalty\": \"high\""),
                        "presence_penalty",
                        "presence_penalty: expected a number, got a string"),
                row(
                        body(HI + ", \"response_format\": \"json\""),
                        "response_format",
                        "response_format: expected an object, got a string"),
                row(body(HI + ", \"response_format\": {}"), "response_format.type", "response_format.type: required"),
                row(
                        body(HI + ", \"response_format\": {\"type\": \"xml\"}"),
                        "response_format.type",
                        "response_format.type: expected text, json_object or json_schema, got 'xml'"),
                row(
                        body(HI + ", \"response_format\": {\"type\": \"json_schema\"}"),
                        "response_format.json_schema",
                        "response_format.json_schema: required"),
                row(
                        body(HI + ", \"response_format\": {\"type\": \"json_schema\", \"json_schema\": {\"schema\":"
                                + " {}}}"),
                        "response_format.json_schema.name",
                        "response_format.json_schema.name: required"),
                row(
                        body(HI + ", \"response_format\": {\"type\": \"json_schema\", \"json_schema\": {\"name\": \"a"
                                + " b\", \"schema\": {}}}"),
                        "response_format.json_schema.name",
                        "response_format.json_schema.name: expected 1 to 64 letters, digits, '_' or '-', got 'a b'"),
                row(
                        body(HI + ", \"response_format\": {\"type\": \"json_schema\", \"json_schema\": {\"name\":"
                                + " \"a\"}}"),
                        "response_format.json_schema.schema",
                        "response_format.json_schema.schema: required"),
                row(
                        body(HI + ", \"response_format\": {\"type\": \"json_schema\", \"json_schema\": {\"name\":"
                                + " \"a\", \"schema\": []}}"),
                        "response_format.json_schema.schema",
                        "response_format.json_schema.schema: expected an object, got an array"),
                row(
                        body(HI + ", \"response_format\": {\"type\": \"json_schema\", \"json_schema\": {\"name\":"
                                + " \"a\", \"schema\": {}, \"strict\": \"yes\"}}"),
                        "response_format.json_schema.strict",
                        "response_format.json_schema.strict: expected a boolean, got a string"),
                row(body(HI + ", \"tools\": {}"), "tools", "tools: expected an array of tools, got an object"),
                row(body(HI + ", \"tools\": [{}]"), "tools[0].type", "tools[0].type: required"),
                row(
                        body(HI + ", \"tools\": [{\"type\": \"custom\"}]"),
                        "tools[0].type",
                        "tools[0].type: only function tools are supported, got 'custom'"),
                row(
                        body(HI + ", \"tools\": [{\"type\": \"function\"}]"),
                        "tools[0].function",
                        "tools[0].function:" + " required"),
                row(
                        body(HI + ", \"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"get weather\"}}]"),
                        "tools[0].function.name",
                        "tools[0].function.name: expected 1 to 64 letters, digits, '_' or '-', got 'get weather'"),
                row(
                        body(HI + ", \"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"f\","
                                + " \"description\": 1}}]"),
                        "tools[0].function.description",
                        "tools[0].function.description: expected a string, got a number"),
                row(
                        body(HI
                                + ", \"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"f\", \"parameters\":"
                                + " {\"properties\": {}}}}]"),
                        "tools[0].function.parameters",
                        "tools[0].function.parameters: expected a JSON object schema (\"type\": \"object\")"),
                row(
                        body(HI + ", \"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"f\", \"strict\":"
                                + " 1}}]"),
                        "tools[0].function.strict",
                        "tools[0].function.strict: expected a boolean, got a number"),
                row(
                        body(HI + ", \"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"f\"}}, {\"type\":"
                                + " \"function\", \"function\": {\"name\": \"f\"}}]"),
                        "tools[1].function.name",
                        "tools[1].function.name: 'f' names an earlier tool too"),
                row(
                        body(HI + ", " + tool + ", \"tool_choice\": \"any\""),
                        "tool_choice",
                        "tool_choice: expected none, auto, required or an object naming a function, got 'any'"),
                row(body(HI + ", \"tool_choice\": \"required\""), "tool_choice", "tool_choice: 'required' needs tools"),
                row(
                        body(HI + ", \"tool_choice\": 1"),
                        "tool_choice",
                        "tool_choice: expected a string or an object, got" + " a number"),
                row(
                        body(HI + ", " + tool + ", \"tool_choice\": {\"type\": \"allowed_tools\"}"),
                        "tool_choice.type",
                        "tool_choice.type: only function is supported, got 'allowed_tools'"),
                row(
                        body(HI + ", " + tool + ", \"tool_choice\": {\"type\": \"function\"}"),
                        "tool_choice.function",
                        "tool_choice.function: required"),
                row(
                        body(HI + ", " + tool + ", \"tool_choice\": {\"type\": \"function\", \"function\": {\"name\":"
                                + " \"g\"}}"),
                        "tool_choice.function.name",
                        "tool_choice.function.name: names no tool in tools: 'g'"),
                row(
                        body(HI + ", \"parallel_tool_calls\": true"),
                        "parallel_tool_calls",
                        "parallel_tool_calls: only allowed with tools"),
                row(
                        body(HI + ", " + tool + ", \"parallel_tool_calls\": \"no\""),
                        "parallel_tool_calls",
                        "parallel_tool_calls: expected a boolean, got a string"),
                row(
                        body(HI + ", \"reasoning_effort\": \"extreme\""),
                        "reasoning_effort",
                        "reasoning_effort: expected none, minimal, low, medium, high, xhigh or max, got 'extreme'"),
                row(
                        body(HI + ", \"reasoning_effort\": 3"),
                        "reasoning_effort",
                        "reasoning_effort: expected a string, got a number"),
                // A pass-through field that sets what a first-class one sets: the library refuses both at once.
                row(
                        body(HI + ", " + tool + ", \"functions\": [{\"name\": \"f\"}]"),
                        null,
                        "tools and extra 'openai:functions' both set the same request field: set it once, either first-class"
                                + " or through extra"));
    }

    private static String image(String url) {
        return body("\"messages\": [{\"role\": \"user\", \"content\": [{\"type\": \"image_url\", \"image_url\":"
                + " {\"url\": \"" + url + "\"}}]}]");
    }

    private static Arguments row(String json, String param, String message) {
        return Arguments.of(json, param, message);
    }

    @ParameterizedTest
    @MethodSource("refusals")
    void refusesWithTheFieldPathAndTheProblem(String json, String param, String message) {
        OpenAiRequestException e = catchThrowableOfType(OpenAiRequestException.class, () -> parse(json));

        assertThat(e).as("no refusal for %s", json).isNotNull();
        assertThat(e.status()).isEqualTo(400);
        assertThat(e.error()).isEqualTo(new OpenAiError(message, "invalid_request_error", param, null));
        assertThat(e.getMessage()).isEqualTo(message);
    }

    @Test
    void malformedJsonIsNamedWithItsPlaceButNoExcerpt() {
        assertThat(refusal("{\"model\": \"gpt\", \"messages\": ["))
                .startsWith("the body is not valid JSON: Unexpected end-of-input")
                .endsWith("(line 1, column 31)");
        // A bad token is quoted by its start only.
        assertThat(refusal("{\"model\": sksecret0123456789}"))
                .isEqualTo("the body is not valid JSON: Unrecognized token 'sksecret...': was expecting (JSON String,"
                        + " Number, Array, Object or token 'null', 'true' or 'false') (line 1, column 11)");
        assertThat(refusal("{\"model\": \"a\", \"model\": \"b\"}"))
                .isEqualTo("the body is not valid JSON: Duplicate field 'model' (line 1, column 23)");
        String longName = "k".repeat(1_000);
        assertThat(refusal("{\"" + longName + "\": 1, \"" + longName + "\": 2}"))
                .isEqualTo("the body is not valid JSON: Duplicate field '" + "k".repeat(183)
                        + "... (line 1, column 2011)");
        assertThat(refusal(body(HI) + " {}"))
                .startsWith("the body is not valid JSON: Trailing token (of type START_OBJECT) found after value");
    }

    @Test
    void jsonNestedDeeperThanTheLimitIsRefused() {
        String deep = "[".repeat(70) + "]".repeat(70);

        assertThat(refusal(body(HI + ", \"x\": " + deep))).isEqualTo("the body nests JSON deeper than 64 levels");
        // 63 levels inside the body's own object are fine.
        assertThat(parse(body(HI + ", \"x\": " + "[".repeat(63) + "]".repeat(63)))
                        .chatRequest()
                        .extra())
                .containsKey("openai:x");
    }

    @Test
    void stringsAreBoundedByTheBodyLimit() {
        OpenAiChatRequests small = new OpenAiChatRequests(1_000);
        String json = body("\"messages\": [{\"role\": \"user\", \"content\": \"" + "x".repeat(2_000) + "\"}]");

        assertThatThrownBy(() -> small.parse(json.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(OpenAiRequestException.class)
                .hasMessage("the body has a value longer than the gateway's limits allow");
        assertThat(READER.parse(json.getBytes(StandardCharsets.UTF_8))
                        .chatRequest()
                        .messages()
                        .get(0)
                        .text())
                .hasSize(2_000);
    }

    private static String refusal(String json) {
        return catchThrowableOfType(OpenAiRequestException.class, () -> parse(json))
                .getMessage();
    }
}
