package dev.llmrotate.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Anthropic Messages wire format: {@code POST /v1/messages}, {@code x-api-key}, a required {@code
 * anthropic-version} header, {@code message} objects, named SSE events and {@code {"type":"error",...}} errors.
 */
final class AnthropicWireFormat implements WireFormat {

    static final AnthropicWireFormat INSTANCE = new AnthropicWireFormat();

    static final String MESSAGES_PATH = "/v1/messages";

    private static final String INVALID_REQUEST = "invalid_request_error";

    private AnthropicWireFormat() {}

    @Override
    public String name() {
        return "anthropic";
    }

    @Override
    public String basePath() {
        return "/v1";
    }

    @Override
    public Parsed parse(String method, String path, String query, Map<String, List<String>> headers, String body) {
        JsonNode json = Json.parse(body);
        JsonNode model = json.path("model");
        String key = first(headers, "x-api-key");
        Map<String, String> attributes = new LinkedHashMap<>();
        String version = first(headers, "anthropic-version");
        if (version != null) {
            attributes.put("anthropicVersion", version);
        }
        return new Parsed(
                method.equals("POST") && path.equals(MESSAGES_PATH),
                key == null || key.isBlank() ? null : key.trim(),
                model.isTextual() ? model.asText() : null,
                json.path("stream").asBoolean(false),
                attributes);
    }

    @Override
    public FakeResponse preflight(RecordedRequest request) {
        if (request.header("anthropic-version") == null) {
            return FakeResponse.error(400, INVALID_REQUEST, null, "anthropic-version: header is required");
        }
        return null;
    }

    @Override
    public FakeResponse unscripted(RecordedRequest request) {
        if (request.apiKey() == null) {
            return FakeResponse.error(401, "authentication_error", null, "x-api-key header is required");
        }
        if (!Json.parse(request.body()).isObject()) {
            return FakeResponse.error(
                    400, INVALID_REQUEST, null, "There was an error parsing the body of your request: not valid JSON");
        }
        if (request.model() == null) {
            return FakeResponse.error(400, INVALID_REQUEST, null, "model: Field required");
        }
        return FakeResponse.ok("fake reply");
    }

    @Override
    public FakeResponse notFound(RecordedRequest request) {
        return FakeResponse.error(404, "not_found_error", null, "Not Found");
    }

    @Override
    public Rendered render(FakeResponse.Body body, RecordedRequest request) {
        Map<String, String> headers = new LinkedHashMap<>();
        String requestId = "req_" + Json.randomHex();
        headers.put("request-id", requestId);
        if (body instanceof FakeResponse.Completion completion) {
            ObjectNode message = message(completion, request.model());
            ArrayNode content = message.withArray("content");
            for (FakeResponse.ReasoningSpec block : completion.reasoning()) {
                content.add(reasoningBlock(block, true));
            }
            if (completion.content() != null) {
                content.addObject().put("type", "text").put("text", completion.content());
            }
            for (FakeResponse.ToolCallSpec call : completion.toolCalls()) {
                content.add(toolUse(call, input(call)));
            }
            message.put("stop_reason", stopReason(completion.finishReason()));
            message.set("usage", usage(completion, completion.completionTokens()));
            return new Rendered(200, headers, Json.bytes(message));
        }
        if (body instanceof FakeResponse.ApiError error) {
            return new Rendered(
                    error.status(), headers, Json.bytes(error(error.type(), error.message(), error.code(), requestId)));
        }
        if (body instanceof FakeResponse.StandardError standard) {
            return standardError(standard, headers, requestId);
        }
        throw new IllegalArgumentException("cannot render " + body);
    }

    private static Rendered standardError(
            FakeResponse.StandardError error, Map<String, String> headers, String requestId) {
        switch (error.kind()) {
            case RATE_LIMITED:
                long seconds = retryAfterSeconds(error.retryAfter());
                headers.put("retry-after", Long.toString(seconds));
                headers.put("anthropic-ratelimit-requests-remaining", "0");
                return new Rendered(
                        429,
                        headers,
                        Json.bytes(error(
                                "rate_limit_error",
                                "This request would exceed the rate limit for your organization of 50 requests per"
                                        + " minute. For details, refer to the rate limits documentation. You can see"
                                        + " the response headers for current usage.",
                                null,
                                requestId)));
            case INSUFFICIENT_QUOTA:
                return new Rendered(
                        402,
                        headers,
                        Json.bytes(error(
                                "billing_error",
                                "Your credit balance is too low to access the Anthropic API. Please go to Plans &"
                                        + " Billing to upgrade or purchase credits.",
                                null,
                                requestId)));
            case INVALID_API_KEY:
                return new Rendered(
                        401, headers, Json.bytes(error("authentication_error", "invalid x-api-key", null, requestId)));
            case SERVER_ERROR:
                return new Rendered(
                        500, headers, Json.bytes(error("api_error", "Internal server error", null, requestId)));
            case OVERLOADED:
                return new Rendered(529, headers, Json.bytes(error("overloaded_error", "Overloaded", null, requestId)));
            default:
                throw new IllegalArgumentException("cannot render " + error);
        }
    }

    @Override
    public StreamEncoder streamEncoder(FakeResponse.Completion completion, RecordedRequest request) {
        return new EventEncoder(completion, request);
    }

    /**
     * Named events, as the Messages API streams them: the reasoning blocks, the text block, then the tool_use blocks,
     * numbered in that order.
     */
    private static final class EventEncoder implements StreamEncoder {

        private final FakeResponse.Completion completion;
        private final String model;
        /** The index of the text block: after the reasoning blocks. */
        private final int textIndex;

        private boolean textOpen;

        EventEncoder(FakeResponse.Completion completion, RecordedRequest request) {
            this.completion = completion;
            this.model = request.model();
            this.textIndex = completion.reasoning().size();
        }

        @Override
        public Map<String, String> headers() {
            return Map.of("content-type", "text/event-stream; charset=utf-8", "request-id", "req_" + Json.randomHex());
        }

        /**
         * {@code message_start}, each reasoning block whole (a thinking block: start, a {@code thinking_delta} per
         * word, a {@code signature_delta}, stop), the text block's start unless the answer is tool calls without
         * text, and a ping.
         */
        @Override
        public List<byte[]> opening() {
            ObjectNode start = Json.object().put("type", "message_start");
            ObjectNode message = message(completion, model);
            message.putNull("stop_reason");
            message.set("usage", usage(completion, Math.min(1, completion.completionTokens())));
            start.set("message", message);
            List<byte[]> events = new ArrayList<>();
            events.add(Sse.event("message_start", Json.string(start)));
            List<FakeResponse.ReasoningSpec> reasoning = completion.reasoning();
            for (int i = 0; i < reasoning.size(); i++) {
                FakeResponse.ReasoningSpec block = reasoning.get(i);
                events.add(blockStart(i, reasoningBlock(block, false)));
                if (!block.redacted()) {
                    for (String piece : FakeResponse.StreamPlan.splitAtWords(block.text())) {
                        events.add(blockDelta(
                                i, Json.object().put("type", "thinking_delta").put("thinking", piece)));
                    }
                    events.add(blockDelta(
                            i, Json.object().put("type", "signature_delta").put("signature", block.signature())));
                }
                events.add(blockStop(i));
            }
            boolean text = completion.toolCalls().isEmpty()
                    || (completion.content() != null && !completion.content().isEmpty());
            if (text) {
                events.add(textStart());
            }
            events.add(Sse.event("ping", "{\"type\":\"ping\"}"));
            return events;
        }

        private byte[] textStart() {
            textOpen = true;
            return blockStart(textIndex, Json.object().put("type", "text").put("text", ""));
        }

        @Override
        public byte[] delta(String text) {
            byte[] delta = blockDelta(
                    textIndex, Json.object().put("type", "text_delta").put("text", text));
            if (textOpen) {
                return delta;
            }
            byte[] start = textStart();
            byte[] both = Arrays.copyOf(start, start.length + delta.length);
            System.arraycopy(delta, 0, both, start.length, delta.length);
            return both;
        }

        @Override
        public byte[] keepAlive(int n) {
            return Sse.event("ping", "{\"type\":\"ping\"}");
        }

        @Override
        public byte[] malformed() {
            return Sse.event(
                    "content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":");
        }

        @Override
        public byte[] error(String type, String message) {
            ObjectNode root = Json.object().put("type", "error");
            root.putObject("error").put("type", type).put("message", message);
            return Sse.event("error", Json.string(root));
        }

        /** The text block's stop, each tool_use block (start, an {@code input_json_delta} per delta, stop), then
         * {@code message_delta}. */
        @Override
        public List<byte[]> closing() {
            List<byte[]> events = new ArrayList<>();
            int index = textIndex;
            if (textOpen) {
                events.add(blockStop(index++));
            }
            for (FakeResponse.ToolCallSpec call : completion.toolCalls()) {
                events.add(blockStart(index, toolUse(call, Json.object())));
                for (String piece : call.chunks()) {
                    events.add(blockDelta(
                            index, Json.object().put("type", "input_json_delta").put("partial_json", piece)));
                }
                events.add(blockStop(index++));
            }
            ObjectNode messageDelta = Json.object().put("type", "message_delta");
            ObjectNode delta = messageDelta.putObject("delta");
            delta.put("stop_reason", stopReason(completion.finishReason()));
            delta.putNull("stop_sequence");
            messageDelta.putObject("usage").put("output_tokens", completion.completionTokens());
            events.add(Sse.event("message_delta", Json.string(messageDelta)));
            return events;
        }

        @Override
        public byte[] endMarker() {
            return Sse.event("message_stop", "{\"type\":\"message_stop\"}");
        }

        private static byte[] blockStart(int index, ObjectNode block) {
            ObjectNode start = Json.object().put("type", "content_block_start").put("index", index);
            start.set("content_block", block);
            return Sse.event("content_block_start", Json.string(start));
        }

        private static byte[] blockDelta(int index, ObjectNode delta) {
            ObjectNode event = Json.object().put("type", "content_block_delta").put("index", index);
            event.set("delta", delta);
            return Sse.event("content_block_delta", Json.string(event));
        }

        private static byte[] blockStop(int index) {
            return Sse.event(
                    "content_block_stop",
                    Json.string(Json.object().put("type", "content_block_stop").put("index", index)));
        }
    }

    /**
     * A {@code thinking} block (whole: with its text and signature; as a stream starts it: empty) or a {@code
     * redacted_thinking} block.
     */
    private static ObjectNode reasoningBlock(FakeResponse.ReasoningSpec block, boolean whole) {
        if (block.redacted()) {
            return Json.object().put("type", "redacted_thinking").put("data", block.text());
        }
        ObjectNode thinking = Json.object().put("type", "thinking").put("thinking", whole ? block.text() : "");
        if (whole) {
            thinking.put("signature", block.signature());
        }
        return thinking;
    }

    private static ObjectNode toolUse(FakeResponse.ToolCallSpec call, JsonNode input) {
        ObjectNode use =
                Json.object().put("type", "tool_use").put("id", call.id()).put("name", call.name());
        use.set("input", input);
        return use;
    }

    /** The arguments as Anthropic's {@code input} object. */
    private static JsonNode input(FakeResponse.ToolCallSpec call) {
        JsonNode input = Json.parse(call.arguments());
        if (!input.isObject()) {
            throw new IllegalArgumentException("tool call " + call.id()
                    + ": an Anthropic tool_use input must be a JSON object, got the arguments " + call.arguments());
        }
        return input;
    }

    /** A message object without {@code stop_reason} and {@code usage}; content is an empty array to fill. */
    private static ObjectNode message(FakeResponse.Completion completion, String model) {
        ObjectNode message = Json.object();
        message.put("id", "msg_" + Json.randomHex().substring(0, 24));
        message.put("type", "message");
        message.put("role", "assistant");
        message.put("model", model);
        message.putArray("content");
        message.putNull("stop_reason");
        message.putNull("stop_sequence");
        return message;
    }

    /**
     * Anthropic's usage: {@code input_tokens} counts the prompt tokens not read from the cache, {@code
     * cache_read_input_tokens} the cached ones (OpenAI's {@code prompt_tokens} includes them).
     */
    private static ObjectNode usage(FakeResponse.Completion completion, int outputTokens) {
        ObjectNode usage = Json.object();
        usage.put("input_tokens", completion.promptTokens() - completion.cachedTokens());
        usage.put("cache_creation_input_tokens", 0);
        usage.put("cache_read_input_tokens", completion.cachedTokens());
        usage.put("output_tokens", outputTokens);
        return usage;
    }

    /** OpenAI finish reasons mapped to Anthropic stop reasons; other values pass through. */
    static String stopReason(String finishReason) {
        switch (finishReason) {
            case "stop":
                return "end_turn";
            case "length":
                return "max_tokens";
            case "tool_calls":
                return "tool_use";
            case "content_filter":
                return "refusal";
            default:
                return finishReason;
        }
    }

    private static ObjectNode error(String type, String message, String code, String requestId) {
        ObjectNode root = Json.object().put("type", "error");
        ObjectNode error = root.putObject("error");
        error.put("type", type);
        error.put("message", message);
        if (code != null) {
            error.putObject("details").put("error_code", code);
        }
        root.put("request_id", requestId);
        return root;
    }

    private static String first(Map<String, List<String>> headers, String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    private static long retryAfterSeconds(Duration retryAfter) {
        long seconds = retryAfter.getSeconds();
        return retryAfter.getNano() > 0 ? seconds + 1 : seconds;
    }
}
