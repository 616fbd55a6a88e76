package dev.llmrotate.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmrotate.LlmRotate;
import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.observe.MetricNames;
import dev.llmrotate.testkit.FakeResponse;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.FilteredClassLoader;

/** The starter puts llm-rotate's meters on the application's registry, once per measurement, unless switched off. */
class MetricsStarterTest extends StarterTestSupport {

    @Test
    void aRotatedCallIsCountedOnceWithItsAttemptsAndTokens() {
        openai.forKey(SECRET_1).always(FakeResponse.rateLimited(Duration.ofSeconds(30)));
        openai.forKey(SECRET_2).always(FakeResponse.ok("answer", 11, 4));
        runner().withPropertyValues(plus(twoKeys(), "llm-rotate.metrics.gen-ai-token-usage=true"))
                .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .run(context -> {
                    context.getBean(LlmRotate.class).chat(GPT, List.of(ChatMessage.user("Hi")));
                    MeterRegistry registry = context.getBean(MeterRegistry.class);

                    assertThat(registry.get(MetricNames.CALLS.name()).counter().count())
                            .isEqualTo(1);
                    assertThat(registry.get(MetricNames.ATTEMPTS.name()).counters())
                            .extracting(c -> c.count())
                            .containsExactlyInAnyOrder(1.0, 1.0);
                    assertThat(registry.get(MetricNames.KEY_ROTATIONS.name())
                                    .counter()
                                    .count())
                            .isEqualTo(1);
                    assertThat(registry.get("gen_ai.client.token.usage").summaries())
                            .extracting(s -> s.totalAmount())
                            .containsExactlyInAnyOrder(11.0, 4.0);
                    assertThat(registry.get("gen_ai.client.operation.duration")
                                    .timer()
                                    .count())
                            .isEqualTo(1);
                    assertThat(registry.get(MetricNames.KEY_STATE.name()).gauges())
                            .isNotEmpty();
                    assertThat(registry.getMeters())
                            .allSatisfy(m -> assertThat(m.getId().toString()).doesNotContain(SECRET_1, SECRET_2));
                });
    }

    @Test
    void tokenUsageIsLeftToSpringAiWhenItIsThereUnlessAsked() {
        openai.byDefault().always(FakeResponse.ok("answer", 11, 4));
        runner().withPropertyValues(twoKeys())
                .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .run(context -> {
                    context.getBean(LlmRotate.class).chat(GPT, List.of(ChatMessage.user("Hi")));
                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    assertThat(registry.find("gen_ai.client.token.usage").meters())
                            .isEmpty();
                    assertThat(registry.get(MetricNames.TOKENS.name()).counters())
                            .extracting(c -> c.count())
                            .containsExactlyInAnyOrder(11.0, 4.0);
                });
        runner().withPropertyValues(plus(twoKeys(), "llm-rotate.metrics.gen-ai-token-usage=true"))
                .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .run(context -> {
                    context.getBean(LlmRotate.class).chat(GPT, List.of(ChatMessage.user("Hi")));
                    assertThat(context.getBean(MeterRegistry.class)
                                    .get("gen_ai.client.token.usage")
                                    .summaries())
                            .hasSize(2);
                });
        runner().withPropertyValues(twoKeys())
                .withClassLoader(new FilteredClassLoader(LlmRotateAutoConfiguration.SPRING_AI_TOKEN_USAGE))
                .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .run(context -> {
                    context.getBean(LlmRotate.class).chat(GPT, List.of(ChatMessage.user("Hi")));
                    assertThat(context.getBean(MeterRegistry.class)
                                    .get("gen_ai.client.token.usage")
                                    .summaries())
                            .hasSize(2);
                });
    }

    @Test
    void switchedOffByProperty() {
        runner().withPropertyValues(plus(twoKeys(), "llm-rotate.metrics.enabled=false"))
                .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .run(context -> {
                    context.getBean(LlmRotate.class).chat(GPT, List.of(ChatMessage.user("Hi")));
                    assertThat(context.getBean(MeterRegistry.class)
                                    .find(MetricNames.CALLS.name())
                                    .counter())
                            .isNull();
                });
    }
}
