package dev.llmrotate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.ChatResponse;
import dev.llmrotate.chat.FinishReason;
import dev.llmrotate.chat.Usage;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.error.ConfigurationException;
import dev.llmrotate.error.NoAvailableKeyException;
import dev.llmrotate.health.KeyState;
import dev.llmrotate.spi.Attempt;
import dev.llmrotate.spi.ProviderAdapter;
import dev.llmrotate.spi.ProviderReply;
import dev.llmrotate.testkit.FakeResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Reload, reset, async calls, waiting for a cooling key, and close. */
class LifecycleLoopbackTest extends EngineTestSupport {
    private static final List<ChatMessage> HI = List.of(ChatMessage.user("hi"));

    @Test
    void reloadKeepsHealthOfRemainingKeysForgetsRemovedOnesAndLiftsDisabled() {
        openai.forKey(secret("a")).always(FakeResponse.rateLimited(Duration.ofSeconds(1)));
        openai.forKey(secret("b")).always(FakeResponse.invalidApiKey());
        LlmRotate lm = engine(config(
                        SelectionStrategyType.PRIORITY,
                        Keys.key("a", "openai", "gpt-4o-mini").priority(3).build(),
                        Keys.key("b", "openai", "gpt-4o-mini").priority(2).build(),
                        Keys.openai("c"))
                .build());
        lm.chat("gpt-4o-mini", HI); // a cools down, b is quarantined, c answers
        clock.advance(Duration.ofSeconds(300));
        lm.chat(
                "gpt-4o-mini",
                HI); // a's probation gets a rate limit: cools down again; b's second auth failure: disabled
        assertThat(lm.health().key("a").state()).isEqualTo(KeyState.COOLDOWN);
        assertThat(lm.health().key("b").state()).isEqualTo(KeyState.DISABLED);

        LlmRotateConfig next = config(
                        SelectionStrategyType.ROUND_ROBIN,
                        Keys.key("a", "openai", "gpt-4o-mini").priority(3).build(),
                        Keys.key("b", "openai", "gpt-4o-mini").priority(2).build(),
                        Keys.openai("d"))
                .build();
        lm.reloadConfig(next);

        assertThat(lm.config()).isSameAs(next);
        assertThat(lm.health().keys()).extracting(k -> k.keyId()).containsExactly("a", "b", "d");
        assertThat(lm.health().key("a").state()).isEqualTo(KeyState.COOLDOWN);
        assertThat(lm.health().key("b").state()).isEqualTo(KeyState.ACTIVE);
        assertThat(lm.health().key("b").consecutiveFailures()).isZero();
    }

    @Test
    void anEventBufferOutOfRangeIsRefusedWhereItIsSetWithTheSameExceptionEverywhere() {
        assertThatThrownBy(() -> LlmRotate.builder().eventBuffer(200_001))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("event buffer capacity must be between 1 and 200000, got 200001");
        assertThatThrownBy(() -> LlmRotate.builder().eventBuffer(0)).isInstanceOf(ConfigurationException.class);
        LlmRotate lm =
                engine(config(SelectionStrategyType.PRIORITY, Keys.openai("a")).build());
        assertThatThrownBy(() -> lm.eventBuffer(200_001)).isInstanceOf(ConfigurationException.class);
    }

    @Test
    void resetKeyIsTheOperatorsWayBack() {
        openai.forKey(secret("a")).next(FakeResponse.invalidApiKey());
        LlmRotate lm = engine(config(
                        SelectionStrategyType.PRIORITY,
                        Keys.key("a", "openai", "gpt-4o-mini").priority(3).build(),
                        Keys.openai("b"))
                .build());
        assertThat(lm.chat("gpt-4o-mini", HI).keyId()).isEqualTo("b");
        lm.resetKey("a");
        assertThat(lm.health().key("a").state()).isEqualTo(KeyState.ACTIVE);
        assertThat(lm.chat("gpt-4o-mini", HI).keyId()).isEqualTo("a");
        assertThatThrownBy(() -> lm.resetKey("zz"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessageContaining("'zz'");
    }

    @Test
    void aShortCooldownIsWaitedOutWhenItFitsTheWaitBudget() {
        openai.forKey(secret("a")).next(FakeResponse.rateLimited(Duration.ofMillis(200)));
        LlmRotate lm = LlmRotate.builder() // the real clock: the wait is real
                .config(config(SelectionStrategyType.PRIORITY, Keys.openai("a"))
                        .provider("openai", s -> s.withCooldown(Duration.ofMillis(200)))
                        .defaults(d -> d.withMaxWaitForKey(Duration.ofSeconds(2)))
                        .build())
                .random(seed.random())
                .build();
        try {
            ChatResponse response = lm.chat("gpt-4o-mini", HI);
            assertThat(response.keyId()).isEqualTo("a");
            assertThat(response.attempts()).isEqualTo(2);
            assertThat(response.latency()).isGreaterThanOrEqualTo(Duration.ofMillis(190));
        } finally {
            lm.close();
        }
    }

    @Test
    void aCooldownLongerThanTheWaitBudgetIsNotWaitedFor() {
        openai.byDefault().always(FakeResponse.rateLimited(Duration.ofSeconds(30)));
        LlmRotate lm = engine(config(SelectionStrategyType.PRIORITY, Keys.openai("a"))
                .defaults(d -> d.withMaxWaitForKey(Duration.ofSeconds(5)))
                .build());
        long start = System.nanoTime();
        assertThatThrownBy(() -> lm.chat("gpt-4o-mini", HI)).isInstanceOf(NoAvailableKeyException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void chatAsyncRunsOnTheGivenExecutorAndOnTheOwnedOne() throws Exception {
        LlmRotate lm = engine(config(SelectionStrategyType.ROUND_ROBIN, Keys.openai("a"), Keys.openai("b"))
                .build());
        ExecutorService mine = Executors.newSingleThreadExecutor(r -> new Thread(r, "callers-thread"));
        try {
            CompletableFuture<String> thread = lm.chatAsync(ChatRequest.of("gpt-4o-mini", HI), mine)
                    .thenApply(r -> Thread.currentThread().getName());
            assertThat(thread.get(10, TimeUnit.SECONDS)).isEqualTo("callers-thread");
        } finally {
            mine.shutdownNow();
        }
        ChatResponse owned = lm.chatAsync(ChatRequest.of("gpt-4o-mini", HI)).get(10, TimeUnit.SECONDS);
        assertThat(owned.content()).isEqualTo("fake reply");

        openai.byDefault().always(FakeResponse.error(400, "invalid_request_error", null, "bad"));
        CompletableFuture<ChatResponse> failing = lm.chatAsync(ChatRequest.of("gpt-4o-mini", HI));
        assertThatThrownBy(() -> failing.get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(dev.llmrotate.error.LlmRotateException.class);
    }

    @Test
    void aClosedInstanceRefusesCalls() {
        LlmRotate lm = engine(
                config(SelectionStrategyType.ROUND_ROBIN, Keys.openai("a")).build());
        lm.close();
        assertThatThrownBy(() -> lm.chat("gpt-4o-mini", HI))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void anAdapterGivenToTheBuilderReplacesTheBuiltInOne() {
        // Every catalog provider has a built-in adapter, so the "no adapter" rejection is not reachable from
        // configuration alone; what a user can rely on is that builder().adapter(...) takes the provider over.
        List<Attempt> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        ProviderAdapter custom = new ProviderAdapter() {
            @Override
            public String provider() {
                return "aws_bedrock";
            }

            @Override
            public ProviderReply send(Attempt attempt) {
                seen.add(attempt);
                return new ProviderReply("from the custom adapter", FinishReason.STOP, Usage.of(3, 4), null, "r-1");
            }
        };
        LlmRotateConfig config = config(
                        SelectionStrategyType.ROUND_ROBIN,
                        Keys.key("claude", "aws_bedrock", "claude")
                                .authConfig("region", "us-east-1")
                                .build())
                .build();
        LlmRotate lm = LlmRotate.builder().config(config).adapter(custom).build();
        try {
            ChatResponse response = lm.chat("claude", HI);
            assertThat(response.content()).isEqualTo("from the custom adapter");
            assertThat(response.provider()).isEqualTo("aws_bedrock");
            assertThat(seen)
                    .singleElement()
                    .satisfies(a -> assertThat(a.key().keyId()).isEqualTo("claude"));
        } finally {
            lm.close();
        }
    }
}
