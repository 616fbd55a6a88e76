package dev.llmrotate.otel;

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
    public static final String GEN_AI_OPERATION_NAME = MetricNames.GEN_AI_OPERATION.attribute();

    /** The provider, as the semantic conventions name it, see {@link #providerName}. */
    public static final String GEN_AI_PROVIDER_NAME = MetricNames.GEN_AI_PROVIDER.attribute();

    /** The model asked for: on an attempt span, the model id sent to that provider; on metrics, the caller's. */
    public static final String GEN_AI_REQUEST_MODEL = MetricNames.MODEL.attribute();

    /** True for streamed operations. */
    public static final String GEN_AI_REQUEST_STREAM = "gen_ai.request.stream";

    /** The model that answered. */
    public static final String GEN_AI_RESPONSE_MODEL = MetricNames.GEN_AI_RESPONSE_MODEL.attribute();

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
    public static final String OPERATION_CHAT = MetricNames.OPERATION_CHAT;

    /** {@link #GEN_AI_OPERATION_NAME} value for generate-content calls, streamed or not. */
    public static final String OPERATION_GENERATE_CONTENT = MetricNames.OPERATION_GENERATE_CONTENT;

    /** {@link #GEN_AI_TOKEN_TYPE} value for prompt tokens. */
    public static final String TOKEN_TYPE_INPUT = MetricNames.TOKEN_TYPE_INPUT;

    /** {@link #GEN_AI_TOKEN_TYPE} value for completion tokens. */
    public static final String TOKEN_TYPE_OUTPUT = MetricNames.TOKEN_TYPE_OUTPUT;

    /** {@link #ERROR_TYPE} value when the failure has no type. */
    public static final String ERROR_TYPE_OTHER = MetricNames.ERROR_TYPE_OTHER;

    /**
     * {@link MetricNames#genAiOperationName}: {@code chat_stream} is {@code chat}, and so on.
     *
     * @param operation llm-rotate's operation name
     * @return the {@code gen_ai.operation.name} value
     */
    public static String operationName(String operation) {
        return MetricNames.genAiOperationName(operation);
    }

    /**
     * {@link MetricNames#genAiProviderName}: {@code google_ai_studio} is {@code gcp.gemini}, and so on.
     *
     * @param provider llm-rotate's provider type
     * @return the {@code gen_ai.provider.name} value
     */
    public static String providerName(String provider) {
        return MetricNames.genAiProviderName(provider);
    }
}
