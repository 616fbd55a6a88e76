package dev.llmrotate.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmrotate.LlmRotate;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.cloud.context.environment.EnvironmentChangeEvent;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;

/** A refresh that changes llm-rotate properties reloads the engine; an invalid change is refused and logged. */
@ExtendWith(OutputCaptureExtension.class)
class ConfigReloadTest extends StarterTestSupport {

    @Test
    void aChangeOfOurPropertiesReloadsTheLiveEngine() {
        runner().withPropertyValues(twoKeys()).run(context -> {
            LlmRotate lm = context.getBean(LlmRotate.class);
            change(context, Map.of("llm-rotate.defaults.max-retries", "7", "llm-rotate.priorities.oa-2", "5"));

            context.publishEvent(new EnvironmentChangeEvent(context, Set.of("llm-rotate.defaults.max-retries")));

            assertThat(context.getBean(LlmRotate.class)).isSameAs(lm);
            assertThat(lm.config().defaults().maxRetries()).isEqualTo(7);
            assertThat(lm.config().activeKeys())
                    .filteredOn(k -> k.keyId().equals("oa-2"))
                    .extracting(k -> k.priority())
                    .containsExactly(5);
        });
    }

    @Test
    void otherPropertiesChangingLeaveTheEngineAlone() {
        runner().withPropertyValues(twoKeys()).run(context -> {
            LlmRotate lm = context.getBean(LlmRotate.class);
            change(context, Map.of("llm-rotate.defaults.max-retries", "7"));

            context.publishEvent(new EnvironmentChangeEvent(context, Set.of("spring.datasource.url")));

            assertThat(lm.config().defaults().maxRetries()).isEqualTo(2);
        });
    }

    @Test
    void anInvalidChangeIsRefusedWithTheLibrarysMessagesAndTheConfigurationInForceStays(CapturedOutput output) {
        runner().withPropertyValues(twoKeys()).run(context -> {
            LlmRotate lm = context.getBean(LlmRotate.class);
            change(context, Map.of("llm-rotate.defaults.max-retries", "lots"));

            context.publishEvent(new EnvironmentChangeEvent(context, Set.of("llm-rotate.defaults.max-retries")));

            assertThat(lm.config().defaults().maxRetries()).isEqualTo(2);
            assertThat(output.getAll())
                    .contains("the changed llm-rotate properties are invalid; the configuration in force stays")
                    .contains("llm-rotate.defaults.max_retries: expected an integer");
        });
    }

    @Test
    void noReloaderWithoutSpringCloud() {
        runner().withPropertyValues(twoKeys())
                .withClassLoader(new FilteredClassLoader(EnvironmentChangeEvent.class))
                .run(context -> assertThat(context).doesNotHaveBean(ConfigReloader.class));
    }

    private static void change(ConfigurableApplicationContext context, Map<String, Object> properties) {
        context.getEnvironment().getPropertySources().addFirst(new MapPropertySource("refreshed", properties));
    }
}
