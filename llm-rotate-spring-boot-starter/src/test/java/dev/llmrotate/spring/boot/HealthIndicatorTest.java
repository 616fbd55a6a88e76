package dev.llmrotate.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.llmrotate.LlmRotate;
import dev.llmrotate.MutableClock;
import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.testkit.FakeResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.autoconfigure.availability.AvailabilityHealthContributorAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.availability.AvailabilityProbesAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.health.HealthContributorAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.health.HealthEndpointAutoConfiguration;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthComponent;
import org.springframework.boot.actuate.health.HealthEndpoint;
import org.springframework.boot.actuate.health.HealthEndpointGroups;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.availability.ApplicationAvailabilityAutoConfiguration;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The {@code llmRotate} health contributor's three states, its details, and its place outside readiness. */
class HealthIndicatorTest extends StarterTestSupport {
    private final MutableClock clock = MutableClock.atEpochDay();

    private ApplicationContextRunner withClock() {
        return runner().withPropertyValues(plus(
                        twoKeys(),
                        "llm-rotate.defaults.max-wait-for-key-seconds=0",
                        "llm-rotate.defaults.max-retries=0"))
                .withBean(LlmRotateBuilderCustomizer.class, () -> builder -> builder.clock(clock));
    }

    @Test
    void upWhileAKeyCanServe() {
        withClock().run(context -> {
            Health health = context.getBean(LlmRotateHealthIndicator.class).health();
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(providers(health)).containsEntry("openai", Map.of("availableKeys", 2, "totalKeys", 2));
            assertThat(keys(health)).extracting(k -> k.get("keyId")).containsExactly("oa-1", "oa-2");
            assertThat(keys(health)).allSatisfy(k -> assertThat(k).containsEntry("state", "ACTIVE"));
            assertThat(keys(health).get(0).get("keyMask").toString())
                    .endsWith("efgh")
                    .doesNotContain(SECRET_1);
        });
    }

    @Test
    void outOfServiceWhileEveryKeyRestsThenUpAgain() {
        openai.byDefault().always(FakeResponse.rateLimited(Duration.ofSeconds(60)));
        withClock().run(context -> {
            LlmRotate lm = context.getBean(LlmRotate.class);
            call(lm);
            call(lm);
            Health health = context.getBean(LlmRotateHealthIndicator.class).health();

            assertThat(health.getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
            assertThat(keys(health)).allSatisfy(k -> assertThat(k.get("models")).isEqualTo(Map.of(GPT, "COOLDOWN")));
            assertThat(providers(health).get("openai"))
                    .containsEntry("availableKeys", 0)
                    .containsEntry(
                            "earliestRetryAt", clock.instant().plusSeconds(60).toString());

            clock.advance(Duration.ofSeconds(61));
            assertThat(context.getBean(LlmRotateHealthIndicator.class).health().getStatus())
                    .isEqualTo(Status.UP);
        });
    }

    @Test
    void downWhenEveryKeyIsDisabled() {
        openai.byDefault().always(FakeResponse.invalidApiKey());
        withClock().run(context -> {
            LlmRotate lm = context.getBean(LlmRotate.class);
            call(lm);
            call(lm); // both keys quarantined after their first 401
            assertThat(context.getBean(LlmRotateHealthIndicator.class).health().getStatus())
                    .isEqualTo(Status.OUT_OF_SERVICE);
            clock.advance(Duration.ofHours(1));
            call(lm);
            call(lm); // a second 401 after the quarantine disables each key

            Health health = context.getBean(LlmRotateHealthIndicator.class).health();
            assertThat(health.getStatus()).isEqualTo(Status.DOWN);
            assertThat(keys(health))
                    .allSatisfy(k -> assertThat(k)
                            .containsEntry("state", "DISABLED")
                            .containsEntry("lastErrorType", "invalid_auth"));
            assertThat(health.toString()).doesNotContain(SECRET_1, SECRET_2);
        });
    }

    @Test
    void keptOutOfReadinessByDefaultSoA429StormKeepsPodsInTheLoadBalancer() {
        openai.byDefault().always(FakeResponse.rateLimited(Duration.ofSeconds(60)));
        actuator().run(context -> {
            AvailabilityChangeEvent.publish(context, ReadinessState.ACCEPTING_TRAFFIC);
            LlmRotate lm = context.getBean(LlmRotate.class);
            call(lm);
            call(lm);
            assertThat(context.getBean(HealthEndpointGroups.class)
                            .get("readiness")
                            .isMember("llmRotate"))
                    .isFalse();
            HealthEndpoint endpoint = context.getBean(HealthEndpoint.class);
            assertThat(endpoint.healthForPath("readiness").getStatus()).isEqualTo(Status.UP);
            assertThat(endpoint.healthForPath("llmRotate").getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
        });
        actuator()
                .withPropertyValues("management.endpoint.health.group.readiness.include=readinessState,llmRotate")
                .run(context -> {
                    AvailabilityChangeEvent.publish(context, ReadinessState.ACCEPTING_TRAFFIC);
                    LlmRotate lm = context.getBean(LlmRotate.class);
                    call(lm);
                    call(lm);
                    HealthComponent readiness =
                            context.getBean(HealthEndpoint.class).healthForPath("readiness");
                    assertThat(readiness.getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
                });
    }

    @Test
    void switchedOffWithBootsHealthProperty() {
        actuator()
                .withPropertyValues("management.health.llmRotate.enabled=false")
                .run(context -> {
                    assertThat(context).hasSingleBean(LlmRotate.class);
                    assertThat(context).doesNotHaveBean(LlmRotateHealthIndicator.class);
                });
    }

    private ApplicationContextRunner actuator() {
        return withClock()
                .withConfiguration(AutoConfigurations.of(
                        ApplicationAvailabilityAutoConfiguration.class,
                        AvailabilityHealthContributorAutoConfiguration.class,
                        AvailabilityProbesAutoConfiguration.class,
                        HealthContributorAutoConfiguration.class,
                        HealthEndpointAutoConfiguration.class))
                .withPropertyValues("management.endpoint.health.probes.enabled=true");
    }

    private static void call(LlmRotate lm) {
        assertThat(catchThrowable(() -> lm.chat(GPT, List.of(ChatMessage.user("Hi")))))
                .isNotNull();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> providers(Health health) {
        return (Map<String, Map<String, Object>>) health.getDetails().get("providers");
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> keys(Health health) {
        return (List<Map<String, Object>>) health.getDetails().get("keys");
    }
}
