package dev.llmrotate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.chat.ChatResponse;
import dev.llmrotate.config.ModelSettings;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.health.HealthReport;
import dev.llmrotate.health.KeyState;
import dev.llmrotate.testkit.FakeResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One engine, two keys serving the same four models, and a different fault on each model of the preferred key, back
 * to back: a rate limit, an outage, a silent model, a missing model. After every step the models the faults have not
 * reached are still served by the preferred key in one attempt, and the rested ones go straight to the other key.
 */
class FaultMatrixLoopbackTest extends EngineTestSupport {
    private static final String LIMITED = "gpt-4o";
    private static final String OUTAGE = "gpt-4o-mini";
    private static final String SILENT = "o3-mini";
    private static final String GONE = "gpt-4.1";
    private static final List<String> MODELS = List.of(LIMITED, OUTAGE, SILENT, GONE);

    private LlmRotate lm;

    /** Requests the fake saw with this key for this model. */
    private long seen(String keyId, String model) {
        String secret = secret(keyId);
        return openai.requests().stream()
                .filter(r -> secret.equals(r.apiKey()) && model.equals(r.model()))
                .count();
    }

    private Map<String, Long> seenPerModel(String keyId) {
        Map<String, Long> counts = new LinkedHashMap<>();
        MODELS.forEach(m -> counts.put(m, seen(keyId, m)));
        return counts;
    }

    private static ChatRequest ask(String model) {
        return ChatRequest.builder(model).user("hi").build();
    }

    /** A call that must be answered at once: no rest waited for, no timeout spent. */
    private ChatResponse chat(String model) {
        long start = System.nanoTime();
        ChatResponse response = lm.chat(ask(model));
        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .as("%s answered at once", model)
                .isLessThan(Duration.ofMillis(1_000));
        return response;
    }

    /**
     * Calls every model once: the ones resting on key a go to b in one attempt (a not asked), the others to a in one
     * attempt; each model is asked exactly once.
     */
    private void everyModelServedOnce(List<String> restingOnA) {
        Map<String, Long> a = seenPerModel("a");
        Map<String, Long> b = seenPerModel("b");
        for (String model : MODELS) {
            ChatResponse response = chat(model);
            String expectedKey = restingOnA.contains(model) ? "b" : "a";
            assertThat(response.keyId()).as(model).isEqualTo(expectedKey);
            assertThat(response.attempts()).as(model).isEqualTo(1);
            (expectedKey.equals("a") ? a : b).merge(model, 1L, Long::sum);
        }
        assertThat(seenPerModel("a")).isEqualTo(a);
        assertThat(seenPerModel("b")).isEqualTo(b);
    }

    /** The states of key a's models, and the key row. */
    private void keyAStates(KeyState row, Map<String, KeyState> models) {
        HealthReport.KeyReport a = lm.health().key("a");
        assertThat(a.state()).isEqualTo(row);
        models.forEach((model, state) ->
                assertThat(a.models().get(model).state()).as(model).isEqualTo(state));
        assertThat(lm.health().key("b").state()).isEqualTo(KeyState.ACTIVE);
        lm.health()
                .key("b")
                .models()
                .values()
                .forEach(m -> assertThat(m.state()).isEqualTo(KeyState.ACTIVE));
    }

    private static Map<String, KeyState> states(KeyState limited, KeyState outage, KeyState silent, KeyState gone) {
        Map<String, KeyState> states = new LinkedHashMap<>();
        states.put(LIMITED, limited);
        states.put(OUTAGE, outage);
        states.put(SILENT, silent);
        states.put(GONE, gone);
        return states;
    }

    @BeforeAll
    static void warmUp() throws Exception {
        WarmUp.once();
    }

    @Test
    void faultsOnDifferentModelsOfOneKeyStayWithTheirModel() {
        lm = engine(config(
                        SelectionStrategyType.PRIORITY,
                        Keys.key("a", "openai", LIMITED, OUTAGE, SILENT, GONE)
                                .priority(10)
                                .build(),
                        Keys.openai("b", LIMITED, OUTAGE, SILENT, GONE))
                .provider(
                        "openai",
                        s -> s.withMaxConsecutiveFailures(2)
                                .withModels(Map.of(
                                        SILENT,
                                        new ModelSettings(null, null, Duration.ofMillis(300), null, null, null, null))))
                .build());
        Instant start = clock.instant();
        KeyState active = KeyState.ACTIVE;
        KeyState cooldown = KeyState.COOLDOWN;
        everyModelServedOnce(List.of());

        // 1. A rate limit on (a, LIMITED): that call rotates to b; the rest of a serves on.
        openai.forKeyAndModel(secret("a"), LIMITED).next(FakeResponse.rateLimited(Duration.ofSeconds(20)));
        ChatResponse limited = chat(LIMITED);
        assertThat(limited.keyId()).isEqualTo("b");
        assertThat(limited.attempts()).isEqualTo(2);
        assertThat(limited.rotations()).isEqualTo(1);
        keyAStates(active, states(cooldown, active, active, active));
        assertThat(lm.health().key("a").models().get(LIMITED).availableAt()).isEqualTo(start.plusSeconds(20));
        everyModelServedOnce(List.of(LIMITED));

        // 2. An outage on (a, OUTAGE): two calls each fail once on a and are retried on b; then it rests.
        openai.forKeyAndModel(secret("a"), OUTAGE).next(FakeResponse.serverError(), FakeResponse.serverError());
        long outageBefore = seen("a", OUTAGE);
        for (int i = 0; i < 2; i++) {
            ChatResponse outage = chat(OUTAGE);
            assertThat(outage.keyId()).isEqualTo("b");
            assertThat(outage.attempts()).isEqualTo(2);
        }
        assertThat(seen("a", OUTAGE)).isEqualTo(outageBefore + 2);
        keyAStates(active, states(cooldown, cooldown, active, active));
        assertThat(lm.health().key("a").models().get(OUTAGE).availableAt()).isEqualTo(start.plusSeconds(10));
        everyModelServedOnce(List.of(LIMITED, OUTAGE));

        // 3. (a, SILENT) accepts requests and never answers: each call spends one timeout (300 ms for this model)
        // on a, then b answers.
        openai.forKeyAndModel(secret("a"), SILENT).next(FakeResponse.noResponse(), FakeResponse.noResponse());
        for (int i = 0; i < 2; i++) {
            long begin = System.nanoTime();
            ChatResponse silent = lm.chat(ask(SILENT));
            Duration took = Duration.ofNanos(System.nanoTime() - begin);
            assertThat(silent.keyId()).isEqualTo("b");
            assertThat(silent.attempts()).isEqualTo(2);
            assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(300)).isLessThan(Duration.ofMillis(900));
        }
        keyAStates(active, states(cooldown, cooldown, cooldown, active));
        everyModelServedOnce(List.of(LIMITED, OUTAGE, SILENT));

        // 4. (a, GONE) is not deployed for key a: rotates to b, and rests for cooldown_seconds.
        openai.forKeyAndModel(secret("a"), GONE)
                .next(FakeResponse.error(
                        404, "invalid_request_error", "model_not_found", "The model `gpt-4.1` does not exist"));
        ChatResponse gone = chat(GONE);
        assertThat(gone.keyId()).isEqualTo("b");
        assertThat(gone.rotations()).isEqualTo(1);
        // Every model of a rests now: the row shows the rest that ends first.
        keyAStates(cooldown, states(cooldown, cooldown, cooldown, cooldown));
        assertThat(lm.health().key("a").availableAt()).isEqualTo(start.plusSeconds(10));
        assertThat(lm.health().key("a").models().get(GONE).availableAt()).isEqualTo(start.plusSeconds(30));
        everyModelServedOnce(MODELS);

        // Every rest is over: one probe per model, each succeeds on a, and a is healthy again.
        clock.advance(Duration.ofSeconds(30));
        everyModelServedOnce(List.of());
        keyAStates(active, states(active, active, active, active));
        assertThat(lm.health().key("a").consecutiveFailures()).isZero();
        everyModelServedOnce(List.of());
    }
}
