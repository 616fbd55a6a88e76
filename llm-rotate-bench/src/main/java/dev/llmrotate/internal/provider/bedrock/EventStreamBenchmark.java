package dev.llmrotate.internal.provider.bedrock;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.llmrotate.internal.provider.http.StreamBodies;
import dev.llmrotate.spi.ProviderStream;
import dev.llmrotate.spi.StreamBody;
import dev.llmrotate.spi.StreamPiece;
import dev.llmrotate.testkit.EventStreamEncoder;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
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
 * The cost of reading a Bedrock ConverseStream answer, per chunk, without the network: {@value #CHUNKS}
 * {@code contentBlockDelta} frames of the binary event-stream encoding (both CRCs checked) delivered in 16 KB
 * buffers, decoded as frames and as normalised pieces.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class EventStreamBenchmark {
    static final int CHUNKS = 1000;
    /** Each read gets a fresh deadline this far ahead, as the engine gives each piece its idle timeout. */
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final ObjectMapper json = new ObjectMapper();
    private final BedrockErrorClassifier classifier = new BedrockErrorClassifier(json);
    private List<ByteBuffer> wire;

    @Setup
    public void buildStream() {
        ByteArrayOutputStream frames = new ByteArrayOutputStream();
        frames.writeBytes(EventStreamEncoder.event("messageStart", "{\"role\":\"assistant\",\"p\":\"abcd\"}"));
        for (int i = 0; i < CHUNKS; i++) {
            frames.writeBytes(EventStreamEncoder.event(
                    "contentBlockDelta",
                    "{\"contentBlockIndex\":0,\"delta\":{\"text\":\" token" + (i % 100) + "\"},\"p\":\"abcdefghij\"}"));
        }
        frames.writeBytes(EventStreamEncoder.event("contentBlockStop", "{\"contentBlockIndex\":0,\"p\":\"ab\"}"));
        frames.writeBytes(EventStreamEncoder.event("messageStop", "{\"stopReason\":\"end_turn\",\"p\":\"abc\"}"));
        frames.writeBytes(
                EventStreamEncoder.event(
                        "metadata",
                        "{\"usage\":{\"inputTokens\":12,\"outputTokens\":1000,\"totalTokens\":1012},\"metrics\":{\"latencyMs\":900}}"));
        byte[] all = frames.toByteArray();
        wire = new ArrayList<>();
        for (int offset = 0; offset < all.length; offset += 16 * 1024) {
            wire.add(ByteBuffer.wrap(all, offset, Math.min(16 * 1024, all.length - offset))
                    .asReadOnlyBuffer());
        }
    }

    private StreamBody body() {
        return StreamBodies.received(wire);
    }

    /** Frame decoding with both CRC checks. */
    @Benchmark
    @OperationsPerInvocation(CHUNKS)
    public int frames() {
        StreamBody body = body();
        EventStreamDecoder decoder = new EventStreamDecoder(body::readFully);
        int count = 0;
        while (decoder.next(ProviderStream.deadlineAfter(TIMEOUT)) != null) {
            count++;
        }
        return count;
    }

    /** What the engine does per chunk: frames, JSON payloads, normalisation into pieces. */
    @Benchmark
    @OperationsPerInvocation(CHUNKS)
    public int bedrockPieces() {
        ConverseStream stream = new ConverseStream(body(), json, classifier, "bench");
        int pieces = 0;
        StreamPiece piece;
        while ((piece = stream.next(ProviderStream.deadlineAfter(TIMEOUT))) != null) {
            pieces += piece.delta().length();
        }
        return pieces;
    }
}
