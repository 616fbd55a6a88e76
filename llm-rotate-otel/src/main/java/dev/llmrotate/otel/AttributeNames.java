package dev.llmrotate.otel;

import dev.llmrotate.config.ProviderCatalog;
import dev.llmrotate.observe.MetricNames;

/**
 * The span name and attribute names on llm-rotate's spans and metrics; the metric names, and the keys of attributes
 * that metrics carry, come from {@link MetricNames} in the core, which the Prometheus endpoint shares. The
 * {@code gen_ai.*} names follow the OpenTelemetry GenAI semantic conventions (status: Development). They are defined
 * here rather than taken from {@code opentelemetry-semconv-incubating}, whose GenAI constants are all deprecated and
 * have no Java successor yet. The {@code llm_rotate.*} names are llm-rotate's own.
 */
public final class AttributeNames {
    private AttributeNames() {}

    /** The span of one attempt, kind CLIENT. */
    public static final String ATTEMPT_SPAN = "llm_rotate.attempt";

    /** {@code chat} or {@code generate_content}, see {@link #operationName}. */
    public static final String GEN_AI_OPERATION_NAME = "gen_ai.operation.name";

    /** The provider, as the semantic conventions name it, see {@link #providerName}. */
    public static final String GEN_AI_PROVIDER_NAME = "gen_ai.provider.name";

    /** The model asked for: on an attempt span, the model id sent to that provider; on metrics, the caller's. */
    public static final String GEN_AI_REQUEST_MODEL = MetricNames.MODEL.attribute();

    /** True for streamed operations. */
    public static final String GEN_AI_REQUEST_STREAM = "gen_ai.request.stream";

    /** The model that answered. */
    public static final String GEN_AI_RESPONSE_MODEL = "gen_ai.response.model";

    /** Why the model stopped, a string array: {@code stop}, {@code length}, {@code content_filter}, ... */
    public static final String GEN_AI_RESPONSE_FINISH_REASONS = "gen_ai.response.finish_reasons";

    /** Prompt tokens. */
    public static final String GEN_AI_USAGE_INPUT_TOKENS = "gen_ai.usage.input_tokens";

    /** Completion tokens. */
    public static final String GEN_AI_USAGE_OUTPUT_TOKENS = "gen_ai.usage.output_tokens";

    /** {@code input} or {@code output}, on {@code gen_ai.client.token.usage}. */
    public static final String GEN_AI_TOKEN_TYPE = MetricNames.TOKEN_TYPE.attribute();

    /** The failure: llm-rotate's error type wire name, such as {@code rate_limit}. */
    public static final String ERROR_TYPE = MetricNames.ERROR_TYPE.attribute();

    /** The HTTP status of a failed attempt, when there was one. */
    public static final String HTTP_RESPONSE_STATUS_CODE = "http.response.status_code";

    /** llm-rotate's provider id, such as {@code google_ai_studio}. */
    public static final String LLM_ROTATE_PROVIDER = MetricNames.PROVIDER.attribute();

    /** The key's configured {@code key_id} (never its secret or mask). */
    public static final String LLM_ROTATE_KEY_ID = MetricNames.KEY_ID.attribute();

    /** The attempt's number within its call, from 1. */
    public static final String LLM_ROTATE_ATTEMPT = "llm_rotate.attempt";

    /** True when the attempt follows a key rotation (the previous attempt failed at key level). */
    public static final String LLM_ROTATE_ROTATION = "llm_rotate.rotation";

    /** The model the caller asked for, on attempt spans whose model differs from it (a fallback route). */
    public static final String LLM_ROTATE_REQUESTED_MODEL = "llm_rotate.requested_model";

    /** {@code success} or {@code error}, on {@code llm_rotate.attempts}. */
    public static final String LLM_ROTATE_OUTCOME = MetricNames.OUTCOME.attribute();

    /** {@link #GEN_AI_OPERATION_NAME} value for chat calls, streamed or not. */
    public static final String OPERATION_CHAT = "chat";

    /** {@link #GEN_AI_OPERATION_NAME} value for generate-content calls, streamed or not. */
    public static final String OPERATION_GENERATE_CONTENT = "generate_content";

    /** {@link #GEN_AI_TOKEN_TYPE} value for prompt tokens. */
    public static final String TOKEN_TYPE_INPUT = MetricNames.TOKEN_TYPE_INPUT;

    /** {@link #GEN_AI_TOKEN_TYPE} value for completion tokens. */
    public static final String TOKEN_TYPE_OUTPUT = MetricNames.TOKEN_TYPE_OUTPUT;

    /** {@link #ERROR_TYPE} value when the failure has no type. */
    public static final String ERROR_TYPE_OTHER = MetricNames.ERROR_TYPE_OTHER;

    /**
     * The {@link #GEN_AI_OPERATION_NAME} of one of llm-rotate's operations: {@code chat} and {@code chat_stream} are
     * {@code chat}, {@code generate_content} and {@code generate_content_stream} are {@code generate_content}; any
     * other name is returned as it is.
     */
    public static String operationName(String operation) {
        if (operation == null) {
            return null;
        }
        return switch (operation) {
            case "chat", "chat_stream" -> OPERATION_CHAT;
            case "generate_content", "generate_content_stream" -> OPERATION_GENERATE_CONTENT;
            default -> operation;
        };
    }

    /**
     * The {@link #GEN_AI_PROVIDER_NAME} of one of llm-rotate's provider ids:
     *
     * <table>
     *   <caption>provider ids</caption>
     *   <tr><th>llm-rotate</th><th>gen_ai.provider.name</th></tr>
     *   <tr><td>openai</td><td>openai</td></tr>
     *   <tr><td>anthropic</td><td>anthropic</td></tr>
     *   <tr><td>google_ai_studio</td><td>gcp.gemini</td></tr>
     *   <tr><td>google_vertex</td><td>gcp.vertex_ai</td></tr>
     *   <tr><td>azure_openai</td><td>azure.ai.openai</td></tr>
     *   <tr><td>aws_bedrock</td><td>aws.bedrock</td></tr>
     *   <tr><td>openrouter</td><td>openrouter (not in the conventions' list)</td></tr>
     * </table>
     *
     * Any other id (a custom adapter's) is returned as it is.
     */
    public static String providerName(String provider) {
        if (provider == null) {
            return null;
        }
        return switch (provider) {
            case ProviderCatalog.OPENAI -> "openai";
            case ProviderCatalog.ANTHROPIC -> "anthropic";
            case ProviderCatalog.GOOGLE_AI_STUDIO -> "gcp.gemini";
            case ProviderCatalog.GOOGLE_VERTEX -> "gcp.vertex_ai";
            case ProviderCatalog.AZURE_OPENAI -> "azure.ai.openai";
            case ProviderCatalog.AWS_BEDROCK -> "aws.bedrock";
            case ProviderCatalog.OPENROUTER -> "openrouter";
            default -> provider;
        };
    }
}
