package dev.llmrotate.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.llmrotate.LlmRotate;
import dev.llmrotate.chat.ChatRequest;
import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.config.ProviderCatalog;
import dev.llmrotate.config.ProviderSettings;
import dev.llmrotate.config.SecretRef;
import dev.llmrotate.config.SelectionStrategyType;
import dev.llmrotate.internal.provider.http.HttpTransport;
import dev.llmrotate.internal.provider.http.Transports;
import dev.llmrotate.internal.provider.openai.OpenAiAdapter;
import dev.llmrotate.spi.Attempt;
import dev.llmrotate.spi.ProviderAdapter;
import dev.llmrotate.testkit.FakeOpenAiServer;
import dev.llmrotate.testkit.FakeResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;

/**
 * Sequential latency of one plain chat completion over loopback, from the raw JDK client up to the full library:
 *
 * <ul>
 *   <li>{@code raw}: {@code HttpClient.send} with {@code BodyHandlers.ofString()} of a prebuilt request (the bytes
 *       the adapter sends, the same headers) to the testkit's {@link FakeOpenAiServer}: the baseline;
 *   <li>{@code raw sendAsync().get()}: the same through {@code sendAsync(...).get()}, as the transport used to send;
 *   <li>{@code adapter send}: {@link OpenAiAdapter#send} of an {@link Attempt} (request JSON, headers, bounded body,
 *       reply parsing);
 *   <li>{@code adapter sendAsync().get()}: {@link OpenAiAdapter#sendAsync}, the caller waiting for the future;
 *   <li>{@code LlmRotate.chat}: a whole call with one key (selection, health, usage records off);
 *   <li>{@code raw to a bare server}: the raw send to a JDK {@code HttpServer} that answers fixed bytes, which shows
 *       what the fake server itself costs (recording the request, parsing its JSON, rendering the answer).
 * </ul>
 *
 * All variants share one JDK client (the adapter's transport's, also under the {@code LlmRotate} instance). After a
 * warm-up, the blocking variants take turns call by call ({@link #interleaved}), the asynchronous ones block by block
 * ({@link #blocks}); each call is timed with {@code System.nanoTime()}. Prints p50, p90, p99 and mean in µs, each
 * variant's p50 over {@code raw}, and the median difference to {@code raw} over {@value #PAIRS} stretches of the run
 * ({@link #pairedDifference}). Then times the pieces of the adapter's own work without a network.
 *
 * <pre>
 * ./mvnw -B -q -pl llm-rotate-bench -am package -DskipTests
 * java -cp llm-rotate-bench/target/benchmarks.jar dev.llmrotate.bench.HttpPathBenchmark [calls per variant, default 5000]
 * </pre>
 *
 * Logging is off (the bench's {@code logback.xml}); at WARN nothing on this path logs either.
 */
public final class HttpPathBenchmark {
    private static final String MODEL = "gpt-4o-mini";
    private static final String SECRET = "sk-bench-" + "0".repeat(42);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int BLOCK = 250;
    private static final int SETTLE = 20;
    /** How many stretches of the run {@link #pairedDifference} compares. */
    private static final int PAIRS = 20;

    private HttpPathBenchmark() {}

    @FunctionalInterface
    private interface Call {
        Object run() throws Exception;
    }

    private record Variant(String name, Call call) {}

    public static void main(String[] args) throws Exception {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        ObjectMapper json = new ObjectMapper();
        FakeResponse answer = FakeResponse.ok("Hi.").withUsage(18, 2, 0, 0);
        FakeOpenAiServer fake = FakeOpenAiServer.start();
        fake.byDefault().always(answer);
        ExecutorService bareExecutor = Executors.newCachedThreadPool(daemon());
        HttpServer bare = bareServer(bareExecutor);
        ChatRequest request = BenchFixtures.request();
        ProviderSettings settings =
                ProviderCatalog.defaults("openai").withBaseUrl(fake.baseUrl()).withRequestTimeout(TIMEOUT);
        KeySpec key = KeySpec.builder("bench-key-0", "openai")
                .secretRef(SecretRef.parse("env://BENCH_KEY", name -> SECRET))
                .models(MODEL)
                .build();
        Attempt attempt = new Attempt(request, key, SECRET, settings, null, TIMEOUT);
        // One transport, hence one JDK client (one connection, one pool of client threads), for all variants.
        HttpTransport transport = new HttpTransport();
        HttpClient client = Transports.client(transport, settings.connectTimeout());
        ProviderAdapter adapter = new OpenAiAdapter(transport, json, Clock.systemUTC());
        LlmRotate rotate = LlmRotate.builder()
                .config(LlmRotateConfig.builder()
                        .keys(List.of(key))
                        .provider("openai", s -> s.withBaseUrl(fake.baseUrl()).withRequestTimeout(TIMEOUT))
                        .strategy(SelectionStrategyType.PRIORITY)
                        .build())
                .adapter(adapter)
                .build();
        byte[] body = requestBytes(json);
        URI chat = fake.chatCompletionsUrl();
        URI bareUri = URI.create("http://127.0.0.1:" + bare.getAddress().getPort() + "/v1/chat/completions");

        Variant raw = new Variant(
                "raw HttpClient.send",
                () -> client.send(raw(chat, body), HttpResponse.BodyHandlers.ofString())
                        .body());
        List<Variant> blocking = List.of(
                raw,
                new Variant("adapter send", () -> adapter.send(attempt)),
                new Variant("LlmRotate.chat", () -> rotate.chat(request)),
                new Variant(
                        "raw to a bare server",
                        () -> client.send(raw(bareUri, body), HttpResponse.BodyHandlers.ofString())
                                .body()));
        // Apart: on a machine whose common pool has parallelism 1 (2 CPUs or fewer), the JDK completes every
        // sendAsync exchange on a new thread, whose start and end weigh on whatever runs next.
        List<Variant> async = List.of(
                raw,
                new Variant(
                        "raw sendAsync().get()",
                        () -> client.sendAsync(raw(chat, body), HttpResponse.BodyHandlers.ofString())
                                .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                                .body()),
                new Variant(
                        "adapter sendAsync().get()",
                        () -> adapter.sendAsync(attempt, Runnable::run)
                                .get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)));
        System.out.printf(
                Locale.ROOT,
                "%d CPUs, common pool parallelism %d%n",
                Runtime.getRuntime().availableProcessors(),
                ForkJoinPool.getCommonPoolParallelism());
        checkAnswers(blocking);
        interleaved(blocking, Math.max(2000, calls / 2), fake, answer); // warm-up
        report("interleaved, one call of each variant per turn", blocking, interleaved(blocking, calls, fake, answer));
        checkAnswers(async);
        blocks(async, Math.max(2000, calls / 2), fake, answer); // warm-up
        report("in blocks of " + BLOCK + " calls per variant", async, blocks(async, calls, fake, answer));
        pieces(json, adapter, attempt);

        rotate.close();
        fake.close();
        bare.stop(0);
        bareExecutor.shutdownNow();
    }

    private static HttpRequest raw(URI uri, byte[] body) {
        return HttpRequest.newBuilder(uri)
                .timeout(TIMEOUT)
                .version(HttpClient.Version.HTTP_1_1)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .header("Authorization", "Bearer " + SECRET)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
    }

    /** The body {@link OpenAiAdapter} sends for {@link BenchFixtures#request()}. */
    private static byte[] requestBytes(ObjectMapper json) throws IOException {
        return json.writeValueAsBytes(requestTree(json));
    }

    private static ObjectNode requestTree(ObjectMapper json) {
        ObjectNode root = json.createObjectNode();
        root.put("model", MODEL);
        var messages = root.putArray("messages");
        messages.addObject().put("role", "system").put("content", "You are terse.");
        messages.addObject().put("role", "user").put("content", "Say hi.");
        root.put("max_completion_tokens", 16);
        return root;
    }

    /** A JDK server answering every request with the fake's answer bytes, without looking at the request. */
    private static HttpServer bareServer(ExecutorService executor) throws IOException {
        byte[] answer = ("{\"id\":\"chatcmpl-bare\",\"object\":\"chat.completion\",\"created\":1764000000,\"model\":\""
                        + MODEL
                        + "\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hi.\"},"
                        + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":18,\"completion_tokens\":2,"
                        + "\"total_tokens\":20}}")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 512);
        server.setExecutor(executor);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().set("content-type", "application/json");
            exchange.sendResponseHeaders(200, answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        });
        server.start();
        return server;
    }

    private static void checkAnswers(List<Variant> variants) throws Exception {
        for (Variant variant : variants) {
            Object answer = variant.call().run();
            if (answer == null || (answer instanceof String text && !text.contains("Hi."))) {
                throw new IllegalStateException(variant.name() + " answered " + answer);
            }
        }
    }

    /**
     * {@code calls} turns of one call per variant, the order rotating from turn to turn, each call timed. All variants
     * go through one JDK client and the same servers, so no variant finds the threads it needs colder than another
     * does, and load from other processes falls on all alike. The fake forgets its recorded requests every 1000
     * turns.
     */
    private static long[][] interleaved(List<Variant> variants, int calls, FakeOpenAiServer fake, FakeResponse answer)
            throws Exception {
        int n = variants.size();
        long[][] times = new long[n][calls];
        for (int turn = 0; turn < calls; turn++) {
            for (int k = 0; k < n; k++) {
                int v = (k + turn) % n;
                Call call = variants.get(v).call();
                long start = System.nanoTime();
                call.run();
                times[v][turn] = System.nanoTime() - start;
            }
            if (turn % 1000 == 999) {
                fake.reset();
                fake.byDefault().always(answer);
            }
        }
        return times;
    }

    /**
     * {@code calls} timed calls per variant in blocks of {@value #BLOCK} consecutive calls of one variant, the
     * variants taking turns block by block, the first {@value #SETTLE} calls of each block untimed. For the
     * asynchronous variants: on a machine whose common pool has parallelism 1 (2 CPUs or fewer), the JDK completes
     * every {@code sendAsync} exchange on a new thread, whose start and end would weigh on whichever call came next.
     */
    private static long[][] blocks(List<Variant> variants, int calls, FakeOpenAiServer fake, FakeResponse answer)
            throws Exception {
        int n = variants.size();
        long[][] times = new long[n][calls];
        for (int done = 0; done < calls; done += BLOCK) {
            for (int v = 0; v < n; v++) {
                Call call = variants.get(v).call();
                for (int i = 0; i < SETTLE; i++) {
                    call.run();
                }
                for (int i = done; i < Math.min(calls, done + BLOCK); i++) {
                    long start = System.nanoTime();
                    call.run();
                    times[v][i] = System.nanoTime() - start;
                }
                fake.reset();
                fake.byDefault().always(answer);
            }
        }
        return times;
    }

    private static void report(String how, List<Variant> variants, long[][] times) {
        int calls = times[0].length;
        double rawP50 = percentile(times[0], 50);
        System.out.printf(
                Locale.ROOT,
                "%n%d sequential calls per variant, %s; µs%n%-28s %8s %8s %8s %8s %10s %14s%n",
                calls,
                how,
                "variant",
                "p50",
                "p90",
                "p99",
                "mean",
                "p50 - raw",
                "paired diff");
        for (int v = 0; v < variants.size(); v++) {
            System.out.printf(
                    Locale.ROOT,
                    "%-28s %8.1f %8.1f %8.1f %8.1f %10.1f %14.1f%n",
                    variants.get(v).name(),
                    percentile(times[v], 50),
                    percentile(times[v], 90),
                    percentile(times[v], 99),
                    Arrays.stream(times[v]).average().orElse(0) / 1000,
                    percentile(times[v], 50) - rawP50,
                    pairedDifference(times[v], times[0]));
        }
    }

    /**
     * The median of this variant's time minus {@code raw}'s in the same turn (interleaved), or of its block median
     * minus {@code raw}'s block median in the same turn (blocks): the difference least moved by load that changes
     * over the run.
     */
    private static double pairedDifference(long[] variant, long[] raw) {
        int size = variant.length / PAIRS;
        long[] differences = new long[PAIRS];
        for (int b = 0; b < PAIRS; b++) {
            int from = b * size;
            differences[b] = (long) ((percentile(Arrays.copyOfRange(variant, from, from + size), 50)
                            - percentile(Arrays.copyOfRange(raw, from, from + size), 50))
                    * 1000);
        }
        return percentile(differences, 50);
    }

    private static double percentile(long[] values, int p) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, (int) ((long) sorted.length * p / 100))] / 1000.0;
    }

    /** The adapter's own work without a network, in ns per operation (averaged over many). */
    private static void pieces(ObjectMapper json, ProviderAdapter adapter, Attempt attempt) throws Exception {
        String replyJson = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1764000000,\"model\":\""
                + MODEL + "\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hi.\"},"
                + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":18,\"completion_tokens\":2}}";
        byte[] body = requestBytes(json);
        URI uri = URI.create(attempt.settings().baseUrl() + "/chat/completions");
        Map<String, Call> pieces = new LinkedHashMap<>();
        pieces.put("request JSON: tree + bytes", () -> json.writeValueAsBytes(requestTree(json)));
        pieces.put(
                "URI.create of the chat URL",
                () -> URI.create(attempt.settings().baseUrl() + "/chat/completions"));
        pieces.put("HttpRequest build (3 headers)", () -> raw(uri, body));
        pieces.put("reply JSON: readTree", () -> json.readTree(replyJson));
        System.out.printf(Locale.ROOT, "%npieces without the network; ns per operation%n");
        List<String> names = new ArrayList<>(pieces.keySet());
        for (String name : names) {
            Call call = pieces.get(name);
            for (int i = 0; i < 200_000; i++) {
                call.run();
            }
            int n = 500_000;
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                call.run();
            }
            System.out.printf(Locale.ROOT, "%-34s %8.0f%n", name, (System.nanoTime() - start) / (double) n);
        }
    }

    private static java.util.concurrent.ThreadFactory daemon() {
        return task -> {
            Thread thread = new Thread(task, "bare-server");
            thread.setDaemon(true);
            return thread;
        };
    }
}
