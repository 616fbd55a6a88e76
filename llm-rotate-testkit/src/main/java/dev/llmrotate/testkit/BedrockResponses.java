package dev.llmrotate.testkit;

import java.io.ByteArrayOutputStream;
import java.util.Map;
import java.util.Objects;

/**
 * Bedrock-specific answers, for {@link FakeBedrockServer} scripts, beyond the common kinds that {@link FakeResponse}
 * renders for every provider; other fake servers answer them with a {@code 500} testkit error.
 *
 * <pre>{@code
 * bedrock.forKey("AKIA-A").always(BedrockResponses.exception(404, "ResourceNotFoundException",
 *         "Model not found: the provided model identifier is unknown."));
 * bedrock.forKey("AKIA-B").always(BedrockResponses.eventStream(
 *         EventStreamEncoder.event("messageStart", "{\"role\":\"assistant\"}"),
 *         EventStreamEncoder.event("contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"Hi\"}}"),
 *         EventStreamEncoder.event("messageStop", "{\"stopReason\":\"end_turn\"}")));
 * }</pre>
 */
public final class BedrockResponses {

    private BedrockResponses() {}

    /**
     * An AWS error as Bedrock Runtime sends it: this status, {@code x-amzn-ErrorType:
     * {code}:http://internal.amazon.com/coral/com.amazon.bedrock/}, an {@code x-amzn-RequestId} and the body {@code
     * {"message":…}}. {@code FakeResponse.error(status, code, null, message)} renders the same on a Bedrock server.
     *
     * @param status HTTP status, e.g. {@code 429}
     * @param code the exception name, e.g. {@code ThrottlingException}, {@code ModelNotReadyException}
     * @param message the message
     * @return the response
     */
    public static FakeResponse exception(int status, String code, String message) {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
        if (status < 200 || status > 599) {
            throw new IllegalArgumentException("status must be 200 to 599, got " + status);
        }
        return BedrockWireFormat.exception(status, code, message);
    }

    /**
     * A {@code 200} ConverseStream answer made of exactly these event-stream messages (build them with {@link
     * EventStreamEncoder}), sent in one piece with {@code Content-Type: application/vnd.amazon.eventstream}: for
     * sequences the stream faults of {@link FakeResponse} do not produce, such as a {@code messageStop} without
     * {@code metadata} or a frame with a corrupt prelude.
     *
     * @param messages encoded messages, in order
     * @return the response
     */
    public static FakeResponse eventStream(byte[]... messages) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] message : messages) {
            out.writeBytes(Objects.requireNonNull(message, "message"));
        }
        byte[] body = out.toByteArray();
        return FakeResponse.formatSpecific(
                BedrockWireFormat.NAME,
                "BedrockEventStream[" + messages.length + " messages, " + body.length + " bytes]",
                request -> new WireFormat.Rendered(
                        200,
                        Map.of(
                                "content-type",
                                BedrockWireFormat.EVENT_STREAM,
                                "x-amzn-requestid",
                                java.util.UUID.randomUUID().toString()),
                        body));
    }
}
