package dev.llmrotate.spring.boot;

import dev.llmrotate.LlmRotateBuilder;

/**
 * Adjusts the {@link LlmRotateBuilder} before the auto-configured {@code LlmRotate} is built: a clock, an HTTP client,
 * an extra adapter. Every bean of this type is applied, in {@link org.springframework.core.annotation.Order} order,
 * after the starter has set the configuration and its own telemetry.
 */
@FunctionalInterface
public interface LlmRotateBuilderCustomizer {
    /**
     * Adjusts {@code builder}.
     *
     * @param builder the builder, with the configuration and the starter's telemetry already set
     */
    void customize(LlmRotateBuilder builder);
}
