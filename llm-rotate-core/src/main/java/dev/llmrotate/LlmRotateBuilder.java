package dev.llmrotate;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmrotate.config.CredentialEnvironment;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.config.StateStoreSettings;
import dev.llmrotate.error.ConfigurationException;
import dev.llmrotate.internal.observe.EventBuffer;
import dev.llmrotate.internal.provider.anthropic.AnthropicAdapter;
import dev.llmrotate.internal.provider.azure.AzureOpenAiAdapter;
import dev.llmrotate.internal.provider.bedrock.BedrockAdapter;
import dev.llmrotate.internal.provider.google.GoogleAiStudioAdapter;
import dev.llmrotate.internal.provider.google.GoogleVertexAdapter;
import dev.llmrotate.internal.provider.http.HttpTransport;
import dev.llmrotate.internal.provider.http.JdkHttpClient;
import dev.llmrotate.internal.provider.openai.OpenAiAdapter;
import dev.llmrotate.internal.provider.openrouter.OpenRouterAdapter;
import dev.llmrotate.observe.Pricing;
import dev.llmrotate.spi.HttpClientProvider;
import dev.llmrotate.spi.HttpLimits;
import dev.llmrotate.spi.InMemoryStateStore;
import dev.llmrotate.spi.ProviderAdapter;
import dev.llmrotate.spi.StateStore;
import dev.llmrotate.spi.StateStoreFactory;
import dev.llmrotate.spi.Telemetry;
import dev.llmrotate.spi.TelemetryProvider;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;

/** Builds an {@link LlmRotate}. Only the configuration is required. */
public final class LlmRotateBuilder {
    private LlmRotateConfig config;
    private Clock clock = Clock.systemUTC();
    private RandomGenerator random;
    private StateStore stateStore;
    private Executor executor;
    private Duration shutdownGrace = Duration.ofSeconds(5);
    private HttpLimits replyLimits = HttpLimits.DEFAULTS;
    private HttpClientProvider httpClient;
    private Telemetry telemetry;
    private Pricing pricing;
    private int eventCapacity;
    private final Map<String, ProviderAdapter> adapters = new LinkedHashMap<>();
    private CredentialEnvironment credentialEnvironment = CredentialEnvironment.system();

    LlmRotateBuilder() {}

    /**
     * The keys, providers and defaults to run with; required. {@link LlmRotate#reloadConfig} replaces it later.
     *
     * @param value the configuration ({@link LlmRotateConfig#fromFile}, {@link LlmRotateConfig#builder()})
     * @return this
     */
    public LlmRotateBuilder config(LlmRotateConfig value) {
        this.config = value;
        return this;
    }

    /**
     * The clock for health timers (cooldowns, quarantines, budgets); inject a controllable one in tests. Default:
     * {@link Clock#systemUTC()}.
     *
     * @param value the clock, not null
     * @return this
     */
    public LlmRotateBuilder clock(Clock value) {
        this.clock = Objects.requireNonNull(value, "clock");
        return this;
    }

    /**
     * The randomness of weighted choices and backoff jitter; must be thread-safe. Pass a seeded
     * {@link java.util.Random} for reproducible tests. Default: {@link ThreadLocalRandom}.
     *
     * @param value the generator, not null
     * @return this
     */
    public LlmRotateBuilder random(RandomGenerator value) {
        this.random = Objects.requireNonNull(value, "random");
        return this;
    }

    /**
     * Where health, budgets and usage live; default: the configuration's {@code state_store} ({@link
     * InMemoryStateStore} unless it names another type). The instance closes the store when it is closed.
     *
     * @param value the store, not null; closed with the instance
     * @return this
     */
    public LlmRotateBuilder stateStore(StateStore value) {
        this.stateStore = Objects.requireNonNull(value, "stateStore");
        return this;
    }

    /**
     * Limits on what a provider may send back to the built-in adapters: the longest 2xx body (default 32 MiB), how
     * much of an error body is read (64 KiB), the longest line of a stream (8 MiB; an SSE event may carry twice
     * that). Beyond them an attempt fails with a classified error, never an {@code OutOfMemoryError}.
     *
     * @param maxBodyBytes the longest 2xx body accepted, in bytes, at least 1
     * @param maxErrorBodyBytes how much of an error body is read, in bytes, at least 1
     * @param maxStreamLineBytes the longest line of a streamed body, in bytes, at least 1
     * @return this
     * @throws IllegalArgumentException when a limit is below 1
     */
    public LlmRotateBuilder replyLimits(int maxBodyBytes, int maxErrorBodyBytes, int maxStreamLineBytes) {
        this.replyLimits = new HttpLimits(maxBodyBytes, maxErrorBodyBytes, maxStreamLineBytes);
        return this;
    }

    /**
     * The HTTP client of the built-in adapters; default: the JDK's {@code java.net.http.HttpClient}. The instance
     * makes its client with {@link #replyLimits} when it is built and closes it when it is closed. Not discovered
     * with {@link ServiceLoader}: see {@link HttpClientProvider}.
     *
     * @param provider makes the client, not null
     * @return this
     */
    public LlmRotateBuilder httpClient(HttpClientProvider provider) {
        this.httpClient = Objects.requireNonNull(provider, "httpClient");
        return this;
    }

    /**
     * How long {@link LlmRotate#close()} waits for calls in flight to finish before it closes the state store;
     * default 5 s, zero to close at once.
     *
     * @param value the grace period, zero or positive
     * @return this
     * @throws IllegalArgumentException when {@code value} is negative
     */
    public LlmRotateBuilder shutdownGracePeriod(Duration value) {
        Objects.requireNonNull(value, "shutdownGracePeriod");
        if (value.isNegative()) {
            throw new IllegalArgumentException("shutdownGracePeriod must not be negative, got " + value);
        }
        this.shutdownGrace = value;
        return this;
    }

    /**
     * The executor of {@link LlmRotate#chatAsync(dev.llmrotate.chat.ChatRequest)} and {@link
     * LlmRotate#chatStreamPublisher}: it runs their waits and completes their futures. Default: a pool of daemon
     * threads ({@code llm-rotate-async-N}) that the instance owns and shuts down on close; one given here is not shut
     * down.
     *
     * @param value the executor, not null
     * @return this
     */
    public LlmRotateBuilder executor(Executor value) {
        this.executor = Objects.requireNonNull(value, "executor");
        return this;
    }

    /**
     * The telemetry hooks; default: the first {@link TelemetryProvider} found by {@link ServiceLoader} (adding the
     * {@code llm-rotate-otel} module provides one), else none.
     *
     * @param value the hooks, not null; {@link Telemetry#NOOP} for none
     * @return this
     */
    public LlmRotateBuilder telemetry(Telemetry value) {
        this.telemetry = Objects.requireNonNull(value, "telemetry");
        return this;
    }

    /**
     * Model prices for cost estimates, fixed for the instance's life; default: the configuration's {@code pricing}
     * over the built-in table, read again on every reload.
     *
     * @param value the prices, not null
     * @return this
     */
    public LlmRotateBuilder pricing(Pricing value) {
        this.pricing = Objects.requireNonNull(value, "pricing");
        return this;
    }

    /**
     * Keeps the most recent {@code capacity} call records in memory ({@link LlmRotate#recentCalls}); off by
     * default. The configuration's {@code event_buffer} does the same; this one takes precedence.
     *
     * @param capacity the most records kept, 1 to 200,000
     * @return this
     * @throws ConfigurationException when {@code capacity} is outside that range
     */
    public LlmRotateBuilder eventBuffer(int capacity) {
        if (capacity <= 0 || capacity > EventBuffer.MAX_CAPACITY) {
            throw new ConfigurationException(
                    "event buffer capacity must be between 1 and " + EventBuffer.MAX_CAPACITY + ", got " + capacity);
        }
        this.eventCapacity = capacity;
        return this;
    }

    /**
     * Where the cloud credential chains look for credentials ({@code auth_method: adc} of {@code google_vertex},
     * {@code default_chain} of {@code aws_bedrock}): environment variables, system properties and the home directory.
     * Default: the process's own ({@link CredentialEnvironment#system()}); tests pass their own.
     *
     * @param value the environment, not null
     * @return this
     */
    public LlmRotateBuilder credentialEnvironment(CredentialEnvironment value) {
        this.credentialEnvironment = Objects.requireNonNull(value, "credentialEnvironment");
        return this;
    }

    /**
     * Adds an adapter, replacing the built-in one of its provider (for custom transports and tests). Call it again
     * for each provider; a later adapter for the same provider replaces an earlier one.
     *
     * @param adapter the adapter, registered under its {@link ProviderAdapter#provider()}
     * @return this
     */
    public LlmRotateBuilder adapter(ProviderAdapter adapter) {
        adapters.put(adapter.provider(), adapter);
        return this;
    }

    /**
     * Builds the instance.
     *
     * @return a new instance; close it when done
     * @throws ConfigurationException without a configuration, or when a provider with active keys has no adapter
     */
    public LlmRotate build() {
        if (config == null) {
            throw new ConfigurationException("LlmRotate.builder() needs a config(...)");
        }
        RandomGenerator rng =
                random != null ? random : () -> ThreadLocalRandom.current().nextLong();
        HttpTransport transport = new HttpTransport(httpClient != null ? httpClient : JdkHttpClient::new, replyLimits);
        Map<String, ProviderAdapter> all =
                new LinkedHashMap<>(builtInAdapters(clock, transport, credentialEnvironment));
        all.putAll(adapters);
        Telemetry hooks = telemetry != null ? telemetry : discoverTelemetry();
        StateStore store;
        try {
            store = stateStore != null ? stateStore : stateStoreOf(config.stateStore(), null);
        } catch (RuntimeException e) {
            transport.close();
            throw e;
        }
        Engine engine;
        try {
            engine = new Engine(
                    config,
                    store,
                    clock,
                    rng,
                    all,
                    hooks,
                    pricing,
                    eventBufferOf(eventCapacity > 0 ? eventCapacity : config.eventBufferCapacity()),
                    false);
        } catch (RuntimeException e) {
            if (stateStore == null) {
                store.close(); // opened here for this instance only
            }
            transport.close();
            throw e;
        }
        ExecutorService owned = executor == null ? Executors.newCachedThreadPool(daemonThreads()) : null;
        return new LlmRotate(engine, executor != null ? executor : owned, owned, shutdownGrace, transport);
    }

    /**
     * Builds a read-only view of a shared state store, for a process that serves no calls of its own (a dashboard, a
     * control server beside a fleet of workers): {@link LlmRotate#health()}, the usage methods, {@link
     * LlmRotate#keyHistory} and {@link LlmRotate#recentCalls} show what every process sharing the store did, read from
     * it; key masks are those the workers published. The view makes no calls (the call methods, {@code acquire} and
     * {@code resetKey} throw {@link IllegalStateException}), resolves no {@code secret_ref} (it may not have the
     * workers' secrets) and writes nothing to the store (a reload changes which keys it shows, nothing else). The
     * configuration names the keys and the store ({@code state_store}); telemetry and the event buffer are not used.
     *
     * @return a new read-only instance; close it when done
     * @throws ConfigurationException without a configuration, or for a state store that cannot be opened
     */
    public LlmRotate buildObserver() {
        if (config == null) {
            throw new ConfigurationException("LlmRotate.builder() needs a config(...)");
        }
        RandomGenerator rng =
                random != null ? random : () -> ThreadLocalRandom.current().nextLong();
        // An observer makes no calls: its adapters get the JDK client, which opens nothing until used.
        Map<String, ProviderAdapter> all = new LinkedHashMap<>(
                builtInAdapters(clock, new HttpTransport(JdkHttpClient::new, replyLimits), credentialEnvironment));
        all.putAll(adapters);
        StateStore store = stateStore != null ? stateStore : stateStoreOf(config.stateStore(), null);
        Engine engine;
        try {
            engine = new Engine(config, store, clock, rng, all, Telemetry.NOOP, pricing, null, true);
        } catch (RuntimeException e) {
            if (stateStore == null) {
                store.close();
            }
            throw e;
        }
        return new LlmRotate(engine, null, null, Duration.ZERO);
    }

    private static Map<String, ProviderAdapter> builtInAdapters(
            Clock clock, HttpTransport transport, CredentialEnvironment environment) {
        ObjectMapper json = new ObjectMapper();
        List<ProviderAdapter> adapters = List.of(
                new OpenAiAdapter(transport, json, clock),
                new OpenRouterAdapter(transport, json, clock),
                new AzureOpenAiAdapter(transport, json, clock),
                new AnthropicAdapter(transport, json, clock),
                new GoogleAiStudioAdapter(transport, json, clock),
                new GoogleVertexAdapter(transport, json, clock, environment),
                new BedrockAdapter(transport, json, clock, environment));
        Map<String, ProviderAdapter> builtIn = new LinkedHashMap<>();
        adapters.forEach(adapter -> builtIn.put(adapter.provider(), adapter));
        return builtIn;
    }

    private static EventBuffer eventBufferOf(int capacity) {
        return capacity > 0 ? new EventBuffer(capacity) : null;
    }

    /**
     * The store a {@code state_store} block names: in memory, or the one a {@link StateStoreFactory} of that type
     * found by {@link ServiceLoader} (in {@code loader}, or the default one when null) opens.
     */
    static StateStore stateStoreOf(StateStoreSettings settings, ClassLoader loader) {
        if (settings.type().equals(StateStoreSettings.MEMORY)) {
            return new InMemoryStateStore();
        }
        ServiceLoader<StateStoreFactory> factories = loader == null
                ? ServiceLoader.load(StateStoreFactory.class)
                : ServiceLoader.load(StateStoreFactory.class, loader);
        for (StateStoreFactory factory : factories) {
            if (factory.type().equals(settings.type())) {
                return factory.create(settings);
            }
        }
        throw new ConfigurationException("state_store.type: " + settings.type() + " needs the llm-rotate-"
                + settings.type() + " module on the class path");
    }

    private static Telemetry discoverTelemetry() {
        for (TelemetryProvider provider : ServiceLoader.load(TelemetryProvider.class)) {
            return provider.create();
        }
        return Telemetry.NOOP;
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, "llm-rotate-async-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
