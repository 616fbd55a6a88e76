package dev.llmrotate.internal.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.tuple;

import dev.llmrotate.config.ConfigLoader;
import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.config.ProviderCatalog;
import dev.llmrotate.config.StreamRecovery;
import dev.llmrotate.error.ConfigurationException;
import dev.llmrotate.error.ErrorType;
import dev.llmrotate.error.UnknownModelException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Routes planned from a configuration: model chains over provider chains, pinned providers, per-model settings. */
class RoutePlannerTest {
    private static final String KEYS = """
            keys:
              - {key_id: openai-1, provider: openai, secret_ref: env://OPENAI_API_KEY, models: [gpt-4o, gpt-4o-mini]}
              - {key_id: openai-2, provider: openai, secret_ref: env://OPENAI_API_KEY_2, models: [gpt-4o]}
              - {key_id: anthropic-1, provider: anthropic, secret_ref: env://ANTHROPIC_API_KEY, models: [claude-sonnet-4-5, claude-haiku-4-5]}
              - {key_id: openrouter-1, provider: openrouter, secret_ref: env://OPENROUTER_API_KEY, models: [openai/gpt-4o-mini]}
              - {key_id: retired, provider: openai, secret_ref: env://RETIRED, models: [gpt-3.5-turbo], enabled: false}
            fallback_chains:
              openai: [{provider: openrouter, upstream: openai, model: openai/gpt-4o-mini}]
            """;

    private static RoutePlanner planner(String yaml) {
        return new RoutePlanner(ConfigLoader.fromYaml(yaml));
    }

    @Test
    void aModelChainReplacesTheNativeProvidersChainForThatModelOnly() {
        RoutePlanner planner = planner(KEYS + """
                model_fallbacks:
                  gpt-4o: [{provider: anthropic, model: claude-sonnet-4-5}, {provider: anthropic, model: claude-haiku-4-5}]
                """);

        assertThat(planner.plan("gpt-4o", null))
                .extracting(Route::provider, Route::model, Route::upstream, Route::fallback)
                .containsExactly(
                        tuple("openai", "gpt-4o", null, false),
                        tuple("anthropic", "claude-sonnet-4-5", null, true),
                        tuple("anthropic", "claude-haiku-4-5", null, true));
        assertThat(planner.plan("gpt-4o", null).get(0).keys())
                .extracting(KeySpec::keyId)
                .containsExactly("openai-1", "openai-2");
        assertThat(planner.plan("gpt-4o-mini", null))
                .as("a model without an entry keeps its provider's chain")
                .extracting(Route::provider, Route::model, Route::upstream, Route::fallback)
                .containsExactly(
                        tuple("openai", "gpt-4o-mini", null, false),
                        tuple("openrouter", "openai/gpt-4o-mini", "openai", true));
    }

    @Test
    void anEmptyModelChainMeansNoFallbackForThatModel() {
        RoutePlanner planner = planner(KEYS + "model_fallbacks: {gpt-4o-mini: []}\n");

        assertThat(planner.plan("gpt-4o-mini", null))
                .extracting(Route::toString)
                .containsExactly("openai:gpt-4o-mini");
        assertThat(planner.plan("gpt-4o", null))
                .extracting(Route::toString)
                .containsExactly("openai:gpt-4o", "openrouter/openai:openai/gpt-4o-mini");
    }

    @Test
    void aPinnedProviderGetsOnlyItsOwnRouteEvenWithAModelChain() {
        RoutePlanner planner =
                planner(KEYS + "model_fallbacks: {gpt-4o: [{provider: anthropic, model: claude-sonnet-4-5}]}\n");

        assertThat(planner.plan("gpt-4o", "openai")).extracting(Route::toString).containsExactly("openai:gpt-4o");
        assertThat(planner.plan("claude-sonnet-4-5", "anthropic"))
                .extracting(Route::toString, Route::fallback)
                .containsExactly(tuple("anthropic:claude-sonnet-4-5", false));
    }

    @Test
    void everyRouteCarriesItsProvidersSettingsWithTheModelsOverrides() {
        LlmRotateConfig config = ConfigLoader.fromYaml(KEYS + """
                providers:
                  openai:
                    cooldown_seconds: 20
                    models:
                      gpt-4o: {first_chunk_timeout_seconds: 180, recovery_probe_seconds: 4}
                  anthropic:
                    stream_recovery: replay
                    models:
                      claude-sonnet-4-5: {stream_recovery: prefill, request_timeout_seconds: 90}
                model_fallbacks:
                  gpt-4o: [{provider: anthropic, model: claude-sonnet-4-5}, {provider: anthropic, model: claude-haiku-4-5}]
                """);
        RoutePlanner planner = new RoutePlanner(config);

        List<Route> routes = planner.plan("gpt-4o", null);
        assertThat(routes.get(0).settings())
                .isEqualTo(ProviderCatalog.defaults("openai")
                        .withCooldown(Duration.ofSeconds(20))
                        .withFirstChunkTimeout(Duration.ofSeconds(180))
                        .withRecoveryProbe(Duration.ofSeconds(4)));
        assertThat(routes.get(1).settings().streamRecovery()).isEqualTo(StreamRecovery.PREFILL);
        assertThat(routes.get(1).settings().requestTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(routes.get(2).settings())
                .as("claude-haiku-4-5 has no overrides: the provider's settings")
                .isEqualTo(ProviderCatalog.defaults("anthropic").withStreamRecovery(StreamRecovery.REPLAY));
        assertThat(routes).allSatisfy(r -> assertThat(r.settings().models()).isEmpty());
        assertThat(planner.plan("gpt-4o-mini", null).get(0).settings().firstChunkTimeout())
                .as("another model of the same provider")
                .isEqualTo(Duration.ofSeconds(60));
        assertThat(planner.plan("gpt-4o", "openai").get(0).settings().firstChunkTimeout())
                .as("a pinned route too")
                .isEqualTo(Duration.ofSeconds(180));
    }

    @Test
    void aModelNoActiveKeyListsIsAnUnknownModel() {
        RoutePlanner planner = planner(KEYS);

        UnknownModelException e = catchThrowableOfType(UnknownModelException.class, () -> planner.plan("gpt-5", null));
        assertThat(e.model()).isEqualTo("gpt-5");
        assertThat(e.errorType()).isEqualTo(ErrorType.INVALID_REQUEST);
        assertThat(e.provider()).isNull();
        assertThat(e.maskedKey()).isNull();
        assertThat(e.httpStatus()).isNull();
        assertThat(e)
                .hasMessage("unknown model 'gpt-5': no active key lists it; known models: [claude-haiku-4-5,"
                        + " claude-sonnet-4-5, gpt-4o, gpt-4o-mini, openai/gpt-4o-mini]");

        assertThatThrownBy(() -> planner.plan("gpt-3.5-turbo", null))
                .as("listed by a disabled key only")
                .isInstanceOf(UnknownModelException.class)
                .hasMessageStartingWith("unknown model 'gpt-3.5-turbo': no active key lists it");
    }

    @Test
    void aModelThePinnedProviderDoesNotServeIsAnUnknownModel() {
        RoutePlanner planner = planner(KEYS);

        UnknownModelException e =
                catchThrowableOfType(UnknownModelException.class, () -> planner.plan("claude-sonnet-4-5", "openai"));
        assertThat(e.model()).isEqualTo("claude-sonnet-4-5");
        assertThat(e)
                .hasMessage("no active key of provider 'openai' lists model 'claude-sonnet-4-5'; its keys serve"
                        + " [gpt-4o, gpt-4o-mini]");
        assertThatThrownBy(() -> planner.plan("gpt-4o", "google_ai_studio"))
                .isInstanceOf(UnknownModelException.class)
                .hasMessage("no active key of provider 'google_ai_studio' lists model 'gpt-4o'; its keys serve []");
    }

    @Test
    void anUnknownPinnedProviderStaysAConfigurationError() {
        assertThatThrownBy(() -> planner(KEYS).plan("gpt-4o", "opnai"))
                .isInstanceOf(ConfigurationException.class)
                .hasMessage("unknown provider 'opnai'; did you mean 'openai'?");
    }

    @Test
    void theMessageShowsAtMost200CharactersOfTheModelIdWithControlCharactersEscaped() {
        RoutePlanner planner = planner(KEYS);
        String huge = "x".repeat(10_000);

        UnknownModelException e = catchThrowableOfType(UnknownModelException.class, () -> planner.plan(huge, null));
        assertThat(e.model()).isEqualTo(huge);
        assertThat(e.getMessage())
                .startsWith("unknown model '" + "x".repeat(200) + "'… (10000 characters): no active key lists it")
                .hasSizeLessThan(400);

        UnknownModelException pinned =
                catchThrowableOfType(UnknownModelException.class, () -> planner.plan(huge, "openai"));
        assertThat(pinned.getMessage()).contains("'" + "x".repeat(200) + "'… (10000 characters);");

        UnknownModelException injected =
                catchThrowableOfType(UnknownModelException.class, () -> planner.plan("gpt\n4o\u001f\u007f\r", null));
        assertThat(injected.getMessage())
                .startsWith("unknown model 'gpt\\u000a4o\\u001f\\u007f\\u000d':")
                .doesNotContain("\n")
                .doesNotContain("\r");

        String emoji = "a".repeat(199) + "\uD83D\uDE00" + "b";
        UnknownModelException split =
                catchThrowableOfType(UnknownModelException.class, () -> planner.plan(emoji, null));
        assertThat(split.getMessage())
                .as("a surrogate pair is not cut in half")
                .startsWith("unknown model '" + "a".repeat(199) + "'… (202 characters)");
    }

    @Test
    void aModelChainNamesTheNativeProviderOfAModelTwoProvidersServe() {
        RoutePlanner planner = planner("""
                keys:
                  - {key_id: openai-1, provider: openai, secret_ref: env://OPENAI_API_KEY, models: [gpt-4o-mini]}
                  - {key_id: openrouter-1, provider: openrouter, secret_ref: env://OPENROUTER_API_KEY, models: [gpt-4o-mini]}
                model_fallbacks:
                  gpt-4o-mini: [{provider: openrouter, upstream: openai}]
                """);

        assertThat(planner.plan("gpt-4o-mini", null))
                .extracting(Route::toString, Route::fallback)
                .containsExactly(tuple("openai:gpt-4o-mini", false), tuple("openrouter/openai:gpt-4o-mini", true));
    }
}
