package dev.llmrotate.observe;

import dev.llmrotate.config.ProviderCatalog;
import java.util.List;
import java.util.Locale;

/**
 * The names, units and label keys of llm-rotate's metrics, in one place for every exporter: the {@code llm-rotate-otel}
 * module reports under {@link Metric#name()} with the labels' {@link Label#attribute()} keys; the control server's
 * Prometheus endpoint under {@link Metric#prometheusName()} with their {@link Label#prometheus()} keys; the
 * {@code llm-rotate-micrometer} module under {@link Metric#name()}, with the {@link Label#attribute()} keys on the
 * {@code gen_ai.*} metrics and the {@link Label#prometheus()} keys on llm-rotate's own. The
 * {@code gen_ai.*} names follow the OpenTelemetry GenAI semantic conventions (status: Development); the others are
 * llm-rotate's own, under the namespace {@value #NAMESPACE}.
 *
 * <p>A Prometheus name is derived from the metric's name and unit by one rule: the name is put in the namespace
 * {@code llm_rotate} (unless it is there already), dots become underscores, the unit is appended as a suffix
 * ({@code s} as {@code _seconds}, {@code USD} as {@code _usd}; annotations such as {@code {token}} add nothing), and a
 * counter ends in {@code _total}: {@code llm_rotate.attempts} is {@code llm_rotate_attempts_total},
 * {@code gen_ai.client.operation.duration} is {@code llm_rotate_gen_ai_client_operation_duration_seconds}.
 */
public final class MetricNames {
    private MetricNames() {}

    /** The namespace of every metric and the OpenTelemetry instrumentation scope. */
    public static final String NAMESPACE = "llm_rotate";

    /** What a metric measures, in the words both OpenTelemetry and Prometheus use. */
    public enum Type {
        /** A monotonic sum. */
        COUNTER,
        /** A distribution over bucket boundaries. */
        HISTOGRAM,
        /** A value read when scraped. */
        GAUGE,
        /** One series per state, 1 for the state the thing is in and 0 for the others (OpenMetrics StateSet). */
        STATE_SET
    }

    /**
     * One metric.
     *
     * @param name the OpenTelemetry instrument name, e.g. {@code llm_rotate.attempts}
     * @param type what it measures
     * @param unit the UCUM unit as OpenTelemetry writes it ({@code s}, {@code {token}}), or null for a state set
     * @param description one line, the HELP text
     */
    public record Metric(String name, Type type, String unit, String description) {

        /**
         * The name as Prometheus exposes it; see {@link MetricNames} for the rule.
         *
         * @return e.g. {@code llm_rotate_attempts_total}
         */
        public String prometheusName() {
            String base = (name.startsWith(NAMESPACE + ".") ? name : NAMESPACE + "." + name).replace('.', '_');
            String suffix = prometheusUnit();
            if (suffix != null && !base.endsWith("_" + suffix)) {
                base = base + "_" + suffix;
            }
            return type == Type.COUNTER ? base + "_total" : base;
        }

        /**
         * The unit as a Prometheus name suffix: {@code seconds} for {@code s}, the unit in lower case for other
         * units, null for none and for annotations in braces ({@code {token}}), which name what is counted, not a
         * unit.
         *
         * @return the suffix, or null
         */
        public String prometheusUnit() {
            if (unit == null || unit.isEmpty() || unit.startsWith("{")) {
                return null;
            }
            return unit.equals("s") ? "seconds" : unit.toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One label key.
     *
     * @param attribute the OpenTelemetry attribute key, e.g. {@code llm_rotate.provider}
     * @param prometheus the Prometheus label name, e.g. {@code provider}
     */
    public record Label(String attribute, String prometheus) {}

    // Counters.

    /** Calls by provider, model asked for, key and outcome (Prometheus; in OpenTelemetry the duration's count). */
    public static final Metric CALLS =
            new Metric("llm_rotate.calls", Type.COUNTER, "{call}", "Calls made through llm-rotate, by outcome");

    /** Attempts by provider, model sent and outcome (and key, in Prometheus). */
    public static final Metric ATTEMPTS =
            new Metric("llm_rotate.attempts", Type.COUNTER, "{attempt}", "Attempts made by llm-rotate, by outcome");

    /** Failed attempts by provider, model sent and error type (and key, in Prometheus). */
    public static final Metric ERRORS =
            new Metric("llm_rotate.errors", Type.COUNTER, "{error}", "Failed attempts, by error type");

    /** Moves to another key after a key-level failure, by provider and the failure's error type. */
    public static final Metric KEY_ROTATIONS = new Metric(
            "llm_rotate.key_rotations",
            Type.COUNTER,
            "{rotation}",
            "Moves to another key after a key-level failure, by its error type");

    /** Calls answered by a fallback route (Prometheus). */
    public static final Metric FALLBACKS =
            new Metric("llm_rotate.fallbacks", Type.COUNTER, "{call}", "Calls answered by a fallback route");

    /** Tokens by provider, model, key and token type (Prometheus; in OpenTelemetry the token usage's sum). */
    public static final Metric TOKENS =
            new Metric("llm_rotate.tokens", Type.COUNTER, "{token}", "Tokens used, by token type");

    /** Estimated cost of the calls that could be priced, by provider, model and key (Prometheus). */
    public static final Metric COST = new Metric(
            "llm_rotate.cost", Type.COUNTER, "USD", "Estimated cost in US dollars of the calls that could be priced");

    // Histograms.

    /** Call durations in seconds (GenAI semantic conventions). */
    public static final Metric CLIENT_OPERATION_DURATION =
            new Metric("gen_ai.client.operation.duration", Type.HISTOGRAM, "s", "GenAI operation duration");

    /** Time to the first chunk of a streamed call, in seconds (GenAI semantic conventions). */
    public static final Metric CLIENT_TIME_TO_FIRST_CHUNK = new Metric(
            "gen_ai.client.operation.time_to_first_chunk",
            Type.HISTOGRAM,
            "s",
            "Time to receive the first chunk of a streamed GenAI response");

    /** Tokens per call and token type (GenAI semantic conventions; OpenTelemetry). */
    public static final Metric CLIENT_TOKEN_USAGE = new Metric(
            "gen_ai.client.token.usage", Type.HISTOGRAM, "{token}", "Number of input and output tokens used");

    // Gauges, read from the health report when scraped.

    /** Each key's state (Prometheus). */
    public static final Metric KEY_STATE = new Metric(
            "llm_rotate.key.state", Type.STATE_SET, null, "The key's health state: 1 for the state it is in");

    /** Seconds until a key can serve again (Prometheus). */
    public static final Metric KEY_AVAILABLE_IN = new Metric(
            "llm_rotate.key.available_in",
            Type.GAUGE,
            "s",
            "Seconds until the key can serve one of its models: 0 when it can now, +Inf when never by itself");

    /** Requests a key's {@code rate_limit_rpm} budget admits now (Prometheus). */
    public static final Metric KEY_REQUESTS_REMAINING = new Metric(
            "llm_rotate.key.requests_remaining",
            Type.GAUGE,
            "{request}",
            "Requests left in the key's rate_limit_rpm budget over the last minute");

    /** Tokens left in a key's {@code rate_limit_tpm} budget (Prometheus). */
    public static final Metric KEY_TOKENS_REMAINING = new Metric(
            "llm_rotate.key.tokens_remaining",
            Type.GAUGE,
            "{token}",
            "Tokens left in the key's rate_limit_tpm budget over the last minute");

    /** Keys of a provider that can serve a call now (Prometheus). */
    public static final Metric PROVIDER_AVAILABLE_KEYS = new Metric(
            "llm_rotate.provider.available_keys",
            Type.GAUGE,
            "{key}",
            "Keys of the provider that can serve a call now");

    // Counters per caller (ChatRequest.caller: the gateway key's id), fed by every finished call's record. Prometheus.

    /** Calls by caller and outcome. */
    public static final Metric CALLER_CALLS = new Metric(
            "llm_rotate.caller.calls", Type.COUNTER, "{call}", "Calls by caller (the gateway key's id) and outcome");

    /** Tokens by caller and token type. */
    public static final Metric CALLER_TOKENS =
            new Metric("llm_rotate.caller.tokens", Type.COUNTER, "{token}", "Tokens used by caller and token type");

    /** Estimated cost by caller. */
    public static final Metric CALLER_COST = new Metric(
            "llm_rotate.caller.cost",
            Type.COUNTER,
            "USD",
            "Estimated cost in US dollars of the priced calls, by caller");

    // Counters of a whole fleet, read from a shared state store when scraped: what a control server in standalone
    // mode (an observer, LlmRotate.observe) exposes instead of the per-call counters and histograms above, which
    // only the process making the calls can keep. Prometheus only.

    /** Calls of every process sharing the state store, by provider, key and outcome ({@code success}, {@code error}). */
    public static final Metric FLEET_KEY_CALLS = new Metric(
            "llm_rotate.fleet.key.calls",
            Type.COUNTER,
            "{call}",
            "Calls of every process sharing the state store, by key and outcome");

    /** Failed calls of every process sharing the state store, by provider, key and error type. */
    public static final Metric FLEET_KEY_ERRORS = new Metric(
            "llm_rotate.fleet.key.errors",
            Type.COUNTER,
            "{call}",
            "Failed calls of every process sharing the state store, by key and error type");

    /** Tokens of every process sharing the state store, by provider, key and token type. */
    public static final Metric FLEET_KEY_TOKENS = new Metric(
            "llm_rotate.fleet.key.tokens",
            Type.COUNTER,
            "{token}",
            "Tokens used by every process sharing the state store, by key and token type");

    /** Estimated cost of every process sharing the state store, by provider and key. */
    public static final Metric FLEET_KEY_COST = new Metric(
            "llm_rotate.fleet.key.cost",
            Type.COUNTER,
            "USD",
            "Estimated cost in US dollars of the priced calls of every process sharing the state store, by key");

    /** Calls of every process sharing the state store, by model and outcome. */
    public static final Metric FLEET_MODEL_CALLS = new Metric(
            "llm_rotate.fleet.model.calls",
            Type.COUNTER,
            "{call}",
            "Calls of every process sharing the state store, by model and outcome");

    /** Tokens of every process sharing the state store, by model and token type. */
    public static final Metric FLEET_MODEL_TOKENS = new Metric(
            "llm_rotate.fleet.model.tokens",
            Type.COUNTER,
            "{token}",
            "Tokens used by every process sharing the state store, by model and token type");

    /** Estimated cost of every process sharing the state store, by model. */
    public static final Metric FLEET_MODEL_COST = new Metric(
            "llm_rotate.fleet.model.cost",
            Type.COUNTER,
            "USD",
            "Estimated cost in US dollars of the priced calls of every process sharing the state store, by model");

    /** Every metric above, in the order listed. */
    public static final List<Metric> ALL = List.of(
            CALLS,
            ATTEMPTS,
            ERRORS,
            KEY_ROTATIONS,
            FALLBACKS,
            TOKENS,
            COST,
            CLIENT_OPERATION_DURATION,
            CLIENT_TIME_TO_FIRST_CHUNK,
            CLIENT_TOKEN_USAGE,
            KEY_STATE,
            KEY_AVAILABLE_IN,
            KEY_REQUESTS_REMAINING,
            KEY_TOKENS_REMAINING,
            PROVIDER_AVAILABLE_KEYS,
            CALLER_CALLS,
            CALLER_TOKENS,
            CALLER_COST,
            FLEET_KEY_CALLS,
            FLEET_KEY_ERRORS,
            FLEET_KEY_TOKENS,
            FLEET_KEY_COST,
            FLEET_MODEL_CALLS,
            FLEET_MODEL_TOKENS,
            FLEET_MODEL_COST);

    // Labels.

    /** llm-rotate's provider id, such as {@code google_ai_studio}. */
    public static final Label PROVIDER = new Label("llm_rotate.provider", "provider");

    /** The key's configured {@code key_id} (never its secret or mask). */
    public static final Label KEY_ID = new Label("llm_rotate.key_id", "key_id");

    /** A model id: the one asked for, or on attempts the one sent to that provider. */
    public static final Label MODEL = new Label("gen_ai.request.model", "model");

    /** A call's or an attempt's outcome, such as {@code success}. */
    public static final Label OUTCOME = new Label("llm_rotate.outcome", "outcome");

    /** The failure: llm-rotate's error type wire name, such as {@code rate_limit}. */
    public static final Label ERROR_TYPE = new Label("error.type", "error_type");

    /** What kind of tokens: {@code input}, {@code output}, and in Prometheus also the parts of those. */
    public static final Label TOKEN_TYPE = new Label("gen_ai.token.type", "token_type");

    /** Who made the call ({@code ChatRequest.caller}; the gateway's key id), bounded in number by the exporter. */
    public static final Label CALLER = new Label("llm_rotate.caller", "caller");

    /** The GenAI operation, see {@link #genAiOperationName}; on the {@code gen_ai.*} metrics. */
    public static final Label GEN_AI_OPERATION = new Label("gen_ai.operation.name", "gen_ai_operation_name");

    /** The provider as the GenAI conventions name it, see {@link #genAiProviderName}; on the {@code gen_ai.*} metrics. */
    public static final Label GEN_AI_PROVIDER = new Label("gen_ai.provider.name", "gen_ai_provider_name");

    /** The model that answered; on the {@code gen_ai.*} metrics. */
    public static final Label GEN_AI_RESPONSE_MODEL = new Label("gen_ai.response.model", "gen_ai_response_model");

    // Label values.

    /** {@link #ERROR_TYPE} value when the failure has no type. */
    public static final String ERROR_TYPE_OTHER = "_OTHER";

    /** {@link #TOKEN_TYPE} value for prompt tokens. */
    public static final String TOKEN_TYPE_INPUT = "input";

    /** {@link #TOKEN_TYPE} value for completion tokens. */
    public static final String TOKEN_TYPE_OUTPUT = "output";

    /** {@link #TOKEN_TYPE} value for prompt tokens served from cache (a part of {@code input}). */
    public static final String TOKEN_TYPE_CACHED_INPUT = "cached_input";

    /** {@link #TOKEN_TYPE} value for output tokens spent on reasoning (a part of {@code output}). */
    public static final String TOKEN_TYPE_REASONING = "reasoning";

    /**
     * {@link #MODEL} value, in Prometheus, for a model outside the configuration (a provider's dated model id, say),
     * so that the number of series stays bounded by the configuration.
     */
    public static final String MODEL_OTHER = "other";

    /** {@link #GEN_AI_OPERATION} value for chat calls, streamed or not. */
    public static final String OPERATION_CHAT = "chat";

    /** {@link #GEN_AI_OPERATION} value for generate-content calls, streamed or not. */
    public static final String OPERATION_GENERATE_CONTENT = "generate_content";

    /** Bucket boundaries for {@link #CLIENT_OPERATION_DURATION} and {@link #CLIENT_TIME_TO_FIRST_CHUNK}, seconds. */
    public static final List<Double> DURATION_BUCKETS =
            List.of(0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92);

    /** Bucket boundaries for {@link #CLIENT_TOKEN_USAGE}, as the GenAI semantic conventions give them. */
    public static final List<Long> TOKEN_BUCKETS = List.of(
            1L, 4L, 16L, 64L, 256L, 1024L, 4096L, 16384L, 65536L, 262144L, 1048576L, 4194304L, 16777216L, 67108864L);

    /**
     * The {@link #GEN_AI_OPERATION} value of one of llm-rotate's operations: {@code chat} and {@code chat_stream} are
     * {@code chat}, {@code generate_content} and {@code generate_content_stream} are {@code generate_content}; any
     * other name is returned as it is.
     *
     * @param operation llm-rotate's operation name ({@link CallRecord#operation()}), or null
     * @return the {@code gen_ai.operation.name} value, or null for null
     */
    public static String genAiOperationName(String operation) {
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
     * The {@link #GEN_AI_PROVIDER} value of one of llm-rotate's provider ids:
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
     *
     * @param provider llm-rotate's provider id, or null
     * @return the {@code gen_ai.provider.name} value, or null for null
     */
    public static String genAiProviderName(String provider) {
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

    /**
     * The {@link #ERROR_TYPE} of a call that did not succeed, on the {@code gen_ai.*} metrics: the outcome for {@code
     * no_available_key} and {@code cancelled}, else the record's error type ({@value #ERROR_TYPE_OTHER} when it has
     * none).
     *
     * @param record a call that did not succeed
     * @return the {@code error.type} value
     */
    public static String callErrorType(CallRecord record) {
        String outcome = record.outcome();
        if (CallRecord.NO_AVAILABLE_KEY.equals(outcome) || CallRecord.CANCELLED.equals(outcome)) {
            return outcome;
        }
        return record.errorType() != null ? record.errorType() : ERROR_TYPE_OTHER;
    }
}
