package dev.llmrotate.springai;

import static org.awaitility.Awaitility.await;

import dev.llmrotate.EngineTestSupport;
import dev.llmrotate.Keys;
import dev.llmrotate.LlmRotate;
import dev.llmrotate.config.FallbackTarget;
import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.observe.CallRecord;
import dev.llmrotate.testkit.FakeAnthropicServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Engines on the testkit's fake OpenAI and Anthropic servers over loopback HTTP (from core's {@link
 * EngineTestSupport}: fast backoff, no waiting for keys, a 10 s deadline, a clock that only tests move), with the
 * records of their calls.
 */
abstract class SpringAiTestSupport extends EngineTestSupport {
    static final String GPT = "gpt-4o-mini";
    static final String GPT_4O = "gpt-4o";
    /** A reasoning model. */
    static final String O3 = "o3";

    static final String CLAUDE = "claude-haiku-4-5";

    protected FakeAnthropicServer anthropic;
    /** Every finished call's record, in order. */
    protected final List<CallRecord> records = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startAnthropic() {
        anthropic = FakeAnthropicServer.start();
    }

    @AfterEach
    void stopAnthropic() {
        anthropic.close();
    }

    /** An engine over {@code n} OpenAI keys ({@code oa-1} ... {@code oa-n}) serving {@link #GPT}, {@link #GPT_4O}, {@link #O3}. */
    protected LlmRotate openAiEngine(int n) {
        return recorded(
                engine(config(SelectionStrategyType.PRIORITY, openAiKeys(n)).build()));
    }

    /** OpenAI keys falling back to one Anthropic key ({@code ant-1}) serving {@link #CLAUDE}. */
    protected LlmRotate fallbackEngine(int openAiKeys) {
        KeySpec[] keys = new KeySpec[openAiKeys + 1];
        System.arraycopy(openAiKeys(openAiKeys), 0, keys, 0, openAiKeys);
        keys[openAiKeys] = Keys.key("ant-1", "anthropic", CLAUDE).build();
        LlmRotateConfig config = config(SelectionStrategyType.PRIORITY, keys)
                .provider("anthropic", s -> s.withBaseUrl(anthropic.baseUrl()))
                .fallbackChain("openai", FallbackTarget.to("anthropic").withModel(CLAUDE))
                .build();
        return recorded(engine(config));
    }

    /** An engine over one Anthropic key, for what only Anthropic answers (signed reasoning). */
    protected LlmRotate anthropicEngine() {
        LlmRotateConfig config = config(
                        SelectionStrategyType.PRIORITY,
                        Keys.key("ant-1", "anthropic", CLAUDE).build())
                .provider("anthropic", s -> s.withBaseUrl(anthropic.baseUrl()))
                .build();
        return recorded(engine(config));
    }

    static KeySpec[] openAiKeys(int n) {
        KeySpec[] keys = new KeySpec[n];
        for (int i = 0; i < n; i++) {
            // Falling priorities: the keys are tried in order.
            keys[i] = Keys.key("oa-" + (i + 1), "openai", GPT, GPT_4O, O3)
                    .priority(n - i)
                    .build();
        }
        return keys;
    }

    static String secret(int openAiKey) {
        return Keys.secret("oa-" + openAiKey);
    }

    /** A model over {@code lm} whose default model is {@link #GPT}. */
    static LlmRotateSpringAiChatModel model(LlmRotate lm) {
        return LlmRotateSpringAiChatModel.builder(lm)
                .defaultOptions(LlmRotateChatOptions.builder().model(GPT).build())
                .build();
    }

    protected LlmRotate recorded(LlmRotate lm) {
        lm.onCall(records::add);
        return lm;
    }

    /** The record of the call {@code callId}, once it is written. */
    protected CallRecord record(String callId) {
        return await().atMost(Duration.ofSeconds(5))
                .until(
                        () -> records.stream()
                                .filter(r -> r.callId().equals(callId))
                                .findFirst()
                                .orElse(null),
                        r -> r != null);
    }
}
