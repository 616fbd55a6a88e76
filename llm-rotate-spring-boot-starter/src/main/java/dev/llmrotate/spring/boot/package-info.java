/**
 * Spring Boot auto-configuration for llm-rotate: {@link dev.llmrotate.spring.boot.LlmRotateAutoConfiguration} builds
 * the {@code LlmRotate} bean from {@code application.yml} (the fields under {@code llm-rotate}, or a configuration
 * file it names), and, when their modules are on the class path, the LangChain4j and Spring AI chat models over it,
 * the Actuator health contributor ({@link dev.llmrotate.spring.boot.LlmRotateHealthIndicator}), Micrometer meters and
 * the control server. Every bean backs off when the application defines its own; a {@link
 * dev.llmrotate.spring.boot.LlmRotateBuilderCustomizer} adjusts the builder without replacing the bean.
 */
package dev.llmrotate.spring.boot;
