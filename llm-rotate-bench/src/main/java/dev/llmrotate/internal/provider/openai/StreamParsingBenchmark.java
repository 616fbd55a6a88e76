package dev.llmrotate.internal.provider.openai;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmrotate.internal.provider.http.StreamBodies;
import dev.llmrotate.internal.provider.sse.SseEvent;
import dev.llmrotate.internal.provider.sse.SseReader;
import dev.llmrotate.spi.ProviderStream;
import dev.llmrotate.spi.StreamBody;
import dev.llmrotate.spi.StreamPiece;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of reading a streamed answer, per chunk, without the network: an OpenAI SSE stream of {@value #CHUNKS}
 * chunk events (as the API sends them, about 230 bytes each) delivered in 16 KB buffers, read as raw SSE events and
 * as normalised pieces (SSE plus JSON parsing, what the engine does per chunk).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class StreamParsingBenchmark {
    static final int CHUNKS = 1000;
    /** Each read gets a fresh deadline this far ahead, as the engine gives each piece its idle timeout. */
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private List<ByteBuffer> wire;
    private long bytes;
    private final ObjectMapper json = new ObjectMapper();
    private final OpenAiErrorClassifier classifier = new OpenAiErrorClassifier(json);

    @Setup
    public void buildStream() {
        StringBuilder sse = new StringBuilder();
        String head = "{\"id\":\"chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT\",\"object\":\"chat.completion.chunk\","
                + "\"created\":1741569952,\"model\":\"gpt-4o-mini-2024-07-18\",\"service_tier\":\"default\","
                + "\"system_fingerprint\":\"fp_06737a9306\",\"choices\":[{\"index\":0,\"delta\":";
        for (int i = 0; i < CHUNKS; i++) {
            sse.append("data: ")
                    .append(head)
                    .append("{\"content\":\" token")
                    .append(i % 100)
                    .append("\"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n");
        }
        sse.append("data: ")
                .append(head)
                .append("{},\"logprobs\":null,\"finish_reason\":\"stop\"}],\"usage\":null}\n\n");
        sse.append("data: {\"id\":\"chatcmpl-x\",\"object\":\"chat.completion.chunk\",\"choices\":[],\"usage\":"
                + "{\"prompt_tokens\":12,\"completion_tokens\":1000,\"total_tokens\":1012}}\n\n");
        sse.append("data: [DONE]\n\n");
        byte[] all = sse.toString().getBytes(StandardCharsets.UTF_8);
        bytes = all.length;
        wire = new ArrayList<>();
        for (int offset = 0; offset < all.length; offset += 16 * 1024) {
            int length = Math.min(16 * 1024, all.length - offset);
            wire.add(ByteBuffer.wrap(all, offset, length).asReadOnlyBuffer());
        }
    }

    private StreamBody body() {
        return StreamBodies.received(wire);
    }

    /** SSE framing only: lines into events. */
    @Benchmark
    @OperationsPerInvocation(CHUNKS)
    public int sseEvents() {
        SseReader reader = new SseReader(body());
        int events = 0;
        SseEvent event;
        while ((event = reader.next(ProviderStream.deadlineAfter(TIMEOUT))) != null) {
            events += event.data().length() > 0 ? 1 : 0;
        }
        return events;
    }

    /** What the engine does per chunk: SSE framing, JSON parsing, normalisation into pieces. */
    @Benchmark
    @OperationsPerInvocation(CHUNKS)
    public int openAiPieces() {
        OpenAiStream stream = new OpenAiStream(body(), json, classifier);
        int pieces = 0;
        StreamPiece piece;
        while ((piece = stream.next(ProviderStream.deadlineAfter(TIMEOUT))) != null) {
            pieces += piece.delta().length();
        }
        return pieces;
    }

    /** Bytes of the whole stream, for throughput in MB/s. */
    public long streamBytes() {
        return bytes;
    }
}
