package dev.llmrotate.server.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmrotate.LlmRotate;
import dev.llmrotate.config.KeySpec;
import dev.llmrotate.config.LlmRotateConfig;
import dev.llmrotate.config.SecretRef;
import dev.llmrotate.testkit.FakeOpenAiServer;
import dev.llmrotate.testkit.FakeResponse;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The README's curl examples, run as they are written (by {@code sh -c}, with the real {@code curl} binary) against
 * a gateway over the testkit's fake OpenAI server. Only the port differs: the README shows the default, 4000; the
 * test's gateway listens on a free port. Skipped where there is no {@code curl} or {@code sh}.
 */
class GatewayCurlExampleTest {
    /** The README's plain curl example, verbatim. */
    static final String README_CURL_CHAT = "curl -s http://127.0.0.1:4000/v1/chat/completions"
            + " -H 'content-type: application/json'"
            + " -d '{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hi\"}]}'";

    /** The README's streamed curl example, verbatim ({@code -N}: curl prints each event as it arrives). */
    static final String README_CURL_CHAT_STREAM = "curl -sN http://127.0.0.1:4000/v1/chat/completions"
            + " -H 'content-type: application/json'"
            + " -d '{\"model\":\"gpt-4o-mini\",\"stream\":true,"
            + "\"messages\":[{\"role\":\"user\",\"content\":\"Say hi\"}]}'";

    private static final String README_ADDRESS = "http://127.0.0.1:4000/";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final FakeOpenAiServer openai = FakeOpenAiServer.start();
    private LlmRotate lm;
    private Gateway gateway;

    @BeforeEach
    void start() {
        assumeTrue(onPath("curl"), "curl is not on the PATH");
        assumeTrue(onPath("sh"), "sh is not on the PATH");
        lm = LlmRotate.create(LlmRotateConfig.builder()
                .keys(List.of(KeySpec.builder("oa-1", "openai")
                        .secretRef(SecretRef.parse("env://CURL_OA_1", name -> "sk-upstream-0123456789abcdef"))
                        .models("gpt-4o-mini")
                        .build()))
                .provider("openai", s -> s.withBaseUrl(openai.baseUrl()).withRequestTimeout(Duration.ofSeconds(5)))
                .build());
        gateway = Gateway.start(lm, GatewayOptions.builder().port(0).build());
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

    private static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    /** Runs a README command line with the test gateway's address in place of the README's; its standard output. */
    private String run(String readmeCommand) throws IOException, InterruptedException {
        assertThat(readmeCommand).contains(README_ADDRESS);
        String command = readmeCommand.replace(README_ADDRESS, gateway.uri().toString());
        Process process = new ProcessBuilder("sh", "-c", command)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        process.getOutputStream().close();
        // The answers are far smaller than a pipe's buffer, so curl never blocks on its output before it ends.
        boolean ended = process.waitFor(20, TimeUnit.SECONDS);
        if (!ended) {
            process.destroyForcibly();
        }
        assertThat(ended).as("curl ended within 20 s").isTrue();
        assertThat(process.exitValue()).as("curl's exit status").isZero();
        return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void thePlainExamplePrintsAChatCompletion() throws Exception {
        openai.byDefault().always(FakeResponse.ok("Hi! How can I help?", 9, 6));

        JsonNode completion = JSON.readTree(run(README_CURL_CHAT));

        assertThat(completion.path("object").asText()).isEqualTo("chat.completion");
        assertThat(completion.path("model").asText()).isEqualTo("gpt-4o-mini");
        JsonNode choice = completion.path("choices").get(0);
        assertThat(choice.path("message").path("role").asText()).isEqualTo("assistant");
        assertThat(choice.path("message").path("content").asText()).isEqualTo("Hi! How can I help?");
        assertThat(choice.path("finish_reason").asText()).isEqualTo("stop");
        assertThat(completion.path("usage").path("total_tokens").asInt()).isEqualTo(15);
        assertThat(openai.requests()
                        .get(0)
                        .json()
                        .path("messages")
                        .get(0)
                        .path("content")
                        .asText())
                .isEqualTo("Say hi");
    }

    @Test
    void theStreamedExamplePrintsChunksThenDone() throws Exception {
        openai.byDefault().always(FakeResponse.ok("Hi! How can I help?").withChunks("Hi!", " How can", " I help?"));

        String out = run(README_CURL_CHAT_STREAM);

        List<String> events = new ArrayList<>();
        for (String block : out.split("\n\n")) {
            assertThat(block).startsWith("data: ");
            events.add(block.substring("data: ".length()));
        }
        assertThat(events).last().isEqualTo("[DONE]");
        StringBuilder text = new StringBuilder();
        String finish = null;
        for (String event : events.subList(0, events.size() - 1)) {
            JsonNode chunk = JSON.readTree(event);
            assertThat(chunk.path("object").asText()).isEqualTo("chat.completion.chunk");
            assertThat(chunk.has("usage") && !chunk.get("usage").isNull())
                    .as("no usage chunk without stream_options.include_usage")
                    .isFalse();
            JsonNode choice = chunk.path("choices").get(0);
            text.append(choice.path("delta").path("content").asText(""));
            if (!choice.path("finish_reason").isNull() && choice.has("finish_reason")) {
                finish = choice.path("finish_reason").asText();
            }
        }
        assertThat(text.toString()).isEqualTo("Hi! How can I help?");
        assertThat(finish).isEqualTo("stop");
        assertThat(openai.requests().get(0).stream()).isTrue();
    }
}
