package dev.llmrotate.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Gemini wire format, on both Google AI Studio paths ({@code /v1beta/models/{model}:generateContent}, key in
 * {@code x-goog-api-key}) and Vertex AI paths ({@code /v1/projects/{p}/locations/{r}/publishers/google/models/{model}
 * :generateContent}, OAuth bearer tokens from the server's own token endpoint), with {@code google.rpc.Status}
 * errors. One instance per server: it holds the token endpoint's state.
 */
final class GeminiWireFormat implements WireFormat {

    static final String NAME = "gemini";
    static final String AI_STUDIO = "ai-studio";
    static final String VERTEX = "vertex";

    private static final Pattern AI_STUDIO_PATH =
            Pattern.compile("/(v1beta|v1)/models/([^/:]+):(generateContent|streamGenerateContent)");
    private static final Pattern VERTEX_PATH = Pattern.compile("/(v1|v1beta1)/projects/([^/]+)/locations/([^/]+)"
            + "/publishers/google/models/([^/:]+):(generateContent|streamGenerateContent)");
    private static final String STREAM_METHOD = "streamGenerateContent";
    private static final String CRLF = "\r\n";

    private final OAuthTokenEndpoint tokens;

    GeminiWireFormat(OAuthTokenEndpoint tokens) {
        this.tokens = tokens;
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
        Map<String, String> attributes = new LinkedHashMap<>();
        boolean post = method.equals("POST");
        Matcher studio = AI_STUDIO_PATH.matcher(path);
        if (studio.matches()) {
            attributes.put("api", AI_STUDIO);
            attributes.put("version", studio.group(1));
            attributes.put("method", studio.group(3));
            String key = first(headers, "x-goog-api-key");
            if (key == null) {
                key = queryParameter(query, "key");
            }
            addAlt(query, attributes);
            return new Parsed(
                    post,
                    key == null || key.isBlank() ? null : key.trim(),
                    decode(studio.group(2)),
                    studio.group(3).equals(STREAM_METHOD),
                    attributes);
        }
        Matcher vertex = VERTEX_PATH.matcher(path);
        if (vertex.matches()) {
            attributes.put("api", VERTEX);
            attributes.put("version", vertex.group(1));
            attributes.put("project", decode(vertex.group(2)));
            attributes.put("region", decode(vertex.group(3)));
            attributes.put("method", vertex.group(5));
            addAlt(query, attributes);
            String token = OpenAiWireFormat.bearerToken(headers);
            String apiKey = token;
            if (token == null) {
                attributes.put("tokenStatus", "missing");
            } else {
                OAuthTokenEndpoint.Issued issued = tokens.lookup(token);
                if (issued == null) {
                    attributes.put("tokenStatus", "unknown");
                } else {
                    attributes.put("serviceAccount", issued.clientEmail());
                    if (issued.isValid()) {
                        attributes.put("tokenStatus", "valid");
                        apiKey = issued.clientEmail(); // scripts select service accounts, not token strings
                    } else {
                        attributes.put("tokenStatus", "expired");
                    }
                }
            }
            return new Parsed(
                    post, apiKey, decode(vertex.group(4)), vertex.group(5).equals(STREAM_METHOD), attributes);
        }
        return new Parsed(false, null, null, false, attributes);
    }

    @Override
    public FakeResponse intercept(RecordedRequest request) {
        return request.path().equals(OAuthTokenEndpoint.PATH) ? tokens.handle(request) : null;
    }

    @Override
    public FakeResponse unscripted(RecordedRequest request) {
        if (isVertex(request)) {
            String status = request.attribute("tokenStatus");
            if (!"valid".equals(status)) {
                String reason = switch (status) {
                    case "expired" -> "ACCESS_TOKEN_EXPIRED";
                    case "missing" -> "CREDENTIALS_MISSING";
                    default -> null;
                };
                return FakeResponse.error(
                        401,
                        "UNAUTHENTICATED",
                        reason,
                        "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie"
                                + " or other valid authentication credential. See"
                                + " https://developers.google.com/identity/sign-in/web/devconsole-project.");
            }
        } else if (request.apiKey() == null) {
            return FakeResponse.error(
                    403,
                    "PERMISSION_DENIED",
                    null,
                    "Method doesn't allow unregistered callers (callers without established identity). Please use"
                            + " API Key or other form of API consumer identity to call this API.");
        }
        if (!Json.parse(request.body()).isObject()) {
            return FakeResponse.error(400, "INVALID_ARGUMENT", null, "Invalid JSON payload received.");
        }
        return FakeResponse.ok("fake reply");
    }

    @Override
    public FakeResponse notFound(RecordedRequest request) {
        return FakeResponse.error(404, "NOT_FOUND", null, "Method not found.");
    }

    @Override
    public Rendered render(FakeResponse.Body body, RecordedRequest request) {
        if (body instanceof FakeResponse.Completion completion) {
            return new Rendered(200, Map.of(), Json.bytes(response(completion, request, true, null)));
        }
        if (body instanceof FakeResponse.ApiError error) {
            ArrayNode details = Json.MAPPER.createArrayNode();
            if (error.code() != null) {
                details.add(errorInfo(error.code(), request));
            }
            return googleError(error.status(), error.type(), error.message(), details);
        }
        if (body instanceof FakeResponse.StandardError standard) {
            return standardError(standard, request);
        }
        throw new IllegalArgumentException("cannot render " + body);
    }

    private static Rendered standardError(FakeResponse.StandardError error, RecordedRequest request) {
        switch (error.kind()) {
            case RATE_LIMITED:
                return quotaExceeded(request, GeminiResponses.PER_MINUTE_QUOTA, 15, error.retryAfter());
            case INSUFFICIENT_QUOTA:
                return quotaExceeded(request, GeminiResponses.PER_DAY_QUOTA, 0, null);
            case INVALID_API_KEY:
                return isVertex(request) ? unauthenticated() : apiKeyInvalid(request);
            case SERVER_ERROR:
                return internal();
            case OVERLOADED:
                return unavailable();
            default:
                throw new IllegalArgumentException("cannot render " + error);
        }
    }

    static Rendered quotaExceeded(RecordedRequest request, String quotaId, long limit, Duration retryDelay) {
        String model = request.model() == null ? "unknown" : request.model();
        String metric = "generativelanguage.googleapis.com/generate_content_free_tier_requests";
        StringBuilder message = new StringBuilder(
                "You exceeded your current quota, please check your plan and billing details. For more information"
                        + " on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits. To monitor"
                        + " your current usage, head to: https://ai.dev/rate-limit. \n* Quota exceeded for metric: ");
        message.append(metric)
                .append(", limit: ")
                .append(limit)
                .append(", model: ")
                .append(model);
        if (retryDelay != null) {
            message.append("\nPlease retry in ")
                    .append(protobufDuration(retryDelay))
                    .append('.');
        }
        ArrayNode details = Json.MAPPER.createArrayNode();
        ObjectNode quotaFailure = details.addObject().put("@type", "type.googleapis.com/google.rpc.QuotaFailure");
        ObjectNode violation = quotaFailure.putArray("violations").addObject();
        violation.put("quotaMetric", metric);
        violation.put("quotaId", quotaId);
        violation.putObject("quotaDimensions").put("location", "global").put("model", model);
        violation.put("quotaValue", Long.toString(limit));
        if (retryDelay != null) {
            details.addObject()
                    .put("@type", "type.googleapis.com/google.rpc.RetryInfo")
                    .put("retryDelay", protobufDuration(retryDelay));
        }
        return googleError(429, "RESOURCE_EXHAUSTED", message.toString(), details);
    }

    static Rendered apiKeyInvalid(RecordedRequest request) {
        ArrayNode details = Json.MAPPER.createArrayNode();
        details.add(errorInfo("API_KEY_INVALID", request));
        return googleError(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.", details);
    }

    static Rendered unauthenticated() {
        return googleError(
                401,
                "UNAUTHENTICATED",
                "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other"
                        + " valid authentication credential.",
                Json.MAPPER.createArrayNode());
    }

    static Rendered permissionDenied() {
        return googleError(
                403, "PERMISSION_DENIED", "The caller does not have permission", Json.MAPPER.createArrayNode());
    }

    static Rendered internal() {
        return googleError(
                500,
                "INTERNAL",
                "An internal error has occurred. Please retry or report in"
                        + " https://developers.generativeai.google/guide/troubleshooting",
                Json.MAPPER.createArrayNode());
    }

    static Rendered unavailable() {
        return googleError(
                503, "UNAVAILABLE", "The model is overloaded. Please try again later.", Json.MAPPER.createArrayNode());
    }

    static Rendered deadlineExceeded() {
        return googleError(
                504,
                "DEADLINE_EXCEEDED",
                "Deadline expired before operation could complete.",
                Json.MAPPER.createArrayNode());
    }

    /** {@code {"error":{"code":…,"message":…,"status":…,"details":[…]}}}, details left out when empty. */
    static Rendered googleError(int code, String status, String message, ArrayNode details) {
        return new Rendered(code, Map.of(), Json.bytes(errorBody(code, status, message, details)));
    }

    private static ObjectNode errorBody(int code, String status, String message, ArrayNode details) {
        ObjectNode root = Json.object();
        ObjectNode error = root.putObject("error");
        error.put("code", code);
        error.put("message", message);
        error.put("status", status);
        if (details != null && !details.isEmpty()) {
            error.set("details", details);
        }
        return root;
    }

    private static ObjectNode errorInfo(String reason, RecordedRequest request) {
        ObjectNode info = Json.object();
        info.put("@type", "type.googleapis.com/google.rpc.ErrorInfo");
        info.put("reason", reason);
        info.put("domain", "googleapis.com");
        info.putObject("metadata").put("service", service(request));
        return info;
    }

    private static String service(RecordedRequest request) {
        return isVertex(request) ? "aiplatform.googleapis.com" : "generativelanguage.googleapis.com";
    }

    /** The HTTP code of a {@code google.rpc.Code} name, for mid-stream errors. */
    static int httpCode(String status) {
        switch (status) {
            case "INVALID_ARGUMENT":
            case "FAILED_PRECONDITION":
            case "OUT_OF_RANGE":
                return 400;
            case "UNAUTHENTICATED":
                return 401;
            case "PERMISSION_DENIED":
                return 403;
            case "NOT_FOUND":
                return 404;
            case "ABORTED":
            case "ALREADY_EXISTS":
                return 409;
            case "RESOURCE_EXHAUSTED":
                return 429;
            case "CANCELLED":
                return 499;
            case "NOT_IMPLEMENTED":
            case "UNIMPLEMENTED":
                return 501;
            case "UNAVAILABLE":
                return 503;
            case "DEADLINE_EXCEEDED":
                return 504;
            default:
                return 500;
        }
    }

    /** A protobuf JSON duration: seconds with up to nine fractional digits, e.g. {@code 34s} or {@code 1.5s}. */
    static String protobufDuration(Duration duration) {
        BigDecimal seconds = BigDecimal.valueOf(duration.getSeconds())
                .add(BigDecimal.valueOf(duration.getNano(), 9))
                .stripTrailingZeros();
        return seconds.toPlainString() + "s";
    }

    /** OpenAI finish reasons mapped to Gemini's; other values pass through. */
    static String finishReason(String finishReason) {
        switch (finishReason) {
            case "stop":
            case "tool_calls":
                return "STOP";
            case "length":
                return "MAX_TOKENS";
            case "content_filter":
                return "SAFETY";
            default:
                return finishReason;
        }
    }

    @Override
    public StreamEncoder streamEncoder(FakeResponse.Completion completion, RecordedRequest request) {
        signature(completion); // fails now for what Gemini cannot render
        return new ResponseEncoder(completion, request);
    }

    /** {@code data: {GenerateContentResponse}} events with CRLF framing, as {@code alt=sse} streams them. */
    private static final class ResponseEncoder implements StreamEncoder {

        private final FakeResponse.Completion completion;
        private final RecordedRequest request;
        private final String responseId = responseId();

        ResponseEncoder(FakeResponse.Completion completion, RecordedRequest request) {
            this.completion = completion;
            this.request = request;
        }

        @Override
        public Map<String, String> headers() {
            return Map.of("content-type", "text/event-stream");
        }

        /** One event per reasoning block: a thought part, the last one signed when nothing follows it. */
        @Override
        public List<byte[]> opening() {
            List<FakeResponse.ReasoningSpec> blocks = completion.reasoning();
            boolean signLast =
                    completion.content() == null && completion.toolCalls().isEmpty();
            String signature = signature(completion);
            List<byte[]> events = new ArrayList<>();
            for (int i = 0; i < blocks.size(); i++) {
                ArrayNode parts = Json.MAPPER.createArrayNode();
                ObjectNode part =
                        parts.addObject().put("text", blocks.get(i).text()).put("thought", true);
                if (signLast && signature != null && i == blocks.size() - 1) {
                    part.put("thoughtSignature", signature);
                }
                events.add(event(parts));
            }
            return events;
        }

        private byte[] event(ArrayNode parts) {
            ObjectNode response = Json.object();
            ObjectNode candidate = response.putArray("candidates").addObject();
            ObjectNode content = candidate.putObject("content");
            content.set("parts", parts);
            content.put("role", "model");
            candidate.put("index", 0);
            response.put("modelVersion", request.model());
            response.put("responseId", responseId);
            return Sse.data(Json.string(response), CRLF);
        }

        /** A candidate with an empty text part and no finish reason. */
        @Override
        public byte[] keepAlive(int n) {
            return delta("");
        }

        @Override
        public byte[] delta(String text) {
            ObjectNode response = Json.object();
            ObjectNode candidate = response.putArray("candidates").addObject();
            ObjectNode content = candidate.putObject("content");
            content.putArray("parts").addObject().put("text", text);
            content.put("role", "model");
            candidate.put("index", 0);
            response.put("modelVersion", request.model());
            response.put("responseId", responseId);
            return Sse.data(Json.string(response), CRLF);
        }

        @Override
        public byte[] malformed() {
            return Sse.data("{\"candidates\": [{\"content\": {\"parts\": [{\"text\": ", CRLF);
        }

        @Override
        public byte[] error(String type, String message) {
            return Sse.data(Json.string(errorBody(httpCode(type), type, message, null)), CRLF);
        }

        /** The function calls, whole, in one event (Gemini does not stream arguments), the first one signed. */
        @Override
        public List<byte[]> closing() {
            if (completion.toolCalls().isEmpty()) {
                return List.of();
            }
            ArrayNode parts = Json.MAPPER.createArrayNode();
            addCalls(parts, completion);
            return List.of(event(parts));
        }

        @Override
        public byte[] endMarker() {
            ObjectNode last = response(completion, request, false, responseId);
            return Sse.data(Json.string(last), CRLF);
        }
    }

    /**
     * A {@code GenerateContentResponse} with the finish reason and usage; {@code withText}: the whole content (a
     * non-streamed answer), otherwise an empty text part (the last event of a stream).
     */
    private static ObjectNode response(
            FakeResponse.Completion completion, RecordedRequest request, boolean withText, String responseId) {
        ObjectNode response = Json.object();
        ObjectNode candidate = response.putArray("candidates").addObject();
        ObjectNode content = candidate.putObject("content");
        String signature = signature(completion);
        ArrayNode parts;
        if (!withText) {
            parts = content.putArray("parts");
            ObjectNode last = parts.addObject().put("text", "");
            if (signature != null
                    && completion.content() != null
                    && completion.toolCalls().isEmpty()) {
                last.put("thoughtSignature", signature); // Gemini 3 signs the last part of an answer
            }
        } else {
            parts = thoughts(
                    completion,
                    completion.content() == null && completion.toolCalls().isEmpty());
            content.set("parts", parts);
            if (completion.content() != null) {
                ObjectNode text = parts.addObject().put("text", completion.content());
                if (signature != null && completion.toolCalls().isEmpty()) {
                    text.put("thoughtSignature", signature);
                }
            }
            addCalls(parts, completion);
        }
        content.put("role", "model");
        candidate.put("finishReason", finishReason(completion.finishReason()));
        candidate.put("index", 0);
        ObjectNode usage = response.putObject("usageMetadata");
        usage.put("promptTokenCount", completion.promptTokens());
        usage.put("candidatesTokenCount", completion.completionTokens() - completion.reasoningTokens());
        usage.put("totalTokenCount", (long) completion.promptTokens() + completion.completionTokens());
        usage.put("cachedContentTokenCount", completion.cachedTokens());
        usage.put("thoughtsTokenCount", completion.reasoningTokens());
        response.put("modelVersion", request.model());
        response.put("responseId", responseId == null ? responseId() : responseId);
        return response;
    }

    /**
     * The signature Gemini returns for the reasoning (that of the last reasoning block); Gemini has no encrypted
     * reasoning blocks.
     */
    private static String signature(FakeResponse.Completion completion) {
        String signature = null;
        for (FakeResponse.ReasoningSpec block : completion.reasoning()) {
            if (block.redacted()) {
                throw new IllegalArgumentException("the fake gemini server cannot render redacted reasoning: Gemini"
                        + " returns thought summaries and signatures, never encrypted reasoning blocks");
            }
            signature = block.signature();
        }
        return signature;
    }

    /** The thought parts of the reasoning blocks; the last one signed when {@code signLast}. */
    private static ArrayNode thoughts(FakeResponse.Completion completion, boolean signLast) {
        ArrayNode parts = Json.MAPPER.createArrayNode();
        for (FakeResponse.ReasoningSpec block : completion.reasoning()) {
            parts.addObject().put("text", block.text()).put("thought", true);
        }
        String signature = signature(completion);
        if (signLast && signature != null && !parts.isEmpty()) {
            ((ObjectNode) parts.get(parts.size() - 1)).put("thoughtSignature", signature);
        }
        return parts;
    }

    /**
     * {@code {"functionCall": {"id", "name", "args"}}} parts, {@code id} only when the script gave one (Gemini often
     * gives none); the first call carries the reasoning's signature, as Gemini signs the first call of a step.
     */
    private static void addCalls(ArrayNode parts, FakeResponse.Completion completion) {
        String signature = signature(completion);
        for (FakeResponse.ToolCallSpec call : completion.toolCalls()) {
            JsonNode args = Json.parse(call.arguments());
            if (!args.isObject()) {
                throw new IllegalArgumentException("tool call " + call.name()
                        + ": Gemini functionCall args must be a JSON object, got the arguments " + call.arguments());
            }
            ObjectNode part = parts.addObject();
            ObjectNode f = part.putObject("functionCall");
            if (!call.id().isEmpty()) {
                f.put("id", call.id());
            }
            f.put("name", call.name());
            f.set("args", args);
            if (signature != null) {
                part.put("thoughtSignature", signature);
                signature = null;
            }
        }
    }

    private static String responseId() {
        UUID uuid = UUID.randomUUID();
        byte[] bytes = new byte[16];
        for (int i = 0; i < 8; i++) {
            bytes[i] = (byte) (uuid.getMostSignificantBits() >>> (8 * i));
            bytes[8 + i] = (byte) (uuid.getLeastSignificantBits() >>> (8 * i));
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static boolean isVertex(RecordedRequest request) {
        return VERTEX.equals(request.attribute("api"));
    }

    private static void addAlt(String query, Map<String, String> attributes) {
        String alt = queryParameter(query, "alt");
        if (alt != null) {
            attributes.put("alt", alt);
        }
    }

    private static String queryParameter(String query, String name) {
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            if (decode(key).equals(name)) {
                return eq < 0 ? "" : decode(pair.substring(eq + 1));
            }
        }
        return null;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    private static String first(Map<String, List<String>> headers, String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
