/**
 * The configuration: {@link dev.llmrotate.config.LlmRotateConfig} with its keys ({@link dev.llmrotate.config.KeySpec},
 * secrets behind a {@link dev.llmrotate.config.SecretRef}), per-provider and per-model settings, defaults, fallback
 * chains, pricing and the state store, read from YAML or JSON by {@link dev.llmrotate.config.ConfigLoader} or built in
 * code. Invalid configuration fails with a {@link dev.llmrotate.error.ConfigurationException} listing every problem by
 * its path.
 */
package dev.llmrotate.config;
