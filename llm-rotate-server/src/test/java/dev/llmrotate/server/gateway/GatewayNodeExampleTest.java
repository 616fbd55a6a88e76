package dev.llmrotate.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.llmrotate.LlmRotate;
import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.config.SecretRef;
import dev.llmrotate.observe.CallRecord;
import dev.llmrotate.testkit.FakeOpenAiServer;
import dev.llmrotate.testkit.FakeResponse;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The README's Node example (the official OpenAI SDK, npm {@code openai}), taken from README.md and run as it is
 * written by the real {@code node} against a gateway over the testkit's fake OpenAI server. Only the address differs:
 * the README shows the default port, 4000; the test's gateway listens on a free port.
 *
 * <p>The SDK is installed once with {@code npm install} into {@code target/node-openai-<version>/}, which later runs
 * reuse. Without {@code node} (18 or later) or {@code npm}, or when the install fails, the tests are skipped, unless
 * the environment has {@code REQUIRE_NODE=1} (CI), which makes that a failure.
 */
@Tag("slow")
class GatewayNodeExampleTest {
    /**
     * The SDK version the example runs with: the newest when this was written. It declares {@code node >= 22}, but
     * this test passes with it on Node 18.20 (Debian 12's, what CI installs; npm warns EBADENGINE and installs) and
     * Node 20; 6.49.0, the last release that declares no engine, passes too.
     */
    static final String SDK_VERSION = "7.60.0";

    private static final String README_ADDRESS = "http://127.0.0.1:4000/";
    private static final String GATEWAY_SECRET = "gw-secret-node-0123456789";
    private static final Duration NODE_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration NPM_TIMEOUT = Duration.ofMinutes(5);

    private static String example;
    private static Path sdkDir;

    private final FakeOpenAiServer openai = FakeOpenAiServer.start();
    private final List<CallRecord> records = new CopyOnWriteArrayList<>();
    private LlmRotate lm;
    private Gateway gateway;

    @BeforeAll
    static void installSdk() throws Exception {
        example = readmeNodeExample();
        requireTool("node");
        requireTool("npm");
        Run node = Run.of(new ProcessBuilder("node", "--version"), NODE_TIMEOUT);
        String version = node.out.strip();
        Matcher major = Pattern.compile("v(\\d+)\\.").matcher(version);
        if (node.exit != 0 || !major.lookingAt() || Integer.parseInt(major.group(1)) < 18) {
            unavailable("'node --version' answered '" + version + "' (exit " + node.exit
                    + "); the example needs Node 18 or later");
        }
        sdkDir = targetDir().resolve("node-openai-" + SDK_VERSION);
        if (!installed(sdkDir)) {
            install(sdkDir);
        }
    }

    @BeforeEach
    void start() {
        lm = LlmRotate.create(LlmRotateConfig.builder()
                .keys(List.of(KeySpec.builder("oa-1", "openai")
                        .secretRef(SecretRef.parse("env://NODE_OA_1", name -> "sk-upstream-0123456789abcdef"))
                        .models("gpt-4o-mini")
                        .build()))
                .provider("openai", s -> s.withBaseUrl(openai.baseUrl()).withRequestTimeout(Duration.ofSeconds(5)))
                .defaults(d -> d.withBackoff(Duration.ofMillis(1), Duration.ofMillis(5))
                        .withMaxWaitForKey(Duration.ZERO))
                .build());
        lm.onCall(records::add);
        gateway = Gateway.start(
                lm,
                GatewayOptions.builder()
                        .port(0)
                        .keys(List.of(GatewayKey.of("node-app", GATEWAY_SECRET, Set.of(), null)))
                        .build());
    }

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (lm != null) {
            lm.close();
        }
        openai.close();
    }

    @Test
    void thePlainAndTheStreamedCallPrintTheProvidersAnswers() throws Exception {
        openai.byDefault()
                .respond(request -> request.stream()
                        ? FakeResponse.ok("Hi from the stream!").withChunks("Hi", " from the", " stream!")
                        : FakeResponse.ok("Hi! How can I help?"));

        String out = runExample(GATEWAY_SECRET);

        assertThat(out).isEqualTo("Hi! How can I help?\nHi from the stream!\n");
        assertThat(openai.requests()).hasSize(2);
        assertThat(openai.requests().get(0).stream()).isFalse();
        assertThat(openai.requests().get(1).stream()).isTrue();
        assertThat(openai.requests()
                        .get(1)
                        .json()
                        .path("messages")
                        .get(0)
                        .path("content")
                        .asText())
                .isEqualTo("Say hi");
        // A stream's record is written as it ends, which may be just after node has read the last event.
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() ->
                        assertThat(records).extracting(CallRecord::caller).containsExactly("node-app", "node-app"));
    }

    @Test
    void aStreamCutAfterItsFirstChunkEndsInTheSdksApiError() throws Exception {
        openai.byDefault()
                .respond(request -> request.stream()
                        ? FakeResponse.ok("Hi from the stream!")
                                .withChunks("Hi", " from the", " stream!")
                                .cutAfterChunks(1)
                        : FakeResponse.ok("Hi! How can I help?"));

        String out = runExample(GATEWAY_SECRET);

        // The first delta, then the SDK's APIError (no HTTP status: the answer had begun) instead of an end.
        assertThat(out)
                .startsWith("Hi! How can I help?\nHi" + "APIError undefined stream_interrupted: ")
                .doesNotContain("stream!")
                .doesNotContain("0123456789abcdef");
        assertThat(openai.requests()).hasSize(2);
    }

    @Test
    void aWrongGatewayKeyIsCaughtAsTheSdksAuthenticationError() throws Exception {
        openai.byDefault().always(FakeResponse.ok("never sent"));

        String out = runExample("gw-secret-wrong");

        assertThat(out).startsWith("AuthenticationError 401 invalid_api_key: ").doesNotContain("gw-secret");
        assertThat(openai.requestCount()).isZero();
    }

    @Test
    void everyKeyOutIsCaughtAsTheSdksInternalServerError503() throws Exception {
        openai.byDefault().always(FakeResponse.rateLimited(Duration.ofSeconds(30)));

        String out = runExample(GATEWAY_SECRET);

        assertThat(out).startsWith("InternalServerError 503 no_available_key: ").doesNotContain("0123456789abcdef");
        assertThat(openai.requestCount())
                .as("maxRetries: 0, so one request and no retry by the SDK")
                .isEqualTo(1);
    }

    /** Runs the README's example with the test gateway's address in place of the README's; its standard output. */
    private String runExample(String gatewayKey) throws IOException, InterruptedException {
        assertThat(example).contains(README_ADDRESS);
        Path script = Files.createTempFile(sdkDir, "readme-example-", ".mjs"); // beside node_modules, to import it
        try {
            Files.writeString(
                    script, example.replace(README_ADDRESS, gateway.uri().toString()));
            ProcessBuilder builder =
                    new ProcessBuilder("node", script.getFileName().toString()).directory(sdkDir.toFile());
            Map<String, String> env = builder.environment();
            // The SDK reads OPENAI_* settings (organization, project, log level, ...) from the environment.
            env.keySet().removeIf(name -> name.startsWith("OPENAI_"));
            env.put("LLM_ROTATE_GATEWAY_KEY", gatewayKey);
            Run run = Run.of(builder, NODE_TIMEOUT);
            assertThat(run.exit)
                    .as("node's exit status; its standard error:%n%s", run.err)
                    .isZero();
            return run.out;
        } finally {
            Files.deleteIfExists(script);
        }
    }

    /** The Node block of the README's gateway section: the first {@code ```js} block after its heading. */
    static String readmeNodeExample() throws IOException {
        String readme = Files.readString(projectRoot().resolve("README.md"));
        int section = readme.indexOf("\n## Gateway (OpenAI-compatible)\n");
        assertThat(section).as("README.md has the gateway section").isNotNegative();
        int end = readme.indexOf("\n## ", section + 1);
        String gatewaySection = readme.substring(section, end < 0 ? readme.length() : end);
        Matcher block = Pattern.compile("\n```js\n(.*?)\n```\n", Pattern.DOTALL).matcher(gatewaySection);
        assertThat(block.find()).as("the gateway section has a ```js block").isTrue();
        return block.group(1) + "\n";
    }

    private static Path projectRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("README.md")) && Files.isDirectory(dir.resolve("llm-rotate-server"))) {
                return dir;
            }
        }
        throw new AssertionError("no project root (README.md beside llm-rotate-server) above "
                + Path.of("").toAbsolutePath());
    }

    /** This module's {@code target} directory, where the test classes are. */
    private static Path targetDir() throws URISyntaxException {
        return Path.of(GatewayNodeExampleTest.class
                        .getProtectionDomain()
                        .getCodeSource()
                        .getLocation()
                        .toURI())
                .getParent();
    }

    private static boolean installed(Path dir) throws IOException {
        Path manifest = dir.resolve("node_modules/openai/package.json");
        return Files.isRegularFile(manifest)
                && Files.readString(manifest).contains("\"version\": \"" + SDK_VERSION + "\"");
    }

    /**
     * Installs the SDK into a fresh directory beside {@code dir}, then moves it into place, so that an interrupted
     * install is never taken for a complete one.
     */
    private static void install(Path dir) throws IOException, InterruptedException {
        Path staging = Files.createTempDirectory(dir.getParent(), dir.getFileName() + ".installing-");
        try {
            Run run = Run.of(
                    new ProcessBuilder(
                                    "npm",
                                    "install",
                                    "--no-audit",
                                    "--no-fund",
                                    "--ignore-scripts",
                                    "openai@" + SDK_VERSION)
                            .directory(staging.toFile()),
                    NPM_TIMEOUT);
            if (run.exit != 0 || !installed(staging)) {
                unavailable("npm install openai@" + SDK_VERSION + " failed (exit " + run.exit + "):\n" + run.err);
            }
            deleteTree(dir); // a partial or other version left by hand
            try {
                Files.move(staging, dir, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
                if (!installed(dir)) {
                    throw e;
                }
            }
        } finally {
            deleteTree(staging);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    private static void requireTool(String program) {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                if (Files.isExecutable(Path.of(dir, program))) {
                    return;
                }
            }
        }
        unavailable(program + " is not on the PATH");
    }

    /** Skips the test, or fails it under {@code REQUIRE_NODE=1}. */
    private static void unavailable(String why) {
        if ("1".equals(System.getenv("REQUIRE_NODE"))) {
            fail("REQUIRE_NODE=1 but " + why);
        }
        assumeTrue(false, why + "; the README's Node example is not run (REQUIRE_NODE=1 makes this a failure)");
    }

    /** A finished process: its exit status and what it wrote (to files, so that no pipe fills and blocks it). */
    private record Run(int exit, String out, String err) {
        static Run of(ProcessBuilder builder, Duration timeout) throws IOException, InterruptedException {
            Path out = Files.createTempFile("node-example-", ".out");
            Path err = Files.createTempFile("node-example-", ".err");
            try {
                Process process = builder.redirectOutput(out.toFile())
                        .redirectError(err.toFile())
                        .start();
                process.getOutputStream().close();
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly().waitFor();
                    throw new AssertionError(String.join(" ", builder.command()) + " did not end within " + timeout
                            + "; its standard error:\n" + Files.readString(err, StandardCharsets.UTF_8));
                }
                return new Run(
                        process.exitValue(),
                        Files.readString(out, StandardCharsets.UTF_8),
                        Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        }
    }
}
