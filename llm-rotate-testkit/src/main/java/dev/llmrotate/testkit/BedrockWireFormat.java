package dev.llmrotate.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Amazon Bedrock Runtime Converse wire format: {@code POST /model/{modelId}/converse} (JSON) and {@code POST
 * /model/{modelId}/converse-stream} ({@code application/vnd.amazon.eventstream}), SigV4-signed requests, errors as
 * {@code x-amzn-ErrorType} plus {@code {"message":…}}.
 */
final class BedrockWireFormat implements WireFormat {

    static final String NAME = "aws_bedrock";
    static final String SIGNING_NAME = "bedrock";
    static final String EVENT_STREAM = "application/vnd.amazon.eventstream";

    private static final Pattern ENDPOINT = Pattern.compile("/model/([^/]+)/(converse|converse-stream)");
    private static final String ERROR_TYPE_SUFFIX = ":http://internal.amazon.com/coral/com.amazon.bedrock/";

    private final SigV4Verifier verifier;
    private final java.util.Set<String> apiKeys;

    BedrockWireFormat(SigV4Verifier verifier, java.util.Set<String> apiKeys) {
        this.verifier = verifier;
        this.apiKeys = apiKeys;
    }

    /** The Bedrock API key of a request that carries one ({@code Authorization: Bearer …}), else null. */
    private static String bearer(Map<String, List<String>> headers) {
        for (Map.Entry<String, List<String>> header : headers.entrySet()) {
            if (header.getKey().equalsIgnoreCase("authorization")
                    && !header.getValue().isEmpty()) {
                String value = header.getValue().get(0);
                return value.regionMatches(true, 0, "Bearer ", 0, 7)
                        ? value.substring(7).strip()
                        : null;
            }
        }
        return null;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String basePath() {
        return "";
    }

    @Override
    public Parsed parse(String method, String path, String query, Map<String, List<String>> headers, String body) {
        Matcher m = ENDPOINT.matcher(path);
        boolean endpoint = method.equals("POST") && m.matches();
        String apiKey = bearer(headers);
        SigV4Verifier.Credential credential = apiKey == null ? SigV4Verifier.credential(headers) : null;
        Map<String, String> attributes = new LinkedHashMap<>();
        if (apiKey != null) {
            attributes.put("auth", "api_key");
        }
        if (endpoint) {
            attributes.put("operation", m.group(2).equals("converse") ? "Converse" : "ConverseStream");
        }
        if (credential != null) {
            attributes.put("region", credential.region());
            attributes.put("service", credential.service());
        }
        return new Parsed(
                endpoint,
                apiKey != null ? apiKey : credential == null ? null : credential.accessKeyId(),
                endpoint ? URLDecoder.decode(m.group(1).replace("+", "%2B"), StandardCharsets.UTF_8) : null,
                endpoint && m.group(2).equals("converse-stream"),
                attributes);
    }

    /** Every endpoint request must be signed, for the {@code bedrock} service, by accepted credentials. */
    @Override
    public FakeResponse preflight(RecordedRequest request) {
        if ("api_key".equals(request.attribute("auth"))) {
            return apiKeys.contains(request.apiKey())
                    ? null
                    : exception(
                            403,
                            "UnrecognizedClientException",
                            "The security token included in the request is" + " invalid.");
        }
        SigV4Verifier.Failure failure = verifier.verify(
                request.method(),
                request.path(),
                request.query(),
                request.headers(),
                request.body().getBytes(StandardCharsets.UTF_8));
        if (failure == null && !SIGNING_NAME.equals(request.attribute("service"))) {
            failure = new SigV4Verifier.Failure(
                    403,
                    "InvalidSignatureException",
                    "Credential should be scoped to correct service: '" + SIGNING_NAME + "'. ");
        }
        return failure == null ? null : exception(failure.status(), failure.code(), failure.message());
    }

    @Override
    public FakeResponse unscripted(RecordedRequest request) {
        JsonNode body = Json.parse(request.body());
        JsonNode messages = body.path("messages");
        if (!body.isObject() || !messages.isArray() || messages.isEmpty()) {
            return exception(
                    400,
                    "ValidationException",
                    "The model returned the following errors: messages: field"
                            + " required and must be a non-empty list");
        }
        return FakeResponse.ok("fake reply");
    }

    @Override
    public FakeResponse notFound(RecordedRequest request) {
        return exception(
                404, "UnknownOperationException", "No operation at " + request.method() + " " + request.path());
    }

    /** An AWS error: {@code x-amzn-ErrorType: {code}:http://internal.amazon.com/…} and {@code {"message":…}}. */
    static FakeResponse exception(int status, String code, String message) {
        return FakeResponse.formatSpecific(NAME, status + " " + code, r -> rendered(status, code, message));
    }

    private static Rendered rendered(int status, String code, String message) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("x-amzn-requestid", UUID.randomUUID().toString());
        headers.put("x-amzn-errortype", code + ERROR_TYPE_SUFFIX);
        return new Rendered(status, headers, Json.bytes(Json.object().put("message", message)));
    }

    @Override
    public Rendered render(FakeResponse.Body body, RecordedRequest request) {
        if (body instanceof FakeResponse.Completion completion) {
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("x-amzn-requestid", UUID.randomUUID().toString());
            ObjectNode root = Json.object();
            ObjectNode message = root.putObject("output").putObject("message");
            message.put("role", "assistant");
            ArrayNode content = message.putArray("content");
            for (FakeResponse.ReasoningSpec block : completion.reasoning()) {
                content.addObject().set("reasoningContent", reasoningBlock(block));
            }
            if (hasTextBlock(completion)) {
                content.addObject().put("text", completion.content());
            }
            for (FakeResponse.ToolCallSpec call : completion.toolCalls()) {
                content.addObject().set("toolUse", toolUse(call).set("input", input(call)));
            }
            root.put("stopReason", stopReason(completion.finishReason()));
            root.set("usage", usage(completion));
            root.putObject("metrics").put("latencyMs", 42);
            return new Rendered(200, headers, Json.bytes(root));
        }
        if (body instanceof FakeResponse.ApiError error) {
            return rendered(error.status(), error.type(), error.message());
        }
        if (body instanceof FakeResponse.StandardError standard) {
            return switch (standard.kind()) {
                case RATE_LIMITED ->
                    rendered(429, "ThrottlingException", "Too many requests, please wait before trying again.");
                case INSUFFICIENT_QUOTA ->
                    rendered(
                            400,
                            "ServiceQuotaExceededException",
                            "Your request exceeds the service quota for your account. You can view your quotas at Viewing"
                                    + " service quotas. You can resubmit your request later.");
                case INVALID_API_KEY ->
                    rendered(
                            403,
                            "UnrecognizedClientException",
                            "The security token included in the request is invalid.");
                case SERVER_ERROR ->
                    rendered(
                            500,
                            "InternalServerException",
                            "The system encountered an unexpected error during processing. Try your request again.");
                case OVERLOADED ->
                    rendered(503, "ServiceUnavailableException", "Bedrock is unable to process your" + " request.");
            };
        }
        throw new IllegalArgumentException("cannot render " + body);
    }

    /** OpenAI-style finish reasons as Bedrock stop reasons; Bedrock's own names pass through. */
    static String stopReason(String finishReason) {
        if (finishReason == null) {
            return "end_turn";
        }
        return switch (finishReason) {
            case "stop" -> "end_turn";
            case "length" -> "max_tokens";
            case "content_filter" -> "content_filtered";
            case "tool_calls" -> "tool_use";
            default -> finishReason;
        };
    }

    /** Bedrock's usage: {@code inputTokens} leaves out cache reads, which {@code cacheReadInputTokens} reports. */
    static ObjectNode usage(FakeResponse.Completion completion) {
        ObjectNode usage = Json.object();
        int input = completion.promptTokens() - completion.cachedTokens();
        usage.put("inputTokens", input);
        usage.put("outputTokens", completion.completionTokens());
        usage.put("totalTokens", (long) completion.promptTokens() + completion.completionTokens());
        if (completion.cachedTokens() > 0) {
            usage.put("cacheReadInputTokens", completion.cachedTokens());
            usage.put("cacheWriteInputTokens", 0);
        }
        return usage;
    }

    /** A text block unless the answer is only tool calls or reasoning without text. */
    private static boolean hasTextBlock(FakeResponse.Completion completion) {
        return completion.content() != null
                || (completion.toolCalls().isEmpty() && completion.reasoning().isEmpty());
    }

    /** A {@code reasoningContent} union: {@code reasoningText {text, signature}} or {@code redactedContent}. */
    private static ObjectNode reasoningBlock(FakeResponse.ReasoningSpec block) {
        if (block.redacted()) {
            return Json.object().put("redactedContent", block.text());
        }
        ObjectNode reasoning = Json.object();
        reasoning.putObject("reasoningText").put("text", block.text()).put("signature", block.signature());
        return reasoning;
    }

    /** A {@code toolUse} block's (or stream start's) {@code toolUseId} and {@code name}. */
    private static ObjectNode toolUse(FakeResponse.ToolCallSpec call) {
        return Json.object().put("toolUseId", call.id()).put("name", call.name());
    }

    /** The arguments as Converse's {@code input} document, which must then be a JSON object. */
    private static JsonNode input(FakeResponse.ToolCallSpec call) {
        JsonNode input = Json.parse(call.arguments());
        if (!input.isObject()) {
            throw new IllegalArgumentException("tool call " + call.id()
                    + ": a Bedrock toolUse input must be a JSON object, got the arguments " + call.arguments());
        }
        return input;
    }

    @Override
    public StreamEncoder streamEncoder(FakeResponse.Completion completion, RecordedRequest request) {
        return new ConverseStreamEncoder(completion);
    }

    /**
     * ConverseStream events: {@code messageStart}; each reasoning block (a {@code reasoningContent.text} delta per
     * word, then one with its {@code signature}; redacted: one {@code redactedContent} delta) and its {@code
     * contentBlockStop}; one text {@code contentBlockDelta} per chunk and the text block's {@code contentBlockStop}
     * (none when the answer is tool calls without text); each tool use block ({@code contentBlockStart} with {@code
     * start.toolUse}, a {@code toolUse.input} delta per argument delta, {@code contentBlockStop}); then, as the end
     * marker, {@code messageStop} and {@code metadata}. Blocks are numbered in that order. Every event carries a
     * {@code p} padding field, as Bedrock's do.
     */
    private static final class ConverseStreamEncoder implements StreamEncoder {
        private final FakeResponse.Completion completion;
        private final String requestId = UUID.randomUUID().toString();
        /** The index of the text block: after the reasoning blocks. */
        private final int textIndex;

        private boolean textSent;

        ConverseStreamEncoder(FakeResponse.Completion completion) {
            this.completion = completion;
            this.textIndex = completion.reasoning().size();
        }

        @Override
        public Map<String, String> headers() {
            return Map.of("content-type", EVENT_STREAM, "x-amzn-requestid", requestId);
        }

        @Override
        public List<byte[]> opening() {
            List<byte[]> events = new ArrayList<>();
            events.add(event("messageStart", Json.object().put("role", "assistant")));
            List<FakeResponse.ReasoningSpec> reasoning = completion.reasoning();
            for (int i = 0; i < reasoning.size(); i++) {
                FakeResponse.ReasoningSpec block = reasoning.get(i);
                if (block.redacted()) {
                    events.add(blockDelta(i, "reasoningContent", Json.object().put("redactedContent", block.text())));
                } else {
                    for (String piece : FakeResponse.StreamPlan.splitAtWords(block.text())) {
                        events.add(
                                blockDelta(i, "reasoningContent", Json.object().put("text", piece)));
                    }
                    events.add(blockDelta(i, "reasoningContent", Json.object().put("signature", block.signature())));
                }
                events.add(blockStop(i));
            }
            return events;
        }

        @Override
        public byte[] delta(String text) {
            textSent = true;
            ObjectNode payload = Json.object().put("contentBlockIndex", textIndex);
            payload.putObject("delta").put("text", text);
            return event("contentBlockDelta", payload);
        }

        /** A {@code contentBlockDelta} with empty text. */
        @Override
        public byte[] keepAlive(int n) {
            return delta("");
        }

        /** Bedrock's framing makes corruption a checksum failure: a delta whose message CRC does not match. */
        @Override
        public byte[] malformed() {
            return EventStreamEncoder.withBadMessageCrc(delta("corrupt"));
        }

        @Override
        public byte[] error(String type, String message) {
            return EventStreamEncoder.exception(type, Json.string(Json.object().put("message", message)));
        }

        @Override
        public List<byte[]> closing() {
            List<byte[]> events = new ArrayList<>();
            int index = textIndex;
            if (textSent || hasTextBlock(completion)) {
                events.add(blockStop(index++));
            }
            for (FakeResponse.ToolCallSpec call : completion.toolCalls()) {
                ObjectNode start = Json.object().put("contentBlockIndex", index);
                start.putObject("start").set("toolUse", toolUse(call));
                events.add(event("contentBlockStart", start));
                for (String piece : call.chunks()) {
                    events.add(blockDelta(index, "toolUse", Json.object().put("input", piece)));
                }
                events.add(blockStop(index++));
            }
            return events;
        }

        @Override
        public byte[] endMarker() {
            byte[] stop = event("messageStop", Json.object().put("stopReason", stopReason(completion.finishReason())));
            ObjectNode metadata = Json.object();
            metadata.set("usage", usage(completion));
            metadata.putObject("metrics").put("latencyMs", 42);
            byte[] meta = event("metadata", metadata);
            byte[] both = Arrays.copyOf(stop, stop.length + meta.length);
            System.arraycopy(meta, 0, both, stop.length, meta.length);
            return both;
        }

        private static byte[] blockDelta(int index, String kind, ObjectNode value) {
            ObjectNode payload = Json.object().put("contentBlockIndex", index);
            payload.putObject("delta").set(kind, value);
            return event("contentBlockDelta", payload);
        }

        private static byte[] blockStop(int index) {
            return event("contentBlockStop", Json.object().put("contentBlockIndex", index));
        }

        private static byte[] event(String type, ObjectNode payload) {
            payload.put("p", "abcdefgh");
            return EventStreamEncoder.event(type, Json.string(payload));
        }
    }
}
