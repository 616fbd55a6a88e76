package dev.llmrotate.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmrotate.observe.MetricNames;
import dev.llmrotate.springai.LlmRotateSpringAiChatModel;
import dev.llmrotate.testkit.FakeResponse;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.observation.DefaultMeterObservationHandler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.ai.chat.client.ChatClient;
import org.springframework.ai.chat.model.ChatModel;
import org.springframework.ai.chat.model.ChatResponse;
import org.springframework.ai.chat.prompt.Prompt;
import org.springframework.boot.test.context.FilteredClassLoader;

/** The auto-configured Spring AI model behind ChatClient, its conditions, and one emitter per measurement. */
class SpringAiStarterTest extends StarterTestSupport {

    @Test
    void chatClientAnswersThroughTheAutoConfiguredModelAndRotatesAwayFromA429() {
        openai.forKey(SECRET_1).always(FakeResponse.rateLimited(Duration.ofSeconds(30)));
        openai.forKey(SECRET_2).always(FakeResponse.ok("from Spring AI", 9, 2));
        runner().withPropertyValues(plus(twoKeys(), "llm-rotate.default-model=" + GPT))
                .run(context -> {
                    ChatModel model = context.getBean(ChatModel.class);
                    assertThat(model).isInstanceOf(LlmRotateSpringAiChatModel.class);

                    ChatResponse response =
                            ChatClient.create(model).prompt().user("Hi").call().chatResponse();

                    assertThat(response.getResult().getOutput().getText()).isEqualTo("from Spring AI");
                    assertThat((String) response.getMetadata().get(LlmRotateSpringAiChatModel.KEY_ID))
                            .isEqualTo("oa-2");
                    assertThat(response.getMetadata().getModel()).isEqualTo(GPT);
                });
    }

    @Test
    void absentWithoutTheModuleAndBackingOffForTheApplicationsOwnModel() {
        runner().withPropertyValues(twoKeys())
                .withClassLoader(new FilteredClassLoader(LlmRotateSpringAiChatModel.class))
                .run(context -> assertThat(context).doesNotHaveBean(ChatModel.class));
        ChatModel own = prompt -> {
            throw new UnsupportedOperationException("not called");
        };
        runner().withPropertyValues(twoKeys())
                .withBean(ChatModel.class, () -> own)
                .run(context -> assertThat(context.getBean(ChatModel.class)).isSameAs(own));
    }

    @Test
    void withChatClientObservationsOnEveryMeasurementHasOneEmitter() {
        openai.byDefault().always(FakeResponse.ok("observed", 13, 5));
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        ObservationRegistry observations = ObservationRegistry.create();
        observations.observationConfig().observationHandler(new DefaultMeterObservationHandler(meters));
        runner().withPropertyValues(plus(
                        twoKeys(), "llm-rotate.default-model=" + GPT, "llm-rotate.metrics.gen-ai-token-usage=true"))
                .withBean(MeterRegistry.class, () -> meters)
                .run(context -> {
                    ChatModel model = context.getBean(ChatModel.class);
                    ChatClient client =
                            ChatClient.builder(model, observations, null, null).build();

                    client.prompt().user("Hi").call().content();

                    // Spring AI's client-level observation: its own measurement, once.
                    assertThat(meters.get("spring.ai.chat.client").timer().count())
                            .isEqualTo(1);
                    // The model emits no model-level observation of its own ...
                    assertThat(meters.find("gen_ai.client.operation").meters()).isEmpty();
                    // ... so the call's duration, calls and tokens come from llm-rotate's telemetry alone, once.
                    assertThat(meters.get(MetricNames.CLIENT_OPERATION_DURATION.name())
                                    .timer()
                                    .count())
                            .isEqualTo(1);
                    assertThat(meters.get(MetricNames.CALLS.name()).counter().count())
                            .isEqualTo(1);
                    assertThat(meters.get(MetricNames.CLIENT_TOKEN_USAGE.name()).summaries())
                            .extracting(s -> s.totalAmount())
                            .containsExactlyInAnyOrder(13.0, 5.0);
                });
    }

    @Test
    void aPromptWithoutAModelUsesTheDefaultModel() {
        openai.byDefault().always(FakeResponse.ok("default model"));
        runner().withPropertyValues(plus(twoKeys(), "llm-rotate.default-model=" + GPT))
                .run(context -> assertThat(context.getBean(ChatModel.class)
                                .call(new Prompt("Hi"))
                                .getResult()
                                .getOutput()
                                .getText())
                        .isEqualTo("default model"));
        assertThat(openai.requests()).allSatisfy(r -> assertThat(r.body()).contains("\"model\":\"" + GPT + "\""));
    }
}
