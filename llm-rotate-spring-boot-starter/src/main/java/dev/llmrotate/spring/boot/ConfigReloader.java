package dev.llmrotate.spring.boot;

import dev.llmrotate.LlmRotate;
import dev.llmrotate.error.ConfigurationException;
import dev.llmrotate.observe.LogNames;
import java.util.Collection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.core.env.Environment;

/**
 * Reloads the engine's configuration when Spring Cloud reports changed {@code llm-rotate.*} properties (its
 * {@code EnvironmentChangeEvent}: {@code /actuator/refresh}, Spring Cloud Config, Kubernetes config maps). Keys that
 * remain keep their health; calls in flight finish on the configuration they started with. A new configuration that
 * is invalid is refused with the library's messages in the log, and the one in force stays. Spring Cloud is not a
 * dependency: the event is recognised by its class name.
 */
final class ConfigReloader implements ApplicationListener<ApplicationEvent> {
    static final String ENVIRONMENT_CHANGE_EVENT =
            "org.springframework.cloud.context.environment.EnvironmentChangeEvent";
    private static final Logger LOG = LoggerFactory.getLogger(LogNames.CONFIG);

    private final LlmRotate lm;
    private final Environment environment;

    ConfigReloader(LlmRotate lm, Environment environment) {
        this.lm = lm;
        this.environment = environment;
    }

    @Override
    public void onApplicationEvent(ApplicationEvent event) {
        if (!event.getClass().getName().equals(ENVIRONMENT_CHANGE_EVENT) || !namesOurs(changedKeys(event))) {
            return;
        }
        try {
            StarterSettings settings = LlmRotateAutoConfiguration.settings(environment);
            if (settings.configFile() == null && settings.config().isEmpty()) {
                return; // an engine the application built itself, not from these properties
            }
            lm.reloadConfig(ConfigurationSource.load(settings));
            LOG.info("configuration reloaded after a change of llm-rotate properties");
        } catch (ConfigurationException e) {
            LOG.error(
                    "the changed llm-rotate properties are invalid; the configuration in force stays:\n  - {}",
                    String.join("\n  - ", e.problems()));
        }
    }

    private static Collection<?> changedKeys(ApplicationEvent event) {
        try {
            Object keys = event.getClass().getMethod("getKeys").invoke(event);
            return keys instanceof Collection<?> c ? c : java.util.List.of();
        } catch (ReflectiveOperationException | RuntimeException e) {
            return java.util.List.of();
        }
    }

    private static boolean namesOurs(Collection<?> keys) {
        for (Object key : keys) {
            String name = String.valueOf(key).toLowerCase(java.util.Locale.ROOT).replace('_', '-');
            if (name.startsWith(PropertyTree.PREFIX + ".") || name.startsWith("llmrotate")) {
                return true;
            }
        }
        return false;
    }
}
