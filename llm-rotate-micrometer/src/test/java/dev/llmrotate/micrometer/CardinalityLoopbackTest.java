package dev.llmrotate.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmrotate.Keys;
import dev.llmrotate.LlmRotate;
import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.observe.CallRecord;
import dev.llmrotate.observe.MetricNames;
import dev.llmrotate.testkit.FakeResponse;
import io.micrometer.core.instrument.Meter;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Tag values come from the configuration or fixed sets: request content never makes a series. */
class CardinalityLoopbackTest extends MicrometerLoopbackSupport {
    private static final List<ChatMessage> HI = List.of(ChatMessage.user("hi"));
    private static final String MODEL = "gpt-4o-mini";

    private Set<String> modelTags() {
        return registry.getMeters().stream()
                .flatMap(m -> m.getId().getTags().stream())
                .filter(t -> t.getKey().equals(MetricNames.MODEL.prometheus())
                        || t.getKey().equals(MetricNames.MODEL.attribute())
                        || t.getKey().equals(MetricNames.GEN_AI_RESPONSE_MODEL.attribute()))
                .map(t -> t.getValue())
                .collect(Collectors.toSet());
    }

    private Set<Meter.Id> ids() {
        return registry.getMeters().stream().map(Meter::getId).collect(Collectors.toSet());
    }

    @Test
    void modelsNoKeyListsShareOneSeriesHoweverManyAreAskedFor() {
        openai.byDefault().always(FakeResponse.ok("hello"));
        LlmRotate lm =
                bound(config(SelectionStrategyType.PRIORITY, Keys.openai("a")).build());
        lm.chat(MODEL, HI);
        assertThatThrownBy(() -> lm.chat("random-" + UUID.randomUUID(), HI)).isNotNull();
        Set<Meter.Id> after1 = ids();
        for (int i = 0; i < 25; i++) {
            String random = "random-" + UUID.randomUUID();
            assertThatThrownBy(() -> lm.chat(random, HI)).isNotNull();
        }
        assertThat(ids()).isEqualTo(after1);
        assertThat(modelTags()).isSubsetOf(MODEL, CallRecord.UNKNOWN_MODEL, MetricNames.MODEL_OTHER, "");
        assertThat(count(MetricNames.CALLS, "model", CallRecord.UNKNOWN_MODEL)).isEqualTo(26.0);
    }

    @Test
    void aResponseModelOutsideTheConfigurationIsOther() {
        // A provider answering with a dated id that no key lists.
        openai.byDefault().always(FakeResponse.raw(200, """
                        {"id": "c1", "object": "chat.completion", "model": "gpt-4o-mini-2024-07-18",
                         "choices": [{"index": 0, "message": {"role": "assistant", "content": "hello"},
                                      "finish_reason": "stop"}],
                         "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4}}"""));
        LlmRotate lm =
                bound(config(SelectionStrategyType.PRIORITY, Keys.openai("a")).build());
        assertThat(lm.chat(MODEL, HI).model()).isEqualTo("gpt-4o-mini-2024-07-18");
        assertThat(registry.find(MetricNames.CLIENT_OPERATION_DURATION.name())
                        .tag(MetricNames.MODEL.attribute(), MODEL)
                        .tag(MetricNames.GEN_AI_RESPONSE_MODEL.attribute(), MetricNames.MODEL_OTHER)
                        .timer())
                .isNotNull();
        assertThat(modelTags()).containsOnly(MODEL, MetricNames.MODEL_OTHER);
    }

    @Test
    void beforeBindingEveryModelIsOutsideTheConfiguration() {
        openai.byDefault().always(FakeResponse.ok("hello"));
        LlmRotate lm =
                engine(config(SelectionStrategyType.PRIORITY, Keys.openai("a")).build());
        lm.chat(MODEL, HI);
        assertThat(modelTags()).isSubsetOf(CallRecord.UNKNOWN_MODEL, MetricNames.MODEL_OTHER);
        assertThat(registry.find(MetricNames.KEY_STATE.name()).gauges()).isEmpty();

        telemetry.bindTo(lm);
        lm.chat(MODEL, HI);
        assertThat(count(MetricNames.CALLS, "model", MODEL)).isEqualTo(1.0);
    }

    @Test
    void everyMeterOfOneNameHasTheSameTagKeysAsPrometheusRequires() {
        openai.forKey(secret("a")).next(FakeResponse.rateLimited(java.time.Duration.ofSeconds(20)));
        openai.byDefault().always(FakeResponse.ok("hello"));
        LlmRotate lm = bound(config(
                        SelectionStrategyType.PRIORITY,
                        Keys.key("a", "openai", MODEL).priority(2).build(),
                        Keys.key("b", "openai", MODEL).priority(1).build())
                .build());
        lm.chat(MODEL, HI);
        openai.byDefault().always(FakeResponse.rateLimited(java.time.Duration.ofSeconds(20)));
        assertThatThrownBy(() -> lm.chat(MODEL, HI)).isNotNull();
        assertThatThrownBy(() -> lm.chat("random-model", HI)).isNotNull();

        var keysByName = registry.getMeters().stream()
                .collect(Collectors.groupingBy(
                        m -> m.getId().getName(),
                        Collectors.mapping(
                                m -> m.getId().getTags().stream()
                                        .map(t -> t.getKey())
                                        .collect(Collectors.toSet()),
                                Collectors.toSet())));
        keysByName.forEach((name, keySets) -> assertThat(keySets).as(name).hasSize(1));
    }
}
