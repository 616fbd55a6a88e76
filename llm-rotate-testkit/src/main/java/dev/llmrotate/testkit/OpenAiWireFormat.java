package dev.llmrotate.testkit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/** The OpenAI Chat Completions wire format: {@code POST /v1/chat/completions}, bearer keys, OpenAI error objects. */
final class OpenAiWireFormat implements WireFormat {

    static final OpenAiWireFormat INSTANCE = new OpenAiWireFormat();

    static final String CHAT_COMPLETIONS_PATH = "/v1/chat/completions";
    /** Azure OpenAI's form of the same endpoint, answered by the same fake. */
    static final java.util.regex.Pattern AZURE_CHAT_COMPLETIONS =
            java.util.regex.Pattern.compile("/openai/deployments/([^/]+)/chat/completions");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BEARER = "bearer ";
    private static final String INVALID_REQUEST = "invalid_request_error";

    private OpenAiWireFormat() {}

    @Override
    public String name() {
        return "openai";
    }

    @Override
    public String basePath() {
        return "/v1";
    }

    @Override
    public Parsed parse(String method, String path, String query, Map<String, List<String>> headers, String body) {
        JsonNode json = parseObject(body);
        JsonNode model = json.path("model");
        String bodyModel = model.isTextual() ? model.asText() : null;
        java.util.regex.Matcher azure = AZURE_CHAT_COMPLETIONS.matcher(path);
        if (azure.matches()) {
            // Azure OpenAI: the deployment names the model; the key is in the api-key header.
            List<String> apiKey = headers.get("api-key");
            Map<String, String> attributes = new LinkedHashMap<>();
            attributes.put("deployment", azure.group(1));
            String version = queryParameter(query, "api-version");
            if (version != null) {
                attributes.put("api_version", version);
            }
            return new Parsed(
                    method.equals("POST") && version != null,
                    apiKey == null || apiKey.isEmpty() ? null : apiKey.get(0).trim(),
                    bodyModel != null ? bodyModel : azure.group(1),
                    json.path("stream").asBoolean(false),
                    Map.copyOf(attributes));
        }
        return new Parsed(
                method.equals("POST") && path.equals(CHAT_COMPLETIONS_PATH),
                bearerToken(headers),
                bodyModel,
                json.path("stream").asBoolean(false),
                Map.of());
    }

    private static String queryParameter(String query, String name) {
        if (query == null) {
            return null;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals(name)) {
                return java.net.URLDecoder.decode(pair.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    /** The {@code Authorization: Bearer} token, or {@code null}. */
    static String bearerToken(Map<String, List<String>> headers) {
        List<String> values = headers.get("authorization");
        if (values == null || values.isEmpty()) {
            return null;
        }
        String value = values.get(0).trim();
        if (!value.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return null;
        }
        String key = value.substring(BEARER.length()).trim();
        return key.isEmpty() ? null : key;
    }

    @Override
    public FakeResponse unscripted(RecordedRequest request) {
        if (request.apiKey() == null) {
            return FakeResponse.error(
                    401,
                    INVALID_REQUEST,
                    "invalid_api_key",
                    "You didn't provide an API key. You need to provide your API key in an Authorization header"
                            + " using Bearer auth (i.e. Authorization: Bearer YOUR_KEY). You can obtain an API key"
                            + " from https://platform.openai.com/account/api-keys.");
        }
        if (!parseObject(request.body()).isObject()) {
            return FakeResponse.error(
                    400,
                    INVALID_REQUEST,
                    null,
                    "We could not parse the JSON body of your request. (HINT: This likely means you aren't using"
                            + " your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent"
                            + " was not valid JSON.)");
        }
        if (request.model() == null) {
            return FakeResponse.error(400, INVALID_REQUEST, null, "you must provide a model parameter");
        }
        return FakeResponse.ok("fake reply");
    }

    @Override
    public FakeResponse notFound(RecordedRequest request) {
        return FakeResponse.error(
                404, INVALID_REQUEST, null, "Invalid URL (" + request.method() + " " + request.path() + ")");
    }

    @Override
    public Rendered render(FakeResponse.Body body, RecordedRequest request) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("x-request-id", "req_" + randomHex());
        if (body instanceof FakeResponse.Completion completion) {
            return new Rendered(200, headers, bytes(completion(completion, request.model())));
        }
        if (body instanceof FakeResponse.ApiError error) {
            return new Rendered(error.status(), headers, bytes(error(error.type(), error.code(), error.message())));
        }
        if (body instanceof FakeResponse.StandardError standard) {
            return standardError(standard, request, headers);
        }
        throw new IllegalArgumentException("cannot render " + body);
    }

    private static Rendered standardError(
            FakeResponse.StandardError error, RecordedRequest request, Map<String, String> headers) {
        switch (error.kind()) {
            case RATE_LIMITED:
                long seconds = retryAfterSeconds(error.retryAfter());
                headers.put("retry-after", Long.toString(seconds));
                headers.put("x-ratelimit-remaining-requests", "0");
                String model = request.model() == null ? "this model" : request.model();
                return new Rendered(
                        429,
                        headers,
                        bytes(error(
                                "requests",
                                "rate_limit_exceeded",
                                "Rate limit reached for " + model
                                        + " in organization org-fake on requests per min (RPM): Limit 60, Used 60,"
                                        + " Requested 1. Please try again in " + seconds + "s. Visit"
                                        + " https://platform.openai.com/account/rate-limits to learn more.")));
            case INSUFFICIENT_QUOTA:
                return new Rendered(
                        429,
                        headers,
                        bytes(error(
                                "insufficient_quota",
                                "insufficient_quota",
                                "You exceeded your current quota, please check your plan and billing details. For"
                                        + " more information on this error, read the docs:"
                                        + " https://platform.openai.com/docs/guides/error-codes/api-errors.")));
            case INVALID_API_KEY:
                return new Rendered(
                        401,
                        headers,
                        bytes(error(
                                INVALID_REQUEST,
                                "invalid_api_key",
                                "Incorrect API key provided: " + mask(request.apiKey())
                                        + ". You can find your API key at"
                                        + " https://platform.openai.com/account/api-keys.")));
            case SERVER_ERROR:
                return new Rendered(
                        500,
                        headers,
                        bytes(error(
                                "server_error",
                                null,
                                "The server had an error while processing your request. Sorry about that!")));
            case OVERLOADED:
                return new Rendered(
                        503,
                        headers,
                        bytes(error(
                                "service_unavailable_error",
                                "server_is_overloaded",
                                "The server is overloaded or not ready yet.")));
            default:
                throw new IllegalArgumentException("cannot render " + error);
        }
    }

    @Override
    public StreamEncoder streamEncoder(FakeResponse.Completion completion, RecordedRequest request) {
        return new ChunkEncoder(completion, request);
    }

    /** {@code chat.completion.chunk} events, as OpenAI streams them. */
    private static final class ChunkEncoder implements StreamEncoder {

        private final FakeResponse.Completion completion;
        private final String id = "chatcmpl-" + randomHex();
        private final long created = Instant.now().getEpochSecond();
        private final String model;
        private final boolean includeUsage;

        ChunkEncoder(FakeResponse.Completion completion, RecordedRequest request) {
            this.completion = completion;
            this.model = request.model();
            this.includeUsage = parseObject(request.body())
                    .path("stream_options")
                    .path("include_usage")
                    .asBoolean(false);
        }

        @Override
        public Map<String, String> headers() {
            return Map.of("content-type", "text/event-stream; charset=utf-8", "x-request-id", "req_" + randomHex());
        }

        /** The role chunk, then the reasoning text as {@code delta.reasoning} chunks, one per word. */
        @Override
        public List<byte[]> opening() {
            ObjectNode delta = JSON.createObjectNode();
            delta.put("role", "assistant");
            delta.put("content", "");
            delta.putNull("refusal");
            List<byte[]> events = new ArrayList<>();
            events.add(event(chunk(delta, null)));
            for (String piece : FakeResponse.StreamPlan.splitAtWords(completion.reasoningText())) {
                events.add(event(chunk(JSON.createObjectNode().put("reasoning", piece), null)));
            }
            return events;
        }

        @Override
        public byte[] delta(String text) {
            ObjectNode delta = JSON.createObjectNode();
            delta.put("content", text);
            return event(chunk(delta, null));
        }

        /** An SSE comment, then a chunk whose delta has only the role, in turn. */
        @Override
        public byte[] keepAlive(int n) {
            if (n % 2 == 0) {
                return ": keep-alive\n\n".getBytes(StandardCharsets.UTF_8);
            }
            return event(chunk(JSON.createObjectNode().put("role", "assistant"), null));
        }

        @Override
        public byte[] malformed() {
            String whole = Json.string(chunk(JSON.createObjectNode().put("content", "malformed"), null));
            return Sse.data(whole.substring(0, whole.indexOf("\"choices\"") + 12), "\n");
        }

        @Override
        public byte[] error(String type, String message) {
            return event(OpenAiWireFormat.error(type, null, message));
        }

        /**
         * The tool calls (per call, a chunk with its index, id, type and name and empty arguments, then one chunk per
         * argument delta), the finish reason, and the usage chunk when asked for.
         */
        @Override
        public List<byte[]> closing() {
            List<byte[]> events = new ArrayList<>();
            List<FakeResponse.ToolCallSpec> calls = completion.toolCalls();
            for (int i = 0; i < calls.size(); i++) {
                FakeResponse.ToolCallSpec call = calls.get(i);
                ObjectNode start = toolCallDelta(i);
                start.put("id", call.id()).put("type", "function");
                start.putObject("function").put("name", call.name()).put("arguments", "");
                events.add(event(chunk(toolCalls(start), null)));
                for (String piece : call.chunks()) {
                    ObjectNode more = toolCallDelta(i);
                    more.putObject("function").put("arguments", piece);
                    events.add(event(chunk(toolCalls(more), null)));
                }
            }
            events.add(event(chunk(JSON.createObjectNode(), completion.finishReason())));
            if (includeUsage) {
                ObjectNode usage = header();
                usage.putArray("choices");
                usage.set("usage", usage(completion));
                events.add(event(usage));
            }
            return events;
        }

        private static ObjectNode toolCallDelta(int index) {
            return JSON.createObjectNode().put("index", index);
        }

        private static ObjectNode toolCalls(ObjectNode call) {
            ObjectNode delta = JSON.createObjectNode();
            delta.putArray("tool_calls").add(call);
            return delta;
        }

        @Override
        public byte[] endMarker() {
            return Sse.data("[DONE]", "\n");
        }

        private ObjectNode header() {
            ObjectNode root = JSON.createObjectNode();
            root.put("id", id);
            root.put("object", "chat.completion.chunk");
            root.put("created", created);
            root.put("model", model);
            return root;
        }

        private ObjectNode chunk(ObjectNode delta, String finishReason) {
            ObjectNode root = header();
            ObjectNode choice = root.putArray("choices").addObject();
            choice.put("index", 0);
            choice.set("delta", delta);
            choice.putNull("logprobs");
            choice.put("finish_reason", finishReason);
            if (includeUsage) {
                root.putNull("usage");
            }
            return root;
        }

        private static byte[] event(ObjectNode node) {
            return Sse.data(Json.string(node), "\n");
        }
    }

    private static ObjectNode usage(FakeResponse.Completion completion) {
        ObjectNode usage = JSON.createObjectNode();
        usage.put("prompt_tokens", completion.promptTokens());
        usage.put("completion_tokens", completion.completionTokens());
        usage.put("total_tokens", (long) completion.promptTokens() + completion.completionTokens());
        usage.putObject("prompt_tokens_details").put("cached_tokens", completion.cachedTokens());
        usage.putObject("completion_tokens_details").put("reasoning_tokens", completion.reasoningTokens());
        return usage;
    }

    private static ObjectNode completion(FakeResponse.Completion completion, String model) {
        ObjectNode root = JSON.createObjectNode();
        root.put("id", "chatcmpl-" + randomHex());
        root.put("object", "chat.completion");
        root.put("created", Instant.now().getEpochSecond());
        root.put("model", model);
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        message.put("content", completion.content());
        message.putNull("refusal");
        if (!completion.reasoningText().isEmpty()) {
            message.put("reasoning", completion.reasoningText());
        }
        if (!completion.toolCalls().isEmpty()) {
            var calls = message.putArray("tool_calls");
            for (FakeResponse.ToolCallSpec call : completion.toolCalls()) {
                ObjectNode c = calls.addObject().put("id", call.id()).put("type", "function");
                c.putObject("function").put("name", call.name()).put("arguments", call.arguments());
            }
        }
        choice.putNull("logprobs");
        choice.put("finish_reason", completion.finishReason());
        root.set("usage", usage(completion));
        return root;
    }

    private static ObjectNode error(String type, String code, String message) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode error = root.putObject("error");
        error.put("message", message);
        error.put("type", type);
        error.putNull("param");
        error.put("code", code);
        return root;
    }

    private static JsonNode parseObject(String body) {
        try {
            JsonNode node = JSON.readTree(body);
            return node == null ? JSON.missingNode() : node;
        } catch (JsonProcessingException e) {
            return JSON.missingNode();
        }
    }

    private static byte[] bytes(ObjectNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static long retryAfterSeconds(Duration retryAfter) {
        long seconds = retryAfter.getSeconds();
        return retryAfter.getNano() > 0 ? seconds + 1 : seconds;
    }

    /** Like OpenAI's message: the first three and last four characters, the rest starred. */
    private static String mask(String apiKey) {
        if (apiKey == null) {
            return "";
        }
        if (apiKey.length() <= 8) {
            return "*".repeat(apiKey.length());
        }
        return apiKey.substring(0, 3) + "*".repeat(apiKey.length() - 7) + apiKey.substring(apiKey.length() - 4);
    }

    private static String randomHex() {
        return UUID.randomUUID().toString().replace("-", "").toLowerCase(Locale.ROOT);
    }
}
