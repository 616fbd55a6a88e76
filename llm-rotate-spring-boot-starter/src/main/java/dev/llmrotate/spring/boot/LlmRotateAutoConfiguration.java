package dev.llmrotate.spring.boot;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.llmrotate.LlmRotate;
import dev.llmrotate.LlmRotateBuilder;
import dev.llmrotate.error.ConfigurationException;
import dev.llmrotate.langchain4j.LlmRotateChatModel;
import dev.llmrotate.langchain4j.LlmRotateStreamingChatModel;
import dev.llmrotate.micrometer.MicrometerTelemetry;
import dev.llmrotate.server.ControlServer;
import dev.llmrotate.server.ControlServerOptions;
import dev.llmrotate.springai.LlmRotateChatOptions;
import dev.llmrotate.springai.LlmRotateSpringAiChatModel;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.ai.model.tool.ToolCallingManager;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.io.ResourceLoader;
import org.springframework.util.ClassUtils;

/**
 * Auto-configuration of llm-rotate from {@code application.yml}: the {@link LlmRotate} bean (closed with the context)
 * from the fields under {@code llm-rotate} or from {@code llm-rotate.config-file}; the LangChain4j and Spring AI chat
 * models when those modules are on the class path; the Actuator health contributor {@code llmRotate}; llm-rotate's
 * meters on the application's {@code MeterRegistry}; and the control server when
 * {@code llm-rotate.control-server.enabled} is true. Every bean backs off when the application defines its own.
 */
@AutoConfiguration(
        afterName = {
            "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration",
            "org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration",
            "org.springframework.boot.actuate.autoconfigure.metrics.export.prometheus.PrometheusMetricsExportAutoConfiguration"
        })
@ConditionalOnProperty(prefix = PropertyTree.PREFIX, name = "enabled", havingValue = "true", matchIfMissing = true)
public class LlmRotateAutoConfiguration {
    /**
     * Spring AI's reporter of {@code gen_ai.client.token.usage} (a counter, with its own tags): where it is on the
     * class path, llm-rotate leaves that name to it by default, since one registry cannot hold both shapes, and
     * {@code llm_rotate.tokens} counts llm-rotate's tokens.
     */
    static final String SPRING_AI_TOKEN_USAGE = "org.springframework.ai.model.observation.ModelUsageMetricsGenerator";

    /** The starter's settings and configuration from the environment; read once per bean that needs them. */
    static StarterSettings settings(Environment environment) {
        return StarterSettings.from(PropertyTree.of(environment, ConfigMetadata.fieldNames()));
    }

    /**
     * The engine, from the configuration, reporting its meters on the application's {@link MeterRegistry} when there
     * is one (Actuator's), with every {@link LlmRotateBuilderCustomizer} applied.
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    LlmRotate llmRotate(
            Environment environment,
            ResourceLoader resources,
            ObjectProvider<LlmRotateBuilderCustomizer> customizers,
            ObjectProvider<MeterRegistry> registries) {
        StarterSettings settings = settings(environment);
        LlmRotateBuilder builder = LlmRotate.builder().config(ConfigurationSource.load(settings));
        MeterRegistry registry = settings.metricsEnabled() ? registries.getIfUnique() : null;
        MicrometerTelemetry metrics = registry == null ? null : MicrometerTelemetry.create(registry);
        if (metrics != null) {
            boolean springAi = ClassUtils.isPresent(SPRING_AI_TOKEN_USAGE, resources.getClassLoader());
            Boolean tokenUsage = settings.genAiTokenUsage();
            builder.telemetry(metrics.genAiTokenUsage(tokenUsage != null ? tokenUsage : !springAi));
        }
        customizers.orderedStream().forEach(customizer -> customizer.customize(builder));
        LlmRotate lm = builder.build();
        if (metrics != null) {
            metrics.bindTo(lm);
        }
        return lm;
    }

    /** Reloads the engine's configuration when Spring Cloud reports changed {@code llm-rotate.*} properties. */
    @Bean
    @ConditionalOnClass(name = ConfigReloader.ENVIRONMENT_CHANGE_EVENT)
    ConfigReloader llmRotateConfigReloader(LlmRotate lm, Environment environment) {
        return new ConfigReloader(lm, environment);
    }

    /** LangChain4j's chat models over the engine. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({LlmRotateChatModel.class, ChatModel.class})
    static class LangChain4jModels {
        @Bean
        @ConditionalOnMissingBean(ChatModel.class)
        LlmRotateChatModel llmRotateChatModel(LlmRotate lm, Environment environment) {
            LlmRotateChatModel.Builder builder = LlmRotateChatModel.builder(lm);
            String model = settings(environment).defaultModel();
            if (model != null) {
                builder.modelName(model);
            }
            return builder.build();
        }

        @Bean
        @ConditionalOnMissingBean(StreamingChatModel.class)
        LlmRotateStreamingChatModel llmRotateStreamingChatModel(LlmRotate lm, Environment environment) {
            LlmRotateStreamingChatModel.Builder builder = LlmRotateStreamingChatModel.builder(lm);
            String model = settings(environment).defaultModel();
            if (model != null) {
                builder.modelName(model);
            }
            return builder.build();
        }
    }

    /** Spring AI's chat model over the engine, with the application's tool calling manager when it has one. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({LlmRotateSpringAiChatModel.class, org.springframework.ai.chat.model.ChatModel.class})
    static class SpringAiModel {
        @Bean
        @ConditionalOnMissingBean(org.springframework.ai.chat.model.ChatModel.class)
        LlmRotateSpringAiChatModel llmRotateSpringAiChatModel(
                LlmRotate lm, Environment environment, ObjectProvider<ToolCallingManager> toolCallingManagers) {
            LlmRotateSpringAiChatModel.Builder builder = LlmRotateSpringAiChatModel.builder(lm);
            String model = settings(environment).defaultModel();
            if (model != null) {
                builder.defaultOptions(
                        LlmRotateChatOptions.builder().model(model).build());
            }
            toolCallingManagers.ifAvailable(builder::toolCallingManager);
            return builder.build();
        }
    }

    /** The Actuator health contributor {@code llmRotate}. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HealthIndicator.class)
    static class Health {
        // On the method, not the class: its condition class is Actuator's, and Spring resolves a class's conditions
        // together, so without Actuator this one would fail start-up instead of the class check skipping it.
        @Bean
        @ConditionalOnEnabledHealthIndicator("llmRotate")
        @ConditionalOnMissingBean(name = "llmRotateHealthIndicator")
        LlmRotateHealthIndicator llmRotateHealthIndicator(LlmRotate lm) {
            return new LlmRotateHealthIndicator(lm);
        }
    }

    /** The control server on its own port, started with the context and stopped with it. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(ControlServer.class)
    @ConditionalOnProperty(prefix = PropertyTree.PREFIX + ".control-server", name = "enabled", havingValue = "true")
    static class ControlServerStarter {
        /** A class Netty 4.2 has and 4.1 lacks. */
        static final String NETTY_4_2 = "io.netty.channel.MultiThreadIoEventLoopGroup";

        @Bean(destroyMethod = "close")
        @ConditionalOnMissingBean
        ControlServer llmRotateControlServer(LlmRotate lm, Environment environment, ResourceLoader resources) {
            if (!ClassUtils.isPresent(NETTY_4_2, resources.getClassLoader())) {
                throw new ConfigurationException(PropertyTree.PREFIX + ".control-server.enabled: the control server "
                        + "runs on Netty 4.2, but the class path has an older Netty (Spring Boot 3.5 manages Netty "
                        + "4.1): set the build property netty.version to 4.2.13.Final (Maven: "
                        + "<netty.version>4.2.13.Final</netty.version>), or switch the control server off");
            }
            StarterSettings.ControlServer settings = settings(environment).controlServer();
            ControlServerOptions.Builder options = ControlServerOptions.builder();
            if (settings.host() != null) {
                options.host(settings.host());
            }
            if (settings.port() != null) {
                options.port(settings.port());
            }
            if (settings.token() != null) {
                options.token(settings.token());
            }
            if (settings.corsOrigin() != null) {
                options.corsOrigin(settings.corsOrigin());
            }
            options.allowUnauthenticated(settings.allowUnauthenticated());
            return ControlServer.start(lm, options.build());
        }
    }
}
