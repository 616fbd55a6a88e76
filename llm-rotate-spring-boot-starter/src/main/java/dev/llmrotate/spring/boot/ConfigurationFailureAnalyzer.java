package dev.llmrotate.spring.boot;

import dev.llmrotate.error.ConfigurationException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Start-up that fails on llm-rotate's configuration shows the library's messages (every problem, each with its
 * property) instead of a bean creation stack trace.
 */
final class ConfigurationFailureAnalyzer extends AbstractFailureAnalyzer<ConfigurationException> {
    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, ConfigurationException cause) {
        return new FailureAnalysis(
                "llm-rotate's configuration is invalid:\n\n  - " + String.join("\n  - ", cause.problems()),
                "Fix the properties named above. Field names are shown in the configuration file's snake_case; "
                        + "under llm-rotate in application.yml, key-id, keyId and key_id name the same property.",
                cause);
    }
}
