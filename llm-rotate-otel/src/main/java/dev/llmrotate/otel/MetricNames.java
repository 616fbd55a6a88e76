package dev.llmrotate.otel;

import java.util.List;

/** Names, units and bucket boundaries of llm-rotate's spans and metrics, all under the scope {@link #SCOPE}. */
public final class MetricNames {
    private MetricNames() {}

    /** The instrumentation scope of the tracer and the meter. */
    public static final String SCOPE = "llm_rotate";

    /** The span of one attempt, kind CLIENT. */
    public static final String ATTEMPT_SPAN = "llm_rotate.attempt";

    /** Counter of attempts, by {@code llm_rotate.provider}, {@code gen_ai.request.model}, {@code llm_rotate.outcome}. */
    public static final String ATTEMPTS = "llm_rotate.attempts";

    public static final String ATTEMPTS_UNIT = "{attempt}";

    /** Counter of failed attempts, by {@code llm_rotate.provider}, {@code gen_ai.request.model}, {@code error.type}. */
    public static final String ERRORS = "llm_rotate.errors";

    public static final String ERRORS_UNIT = "{error}";

    /** Counter of moves to another key after a key-level failure, by {@code llm_rotate.provider}, {@code error.type}. */
    public static final String KEY_ROTATIONS = "llm_rotate.key_rotations";

    public static final String KEY_ROTATIONS_UNIT = "{rotation}";

    /** Histogram of call durations in seconds (GenAI semantic conventions). */
    public static final String CLIENT_OPERATION_DURATION = "gen_ai.client.operation.duration";

    public static final String CLIENT_OPERATION_DURATION_UNIT = "s";

    /** Histogram of tokens per call and {@code gen_ai.token.type} (GenAI semantic conventions). */
    public static final String CLIENT_TIME_TO_FIRST_CHUNK = "gen_ai.client.operation.time_to_first_chunk";

    public static final String CLIENT_TIME_TO_FIRST_CHUNK_UNIT = "s";
    public static final String CLIENT_TOKEN_USAGE = "gen_ai.client.token.usage";

    public static final String CLIENT_TOKEN_USAGE_UNIT = "{token}";

    /** Bucket boundaries advised for {@link #CLIENT_OPERATION_DURATION}, in seconds. */
    public static final List<Double> DURATION_BUCKETS =
            List.of(0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92);

    /** Bucket boundaries advised for {@link #CLIENT_TOKEN_USAGE}, as the GenAI semantic conventions give them. */
    public static final List<Long> TOKEN_BUCKETS = List.of(
            1L, 4L, 16L, 64L, 256L, 1024L, 4096L, 16384L, 65536L, 262144L, 1048576L, 4194304L, 16777216L, 67108864L);
}
