package dev.llmrotate.internal.provider.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.internal.provider.http.RetryHints;
import dev.llmrotate.spi.HttpResult;
import dev.llmrotate.spi.ProviderException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * Classifies Bedrock Runtime errors. The error code comes from the {@code x-amzn-ErrorType} header (e.g.
 * {@code ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/}), else from the body's
 * {@code __type} or {@code code}; it is cut at the first {@code :} and after the first {@code #}, as the AWS SDKs
 * do. The message is the body's {@code message} (or {@code Message}). Streamed exceptions carry the code in the
 * {@code :exception-type} header in lower camel case ({@code throttlingException}); both spellings are accepted.
 *
 * <table>
 *   <caption>Codes and what the engine does</caption>
 *   <tr><th>code (HTTP status)</th><th>error type</th></tr>
 *   <tr><td>ThrottlingException (429)</td><td>rate_limit</td></tr>
 *   <tr><td>ServiceQuotaExceededException (400)</td><td>quota_exhausted: an account quota, not a momentary
 *       limit</td></tr>
 *   <tr><td>AccessDeniedException (403)</td><td>permission_denied</td></tr>
 *   <tr><td>UnrecognizedClientException, InvalidSignatureException, IncompleteSignature, ExpiredTokenException,
 *       InvalidClientTokenId, MissingAuthenticationToken (403/400)</td><td>invalid_auth</td></tr>
 *   <tr><td>ResourceNotFoundException (404)</td><td>model_unavailable</td></tr>
 *   <tr><td>ModelNotReadyException (429)</td><td>transient_server_error: the model is being made ready; the AWS
 *       SDKs retry it (up to 5 times) without treating it as throttling, so it is retried with backoff, not
 *       charged to the key as a rate limit</td></tr>
 *   <tr><td>ModelTimeoutException (408)</td><td>timeout</td></tr>
 *   <tr><td>ValidationException (400)</td><td>context_length_exceeded when the message says the input is too
 *       long; model_unavailable when it says the model id is invalid or needs an inference profile; else
 *       invalid_request</td></tr>
 *   <tr><td>ModelErrorException, ModelStreamErrorException (424), InternalServerException (500),
 *       ServiceUnavailableException (503)</td><td>transient_server_error</td></tr>
 * </table>
 *
 * Unknown codes fall back to the status: 429 rate_limit, 401 invalid_auth, 403 permission_denied, 404
 * model_unavailable, 408 timeout, other 4xx invalid_request, 5xx transient_server_error.
 */
public final class BedrockErrorClassifier {
    private static final List<String> CONTEXT_LENGTH_PHRASES = List.of(
            "input is too long",
            "prompt is too long",
            "too many input tokens",
            "too many total text bytes",
            "maximum context length",
            "context length",
            "context window");
    private static final List<String> MODEL_ID_PHRASES = List.of(
            "model identifier is invalid",
            "with on-demand throughput isn't supported",
            "with on-demand throughput isn’t supported");

    private final ObjectMapper json;

    public BedrockErrorClassifier(ObjectMapper json) {
        this.json = json;
    }

    /** The classified failure of a non-2xx response. */
    public ProviderException classify(HttpResult response, Instant now) {
        JsonNode body = parse(response.body());
        String code = response.headers()
                .firstValue("x-amzn-errortype")
                .map(BedrockErrorClassifier::sanitize)
                .filter(c -> !c.isEmpty())
                .orElseGet(() -> sanitize(text(body, "__type", "code")));
        String message = text(body, "message", "Message");
        ErrorType type = classify(response.status(), code, message);
        Duration retryAfter = RetryHints.retryAfter(response.headers(), now);
        String detail = "HTTP " + response.status() + (code.isEmpty() ? "" : " " + code)
                + (message.isEmpty() ? "" : ": " + message);
        return new ProviderException(type, response.status(), retryAfter, detail);
    }

    /**
     * The classified failure of an exception message inside a stream ({@code :message-type} {@code exception}):
     * its {@code :exception-type} and JSON payload.
     */
    public ProviderException classifyStreamException(String exceptionType, String payload) {
        String code = sanitize(exceptionType == null ? "" : exceptionType);
        String message = text(parse(payload), "message", "Message");
        ErrorType type = classify(0, code, message);
        return new ProviderException(
                type, null, null, "stream exception " + code + (message.isEmpty() ? "" : ": " + message));
    }

    /** The classified failure of an error message inside a stream ({@code :message-type} {@code error}). */
    public ProviderException classifyStreamError(String errorCode, String errorMessage) {
        String code = sanitize(errorCode == null ? "" : errorCode);
        String message = errorMessage == null ? "" : errorMessage;
        return new ProviderException(
                classify(0, code, message),
                null,
                null,
                "stream error " + code + (message.isEmpty() ? "" : ": " + message));
    }

    static ErrorType classify(int status, String code, String message) {
        String lowerMessage = message.toLowerCase(Locale.ROOT);
        switch (code.toLowerCase(Locale.ROOT)) {
            case "throttlingexception", "toomanyrequestsexception", "throttling" -> {
                return ErrorType.RATE_LIMIT;
            }
            case "servicequotaexceededexception" -> {
                return ErrorType.QUOTA_EXHAUSTED;
            }
            case "accessdeniedexception" -> {
                return ErrorType.PERMISSION_DENIED;
            }
            case "unrecognizedclientexception",
                    "invalidsignatureexception",
                    "incompletesignature",
                    "incompletesignatureexception",
                    "expiredtokenexception",
                    "expiredtoken",
                    "invalidclienttokenid",
                    "missingauthenticationtoken",
                    "missingauthenticationtokenexception",
                    "signaturedoesnotmatch" -> {
                return ErrorType.INVALID_AUTH;
            }
            case "resourcenotfoundexception" -> {
                return ErrorType.MODEL_UNAVAILABLE;
            }
            case "modelnotreadyexception" -> {
                return ErrorType.TRANSIENT_SERVER_ERROR;
            }
            case "modeltimeoutexception" -> {
                return ErrorType.TIMEOUT;
            }
            case "validationexception" -> {
                return validation(lowerMessage);
            }
            case "modelerrorexception",
                    "modelstreamerrorexception",
                    "internalserverexception",
                    "internalfailure",
                    "serviceunavailableexception",
                    "serviceunavailable" -> {
                return ErrorType.TRANSIENT_SERVER_ERROR;
            }
            default -> {
                return byStatus(status, lowerMessage);
            }
        }
    }

    private static ErrorType validation(String lowerMessage) {
        if (CONTEXT_LENGTH_PHRASES.stream().anyMatch(lowerMessage::contains)) {
            return ErrorType.CONTEXT_LENGTH_EXCEEDED;
        }
        if (MODEL_ID_PHRASES.stream().anyMatch(lowerMessage::contains)) {
            return ErrorType.MODEL_UNAVAILABLE;
        }
        return ErrorType.INVALID_REQUEST;
    }

    private static ErrorType byStatus(int status, String lowerMessage) {
        return switch (status) {
            case 429 -> ErrorType.RATE_LIMIT;
            case 401 -> ErrorType.INVALID_AUTH;
            case 403 -> ErrorType.PERMISSION_DENIED;
            case 404 -> ErrorType.MODEL_UNAVAILABLE;
            case 408 -> ErrorType.TIMEOUT;
            case 400, 413, 422 -> validation(lowerMessage);
            default -> status >= 500 ? ErrorType.TRANSIENT_SERVER_ERROR : ErrorType.UNKNOWN;
        };
    }

    /** {@code ns#Code:url} to {@code Code}, as the AWS SDKs sanitise error codes. */
    static String sanitize(String raw) {
        String code = raw.strip();
        int colon = code.indexOf(':');
        if (colon >= 0) {
            code = code.substring(0, colon);
        }
        int hash = code.indexOf('#');
        if (hash >= 0) {
            code = code.substring(hash + 1);
        }
        return code;
    }

    private JsonNode parse(String body) {
        try {
            JsonNode node = json.readTree(body == null ? "" : body);
            return node == null || !node.isObject() ? json.createObjectNode() : node;
        } catch (Exception notJson) {
            // A proxy's HTML page or plain text: the status and the header still classify.
            return json.createObjectNode();
        }
    }

    private static String text(JsonNode node, String... fields) {
        for (String field : fields) {
            JsonNode value = node.get(field);
            if (value != null && value.isTextual()) {
                return value.asText();
            }
        }
        return "";
    }
}
