package dev.llmrotate.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.llmrotate.LlmRotate;
import dev.llmrotate.chat.ChatMessage;
import dev.llmrotate.chat.ChatResponse;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.error.ConfigurationException;
import dev.llmrotate.langchain4j.LlmRotateChatModel;
import dev.llmrotate.testkit.FakeResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

class LlmRotateAutoConfigurationTest extends StarterTestSupport {

    @Test
    void buildsTheEngineFromApplicationPropertiesAndAnswersOverLoopback() {
        openai.byDefault().always(FakeResponse.ok("hello from the fake", 7, 3));
        runner().withPropertyValues(twoKeys()).run(context -> {
            LlmRotate lm = context.getBean(LlmRotate.class);
            assertThat(lm.config().keys()).extracting(k -> k.keyId()).containsExactly("oa-1", "oa-2");
            assertThat(lm.config().defaults().selectionStrategy()).isEqualTo(SelectionStrategyType.PRIORITY);

            ChatResponse answer = lm.chat(GPT, List.of(ChatMessage.user("Hi")));

            assertThat(answer.content()).isEqualTo("hello from the fake");
            assertThat(answer.keyId()).isEqualTo("oa-1");
            assertThat(openai.requestCount()).isEqualTo(1);
        });
    }

    @Test
    void everyNameFormReadsAsTheSameField() {
        runner().withPropertyValues(
                        "llm-rotate.keys[0].keyId=camel",
                        "llm-rotate.keys[0].provider=openai",
                        "llm-rotate.keys[0].secret_ref=literal://" + SECRET_1,
                        "llm-rotate.keys[0].models[0]=" + GPT,
                        "llm-rotate.keys[0].models[1]=gpt-4o",
                        "llm-rotate.keys[0].models[2]=gpt-4.1",
                        "llm-rotate.keys[0].rate-limit-rpm=60",
                        "llm-rotate.defaults.maxRetries=4",
                        "llm-rotate.defaults.call-deadline-seconds=45s",
                        "llm-rotate.priorities.camel=9",
                        "llm-rotate.providers.openai.models.[gpt-4o].first-chunk-timeout-seconds=90",
                        "llm-rotate.providers.openai.models[gpt-4.1].stream-idle-timeout-seconds=75",
                        "llm-rotate.providers.openai.base-url=" + openai.baseUrl())
                .run(context -> {
                    LlmRotateConfig config = context.getBean(LlmRotate.class).config();
                    assertThat(config.keys().get(0).keyId()).isEqualTo("camel");
                    assertThat(config.keys().get(0).models()).containsExactly(GPT, "gpt-4o", "gpt-4.1");
                    assertThat(config.keys().get(0).rateLimitRpm()).isEqualTo(60);
                    assertThat(config.defaults().maxRetries()).isEqualTo(4);
                    assertThat(config.defaults().callDeadline()).isEqualTo(Duration.ofSeconds(45));
                    assertThat(config.activeKeys().get(0).priority()).isEqualTo(9);
                    assertThat(config.provider("openai").forModel("gpt-4o").firstChunkTimeout())
                            .isEqualTo(Duration.ofSeconds(90));
                    // A model id with a dot, in brackets as for any Spring map key, stays whole.
                    assertThat(config.provider("openai").forModel("gpt-4.1").streamIdleTimeout())
                            .isEqualTo(Duration.ofSeconds(75));
                });
    }

    @Test
    void placeholdersResolveAndAMissingOneIsNamed() {
        runner().withPropertyValues(plus(
                        twoKeys(),
                        "llm-rotate.defaults.max-retries=${retries.from.elsewhere}",
                        "retries.from.elsewhere=6"))
                .run(context -> assertThat(context.getBean(LlmRotate.class)
                                .config()
                                .defaults()
                                .maxRetries())
                        .isEqualTo(6));
        runner().withPropertyValues(plus(twoKeys(), "llm-rotate.keys[0].secret-ref=env://${MISSING_VAR_NAME}"))
                .run(context -> assertThat(rootCause(context.getStartupFailure(), ConfigurationException.class)
                                .getMessage())
                        .startsWith("llm-rotate.keys[0].secret-ref: ")
                        .contains("MISSING_VAR_NAME"));
        // The value around an unresolvable placeholder may be a secret: the message names the placeholder only.
        runner().withPropertyValues(
                        plus(twoKeys(), "llm-rotate.keys[0].secret-ref=literal://sk-around-a-placeholder-${NOT_SET}"))
                .run(context -> assertThat(rootCause(context.getStartupFailure(), ConfigurationException.class)
                                .getMessage())
                        .isEqualTo("llm-rotate.keys[0].secret-ref: cannot resolve the placeholder ${NOT_SET}")
                        .doesNotContain("sk-around"));
    }

    @Test
    void environmentVariablesWithoutSeparatorsFindTheirFields() {
        runner().withPropertyValues(twoKeys())
                .withInitializer(context -> context.getEnvironment()
                        .getPropertySources()
                        .addFirst(new SystemEnvironmentPropertySource(
                                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                                Map.of("LLMROTATE_DEFAULTS_MAXRETRIES", "5"))))
                .run(context -> assertThat(context.getBean(LlmRotate.class)
                                .config()
                                .defaults()
                                .maxRetries())
                        .isEqualTo(5));
    }

    @Test
    void aListComesWholeFromTheFirstSourceThatHasIt() {
        runner().withPropertyValues(twoKeys())
                .withInitializer(context -> context.getEnvironment()
                        .getPropertySources()
                        .addFirst(new MapPropertySource(
                                "override",
                                Map.of(
                                        "llm-rotate.keys[0].key-id",
                                        "only",
                                        "llm-rotate.keys[0].provider",
                                        "openai",
                                        "llm-rotate.keys[0].secret-ref",
                                        "literal://" + SECRET_1,
                                        "llm-rotate.keys[0].models",
                                        GPT))))
                .run(context -> assertThat(
                                context.getBean(LlmRotate.class).config().keys())
                        .extracting(k -> k.keyId())
                        .containsExactly("only"));
    }

    @Test
    void readsAConfigurationFileFromThePathOrTheClassPath(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("llm-rotate.yaml");
        Files.writeString(file, """
                keys:
                  - {key_id: from-file, provider: openai, secret_ref: "literal://%s", models: [%s]}
                providers:
                  openai: {base_url: "%s"}
                """.formatted(SECRET_1, GPT, openai.baseUrl()));
        runner().withPropertyValues("llm-rotate.config-file=" + file)
                .run(context -> assertThat(
                                context.getBean(LlmRotate.class).config().keys())
                        .extracting(k -> k.keyId())
                        .containsExactly("from-file"));
        runner().withPropertyValues("llm-rotate.config-file=file:" + file)
                .run(context -> assertThat(
                                context.getBean(LlmRotate.class).config().keys())
                        .hasSize(1));
        runner().withPropertyValues("llm-rotate.config-file=classpath:starter-test.yaml")
                .run(context -> assertThat(
                                context.getBean(LlmRotate.class).config().keys())
                        .extracting(k -> k.keyId())
                        .containsExactly("from-classpath"));
    }

    @Test
    void badPropertiesFailStartUpWithTheLibrarysMessagesNamingEachProperty() {
        runner().withPropertyValues(plus(
                        twoKeys(),
                        "llm-rotate.keys[1].modles=gpt-4o",
                        "llm-rotate.defaults.max-retries=many",
                        "llm-rotate.providers.openai.cooldown-seconds=-3"))
                .run(context -> {
                    assertThat(context).hasFailed();
                    ConfigurationException e = rootCause(context.getStartupFailure(), ConfigurationException.class);
                    assertThat(e.problems())
                            .anySatisfy(p -> assertThat(p)
                                    .isEqualTo("llm-rotate.keys[1].modles: unknown field; did you mean 'models'?"))
                            .anySatisfy(p ->
                                    assertThat(p).startsWith("llm-rotate.defaults.max_retries: expected an integer"))
                            .anySatisfy(p -> assertThat(p).startsWith("llm-rotate.providers.openai.cooldown_seconds"));
                    assertThat(e.getMessage()).doesNotContain(SECRET_1, SECRET_2);
                });
    }

    @Test
    void theStartersOwnPropertiesAreCheckedToo() {
        runner().withPropertyValues(plus(
                        twoKeys(),
                        "llm-rotate.control-server.prot=9000",
                        "llm-rotate.defualts.max-retries=3",
                        "llm-rotate.metrics.enabled=maybe"))
                .run(context -> {
                    ConfigurationException e = rootCause(context.getStartupFailure(), ConfigurationException.class);
                    assertThat(e.problems())
                            .containsExactlyInAnyOrder(
                                    "llm-rotate.control-server.prot: unknown property; did you mean 'port'?",
                                    "llm-rotate.defualts: unknown property; did you mean 'defaults'?",
                                    "llm-rotate.metrics.enabled: expected true or false, got 'maybe'");
                });
    }

    @Test
    void aFileAndInlineFieldsTogetherOrNeitherAreRefused() {
        runner().withPropertyValues(plus(twoKeys(), "llm-rotate.config-file=classpath:starter-test.yaml"))
                .run(context -> assertThat(rootCause(context.getStartupFailure(), ConfigurationException.class)
                                .getMessage())
                        .startsWith("llm-rotate.config-file: set either a configuration file or the configuration "
                                + "fields under llm-rotate (keys, defaults, providers), not both"));
        runner().run(context -> assertThat(rootCause(context.getStartupFailure(), ConfigurationException.class)
                        .getMessage())
                .startsWith("llm-rotate: no configuration; set llm-rotate.config-file"));
        runner().withPropertyValues("llm-rotate.config-file=classpath:missing.yaml")
                .run(context -> assertThat(rootCause(context.getStartupFailure(), ConfigurationException.class)
                                .getMessage())
                        .isEqualTo("llm-rotate.config-file: classpath:missing.yaml: no such resource on the class "
                                + "path"));
    }

    @Test
    void disabledCreatesNothing() {
        runner().withPropertyValues("llm-rotate.enabled=false").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(LlmRotate.class);
            assertThat(context).doesNotHaveBean(ChatModel.class);
        });
    }

    @Test
    void theApplicationsOwnBeansWin() {
        runner().withUserConfiguration(OwnBeans.class).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(LlmRotate.class)).isSameAs(context.getBean(OwnBeans.class).lm);
            assertThat(context.getBean(ChatModel.class)).isNotInstanceOf(LlmRotateChatModel.class);
        });
    }

    @Test
    void langChain4jModelsWhenLangChain4jIsThereAndNotOtherwise() {
        openai.byDefault().always(FakeResponse.ok("through LangChain4j"));
        runner().withPropertyValues(plus(twoKeys(), "llm-rotate.default-model=" + GPT))
                .run(context -> {
                    assertThat(context).hasSingleBean(StreamingChatModel.class);
                    ChatModel model = context.getBean(ChatModel.class);
                    assertThat(model.chat(UserMessage.from("Hi")).aiMessage().text())
                            .isEqualTo("through LangChain4j");
                });
        runner().withPropertyValues(twoKeys())
                .withClassLoader(new FilteredClassLoader(LlmRotateChatModel.class))
                .run(context -> {
                    assertThat(context).hasSingleBean(LlmRotate.class);
                    assertThat(context).doesNotHaveBean(ChatModel.class);
                    assertThat(context).doesNotHaveBean(StreamingChatModel.class);
                });
    }

    @Test
    void withNoneOfTheOptionalModulesOnlyTheEngineIsCreated() {
        runner().withPropertyValues(plus(twoKeys(), "llm-rotate.control-server.enabled=true"))
                .withClassLoader(new FilteredClassLoader(
                        "org.springframework.boot.actuate.",
                        "dev.langchain4j.",
                        "dev.llmrotate.langchain4j.",
                        "org.springframework.ai.",
                        "dev.llmrotate.springai.",
                        "dev.llmrotate.server.",
                        "org.springframework.cloud."))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context).hasSingleBean(LlmRotate.class);
                    assertThat(context.getBeanNamesForType(Object.class))
                            .filteredOn(name ->
                                    name.toLowerCase(java.util.Locale.ROOT).contains("llmrotate"))
                            .containsExactlyInAnyOrder(LlmRotateAutoConfiguration.class.getName(), "llmRotate");
                });
    }

    @Test
    void customizersAdjustTheBuilderAndTheEngineClosesWithTheContext() {
        var customizer = new java.util.concurrent.atomic.AtomicInteger();
        var engine = new java.util.concurrent.atomic.AtomicReference<LlmRotate>();
        runner().withPropertyValues(twoKeys())
                .withBean(LlmRotateBuilderCustomizer.class, () -> builder -> customizer.incrementAndGet())
                .run(context -> engine.set(context.getBean(LlmRotate.class)));
        assertThat(customizer).hasValue(1);
        assertThat(org.assertj.core.api.Assertions.catchThrowable(
                        () -> engine.get().chat(GPT, List.of(ChatMessage.user("after close")))))
                .isNotNull();
    }

    static <T extends Throwable> T rootCause(Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        throw new AssertionError("no " + type.getSimpleName() + " in " + failure, failure);
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnBeans {
        final LlmRotate lm = LlmRotate.create(dev.llmrotate.config.ConfigLoader.fromYaml("""
                keys:
                  - {key_id: own, provider: openai, secret_ref: "literal://sk-own-bean-secret-000000", models: [m]}
                """));

        @Bean
        LlmRotate ownEngine() {
            return lm;
        }

        @Bean
        ChatModel ownModel() {
            return new ChatModel() {
                @Override
                public dev.langchain4j.model.chat.response.ChatResponse doChat(
                        dev.langchain4j.model.chat.request.ChatRequest request) {
                    throw new UnsupportedOperationException("not called");
                }
            };
        }
    }
}
